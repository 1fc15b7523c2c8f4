"""The part of trusted judging that runs inside a kernel / 可信评判中在内核里运行的部分。

Sent to the kernel as source (the kernel cannot import this package), together with
``course.plain_data`` and the lesson's ``observers.py``, all run in one namespace of their own.
``observe(grade_id, namespace)`` reads the exercise's inputs from ``FOLDER/inputs.zip``, calls the
lesson's ``observe_<grade_id>(namespace, **inputs)`` and writes what it returned (or the name of the
exception it raised) to ``FOLDER/<grade_id>.zip`` as plain data. Whatever this code does in a
learner's kernel, the grader only reads those bytes, and only plain data counts.
以源代码形式发送给内核：读取练习的输入，调用该课 observers.py 中的观察函数，把结果（或异常名称）以纯数据写出。
评阅程序只读取这些字节。
"""

import os

FOLDER = ""  # set by the cell that sends this source / 由发送本源代码的单元格设置
OBSERVERS: dict = {}  # the lesson's observers.py, run in a namespace of its own / 该课的 observers.py


def observe(grade_id: str, namespace: dict) -> None:
    """Observe one exercise of ``namespace`` (the notebook's globals) and write it out / 观察一个练习并写出结果。"""
    with open(os.path.join(FOLDER, "inputs.zip"), "rb") as handle:
        inputs = decode(handle.read())[grade_id]  # noqa: F821 — course.plain_data, sent alongside / 一同发送
    try:
        outcome = {"value": OBSERVERS["observe_" + grade_id](namespace, **inputs)}
    except BaseException as error:  # the answer raised: that is what was observed / 答案抛出了异常：这就是观察结果
        outcome = {"raised": type(error).__name__}
    try:
        data = encode(outcome)  # noqa: F821
    except Exception as error:  # not plain data: say so, as data / 不是纯数据：以纯数据说明
        data = encode({"unencodable": str(error)[:200]})  # noqa: F821
    with open(os.path.join(FOLDER, grade_id + ".zip"), "wb") as handle:
        handle.write(data)
