"""The part of trusted judging that runs inside a kernel / 可信评判中在内核里运行的部分。

Sent to the kernel as source (the kernel cannot import this package) after every released cell has
run, together with ``course.kernel.injected.plain_data`` and the lesson's observe functions, all run in one namespace
of their own. Each observing cell then calls ``publish(grade_id, namespace, inputs, forbidden)``:
``inputs`` (the exercise's inputs, plain data in base64) arrive with that call and no earlier; the
lesson's ``observe_<grade_id>(namespace, **inputs)`` runs, watched by ``helpers.calls.calls_to``
when the exercise names functions it must not call; what it returned (or the name of the exception
it raised, or the forbidden function it called) is displayed as the cell's one output of type
``OBSERVATION``. The grader reads that output when the cell ends and nothing later changes what it
read. Whatever this code does in a learner's kernel, only plain data counts.
在所有发布的单元格运行之后以源代码形式发送给内核。每个观察单元格调用 publish：练习的输入随这次调用才到达；观察函数运行时，
若练习规定了不得调用的函数，则由 helpers.calls 监视；结果以纯数据作为该单元格唯一的输出显示，评阅程序在单元格结束时读取。
"""

import base64

# The MIME type of an observation output / 观察结果输出的 MIME 类型
OBSERVATION = "application/vnd.course.observation+base64"
OBSERVERS: dict = {}  # the lesson's observe functions, run in a namespace of their own / 该课的观察函数


def observe(grade_id: str, namespace: dict, inputs: str, forbidden: tuple = ()) -> str:
    """Observe one exercise of ``namespace`` (the notebook's globals); the outcome as base64 plain data.

    观察一个练习，返回 base64 编码的纯数据结果。
    """
    arguments = decode(base64.b64decode(inputs))  # noqa: F821 — course.kernel.injected.plain_data, sent alongside / 一同发送
    called = []
    try:
        if forbidden:
            from helpers.calls import calls_to

            with calls_to(*forbidden) as called:
                value = OBSERVERS["observe_" + grade_id](namespace, **arguments)
        else:
            value = OBSERVERS["observe_" + grade_id](namespace, **arguments)
        outcome = {"value": value}
    except BaseException as error:  # the answer raised: that is what was observed / 答案抛出了异常：这就是观察结果
        outcome = {"raised": type(error).__name__}
    if called:
        outcome = {"forbidden": called[0]}
    try:
        data = encode(outcome)  # noqa: F821
    except Exception:  # not plain data: say so, as data / 不是纯数据：以纯数据说明
        data = encode({"unencodable": True})  # noqa: F821
    return base64.b64encode(data).decode("ascii")


def publish(grade_id: str, namespace: dict, inputs: str, forbidden: tuple = ()) -> None:
    """Display the observation as this cell's output / 把观察结果显示为本单元格的输出。"""
    from IPython.display import display

    display({OBSERVATION: observe(grade_id, namespace, inputs, forbidden)}, raw=True)
