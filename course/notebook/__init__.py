"""The notebook model: what the grader reads in a lesson and in a submission / 笔记本模型：评阅程序如何读课程与提交。

    cells       what a cell is to the grader (answer, test, hand-graded, locked) and the names it binds
    lesson      ``Lesson``: a lesson's source notebook, exercises and points; a notebook recognised by its exercises
    submission  a learner's notebook read safely (never through a link, within limits) and checked against its lesson
    build       the notebook that runs: the released cells with the learner's answers, and the guard

Imports only ``course.safe_files`` and ``course.kernel.injected`` of the course / 只导入 safe_files 与 kernel.injected。
"""
