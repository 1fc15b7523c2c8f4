"""Bilingual explanations under autograd's most confusing errors / 在自动求导最难懂的报错下方给出双语解释。

Introduced in lesson 01 (every lesson's first cell calls ``explain_autograd_errors()``; in a
notebook ``%load_ext helpers.explain`` does the same). When a cell raises one of the errors below,
the normal traceback is shown unchanged — same exception, same type, same ``error`` output, so
nbval and nbgrader see exactly what they saw before — and a short explanation with the concrete
fix is printed under it. Any other exception is left alone. ``COURSE_LANG=en|zh|both`` picks the
language (default both).
每课第一个单元格会启用它。报错时照常显示原始回溯（异常与类型不变），并在其下方打印简短的解释与修正方法；其他异常不受影响。
"""

import os
import re
import sys

_EXPLANATIONS = [
    (
        re.compile(
            r"modified by an inplace operation: \[(?P<type>[\w.]+) \[(?P<shape>[^\]]*)\]\], which is output "
            r"(?P<index>\d+) of (?P<op>\w+), is at version (?P<now>\d+); expected version (?P<then>\d+)"
        ),
        "A {type} of shape [{shape}] that {op} saved for the backward pass was changed in place afterwards "
        "(version {then} → {now}), so its saved value is stale. Fix: make that in-place operation (add_, mul_, +=, "
        "x[i] = ..., div_) out-of-place, e.g. `b = b + 1`, or work on a `.clone()`.",
        "{op} 为反向传播保存了一个形状为 [{shape}] 的 {type}，之后它被原地修改（版本 {then} → {now}），保存的值已经过期。"
        "修正：把这个原地操作（add_、mul_、+=、x[i] = ...、div_）改成非原地写法，例如 `b = b + 1`，或在 `.clone()` 上操作。",
    ),
    (
        re.compile(r"a view of a leaf Variable that requires grad is being used in an in-place operation"),
        "You changed part of a leaf tensor that requires grad (through indexing or a slice, which is a view) while "
        "autograd was recording. Fix: do the update under `with torch.no_grad():`, or build a new tensor instead.",
        "你在自动求导记录运算时，通过下标或切片（即视图）修改了需要梯度的叶子张量的一部分。"
        "修正：把更新放进 `with torch.no_grad():`，或者构造一个新张量。",
    ),
    (
        re.compile(r"a leaf Variable that requires grad is being used in an in-place operation"),
        "You changed a leaf tensor that requires grad in place (add_, +=, -=, ...) while autograd was recording. "
        "Fix: update parameters under `with torch.no_grad():` (e.g. `p -= lr * p.grad`), or write `p = p + 1` "
        "if you really want a new tensor.",
        "你在自动求导记录运算时原地修改了需要梯度的叶子张量（add_、+=、-= 等）。"
        "修正：在 `with torch.no_grad():` 中更新参数（例如 `p -= lr * p.grad`）；如果确实需要新张量，写成 `p = p + 1`。",
    ),
    (
        re.compile(r"Trying to backward through the graph a second time"),
        "backward() frees the computational graph it walked; calling it again on the same result finds nothing. "
        "Fix: recompute the forward pass (inside the loop) before each backward(), or pass `retain_graph=True` "
        "to the first call if you really need two.",
        "backward() 会释放它走过的计算图；对同一个结果再次调用时计算图已经不存在。"
        "修正：每次调用 backward() 之前都重新做前向传播（放在循环里面）；如果确实需要两次，在第一次调用时传入 `retain_graph=True`。",
    ),
    (
        re.compile(r"element 0 of tensors does not require grad and does not have a grad_fn"),
        "The tensor you called backward() on is not connected to anything that requires grad: no leaf had "
        "`requires_grad=True`, or the result was computed under `torch.no_grad()` or after `.detach()`. Fix: create "
        "the parameters with `requires_grad=True` and compute the loss outside `torch.no_grad()`.",
        "你调用 backward() 的张量与任何需要梯度的张量都没有联系：没有叶子张量设置 `requires_grad=True`，"
        "或者结果是在 `torch.no_grad()` 中、或 `.detach()` 之后计算的。修正：创建参数时设置 `requires_grad=True`，并在 `torch.no_grad()` 之外计算损失。",
    ),
    (
        re.compile(r"Expected all tensors to be on the same device|found at least two devices|should be the same device"),
        "The operation mixes tensors on different devices (for example cuda:0 and cpu). Fix: create every tensor on "
        "one device, `device = try_gpu()`, and move the others with `.to(device)`; call `.cpu()` only for printing "
        "or NumPy.",
        "该运算混用了不同设备上的张量（例如 cuda:0 和 cpu）。修正：用 `device = try_gpu()` 把所有张量放在同一设备上，"
        "其他张量用 `.to(device)` 移过去；只在打印或转 NumPy 时调用 `.cpu()`。",
    ),
]


def explanation(message: str, lang: str | None = None) -> str | None:
    """The explanation for an error message, or None when it is not an autograd error we explain.

    返回某条报错信息对应的解释；不是我们解释的自动求导错误时返回 None。
    """
    lang = (lang or os.environ.get("COURSE_LANG", "both")).strip().lower()
    for pattern, english, chinese in _EXPLANATIONS:
        match = pattern.search(message)
        if match:
            fields = match.groupdict()
            parts = {"en": "Explanation: " + english.format(**fields), "zh": "解释：" + chinese.format(**fields)}
            chosen = [parts[lang]] if lang in parts else [parts["en"], parts["zh"]]
            return "\n".join(chosen)
    return None


def _handler(shell, etype, value, tb, tb_offset=None):
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)  # the normal error output, unchanged / 原样输出
    text = explanation(str(value))
    if text:
        print(text, file=sys.stdout, flush=True)


def explain_autograd_errors() -> None:
    """Turn the explanations on in the running IPython kernel; outside IPython it does nothing.

    Returns None so that the set-up cell ending with it shows no ``Out[1]``.
    在当前 IPython 内核中启用解释；不在 IPython 中时什么也不做。返回 None，以免准备单元格显示 ``Out[1]``。
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((RuntimeError,), _handler)


def load_ipython_extension(shell) -> None:
    """``%load_ext helpers.explain``"""
    shell.set_custom_exc((RuntimeError,), _handler)
