"""Code sent into a learner's kernel as source: the kernel cannot import this package, so these modules import
nothing of the course (only the standard library and numpy) / 以源代码形式送入学生内核的代码：不导入课程的任何模块。

    guard       the in-kernel guard against monkey-patching between the answers and the tests
    observer    the observing code of trusted judging, sent with the lesson's observe functions
    plain_data  the only data that crosses from a kernel to the grader: plain data as bytes, under limits
"""
