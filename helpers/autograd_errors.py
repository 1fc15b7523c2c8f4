"""What autograd does with an in-place operation: the five outcomes of lesson 04 / 自动求导遇到原地操作时的五种结果。

Introduced in lesson 04. ``outcome_of(source)`` runs a snippet that creates a tensor ``a``, does
something in place and calls ``backward()``, and says which of ``OUTCOMES`` happened under the
installed torch. The lesson's reveal cell and its hidden test both use it, so they cannot disagree;
the learner's notebook imports it only after the prediction exercise.
运行一段代码片段（创建张量 a、做原地操作并调用 backward()），判断在当前安装的 torch 下发生了哪种结果。
学生的笔记本只在预测练习之后才导入它。
"""

import warnings

import torch

OUTCOMES = {
    "ok": "runs, and a.grad is populated / 正常运行，a.grad 有值",
    "inplace_version": "backward() raises 'modified by an inplace operation' / backward() 报“被原地操作修改”错误",
    "leaf_inplace": "raises 'a (view of a) leaf Variable that requires grad is being used in an in-place operation' / 报“叶子张量被原地操作”错误",
    "not_leaf": "runs, but a ends as a non-leaf, so a.grad stays None / 正常运行，但 a 不再是叶子张量，a.grad 为 None",
    "graph_interior": "backward() raises 'leaf variable has been moved into the graph interior' / backward() 报“叶子张量被移入计算图内部”错误",
}
# Fragments of the messages torch 2.13 raises / torch 2.13 报错信息中的片段
INPLACE_VERSION_MESSAGE = "modified by an inplace operation"
LEAF_INPLACE_MESSAGE = "leaf Variable that requires grad is being used in an in-place operation"
GRAPH_INTERIOR_MESSAGE = "leaf variable has been moved into the graph interior"


def outcome_of(source: str) -> str:
    """Run ``source`` in a fresh namespace holding ``torch`` and return its outcome, one of ``OUTCOMES``.

    Any other error, or a snippet that defines no tensor ``a``, is a ``ValueError``: the snippet is broken.
    在只含 torch 的新命名空间中运行代码片段，返回 OUTCOMES 之一；其他错误说明片段本身有问题，抛出 ValueError。
    """
    namespace = {"torch": torch}
    try:
        with warnings.catch_warnings():
            # A snippet's warnings would land on a test cell's stderr / 片段的警告会写到测试单元格的 stderr
            warnings.simplefilter("ignore")
            exec(compile(source, "<snippet>", "exec"), namespace)
    except RuntimeError as error:
        if INPLACE_VERSION_MESSAGE in str(error):
            return "inplace_version"
        if LEAF_INPLACE_MESSAGE in str(error):
            return "leaf_inplace"
        if GRAPH_INTERIOR_MESSAGE in str(error):
            return "graph_interior"
        raise ValueError(f"the snippet failed in another way / 代码片段以其他方式失败: {error}") from error
    a = namespace.get("a")
    if type(a) is not torch.Tensor:
        raise ValueError("the snippet must define a tensor `a` / 代码片段必须定义张量 `a`")
    if not a.is_leaf:
        return "not_leaf"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reading .grad of a non-leaf warns / 读取非叶子张量的 .grad 会警告
        populated = a.grad is not None
    if not populated:
        raise ValueError("`a` is a leaf but got no gradient / `a` 是叶子张量却没有得到梯度")
    return "ok"
