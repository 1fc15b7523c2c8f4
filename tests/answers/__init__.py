"""Plausible wrong answers and alternative correct answers, per lesson and exercise.
每课、每个练习的常见错误答案与其他正确写法。

Each module ``lessonNN.py`` holds ``WRONG`` and ``RIGHT``: ``{grade_id: {label: source}}``. The
source replaces the exercise's answer cell; tests/content/test_graders.py proves that the exercise's test
cells reject every WRONG answer and accept every RIGHT one.
"""
