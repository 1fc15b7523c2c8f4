"""The learner's library: the small modules the lessons and their tests import / 学生端的库：课程及其测试导入的小模块。

Import what you need explicitly, e.g. ``from helpers.plotting import plot_fit``.
Importing this package does nothing else. Only what a notebook imports lives here (a grading kernel
sees this folder and nothing else of the course); the instructor's tool is the ``course`` package.
只有笔记本导入的模块放在这里（评阅内核只能看到本目录）；教师的工具是 ``course`` 包。
"""
