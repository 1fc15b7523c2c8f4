"""Authoring: the course's own notebooks, from solutions/ to what learners get / 编写：从 solutions/ 到学生拿到的笔记本。

    release     ``course release``: notebooks/ from solutions/ with nbgrader
    execute     ``course execute``: re-run solutions and store sanitized outputs
    views       ``course view``: one language at a time
"""
