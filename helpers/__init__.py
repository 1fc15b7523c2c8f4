"""Small modules the lessons and their tests share / 课程笔记本与测试共用的小模块。

Import what you need explicitly, e.g. ``from helpers.plotting import plot_fit``.
Importing this package does nothing else.
"""
