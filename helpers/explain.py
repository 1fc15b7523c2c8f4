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

# The version error, with and without ", which is output N of Op," (absent for a leaf, or a tensor made outside autograd)
# 版本错误：带有或不带 ", which is output N of Op,"（叶子张量或在自动求导之外创建的张量没有这部分）
_VERSION_ERROR = (
    r"modified by an inplace operation: \[(?P<type>[\w.]+) \[(?P<shape>[^\]]*)\]\]{which} "
    r"is at version (?P<now>\d+); expected version (?P<then>\d+)"
)
_VERSION_FIX_EN = (
    "Fix: make the in-place operation (add_, mul_, +=, x[i] = ..., relu_) out-of-place, e.g. `b = b + 1`, or work on a "
    "`.clone()`; `torch.autograd.set_detect_anomaly(True)` shows the forward line whose backward needed the value."
)
_VERSION_FIX_ZH = (
    "修正：把原地操作（add_、mul_、+=、x[i] = ...、relu_）改成非原地写法，例如 `b = b + 1`，或在 `.clone()` 上操作；"
    "`torch.autograd.set_detect_anomaly(True)` 会指出哪一行前向代码的反向传播需要这个值。"
)

_EXPLANATIONS = [
    (
        # C++ nodes carry their namespace: torch::autograd::CopySlices / C++ 节点带命名空间
        re.compile(_VERSION_ERROR.format(which=r", which is output (?P<index>\d+) of (?:torch::autograd::)?(?P<op>\w+),")),
        "A {type} of shape [{shape}] that an operation saved for the backward pass was changed in place afterwards "
        "(version {then} → {now}), so the saved value is stale. \"output {index} of {op}\": if {op} saved its own "
        "output (exp, sigmoid, tanh, relu), {op} is the operation that saved it; if the tensor was saved as an input "
        "(sin, cos, x ** 2, a product), {op} is what wrote its current value, usually the in-place operation. "
        + _VERSION_FIX_EN,
        "某个运算为反向传播保存了一个形状为 [{shape}] 的 {type}，之后它被原地修改（版本 {then} → {now}），保存的值已经过期。"
        "“output {index} of {op}”：如果 {op} 保存的是它自己的输出（exp、sigmoid、tanh、relu），{op} 就是保存它的运算；"
        "如果这个张量是作为输入被保存的（sin、cos、x ** 2、乘积），{op} 是写入其当前值的运算，通常就是那个原地操作。"
        + _VERSION_FIX_ZH,
    ),
    (
        re.compile(_VERSION_ERROR.format(which="")),
        "A {type} of shape [{shape}] that an operation saved for the backward pass was changed in place afterwards "
        "(version {then} → {now}). The message names no operation because that tensor has no grad_fn: it is a leaf "
        "or was created outside autograd — typically a parameter updated under `torch.no_grad()`, or an input "
        "changed in place, between the forward pass and backward(). Call backward() before the update, or update "
        "a copy. " + _VERSION_FIX_EN,
        "某个运算为反向传播保存了一个形状为 [{shape}] 的 {type}，之后它被原地修改（版本 {then} → {now}）。"
        "信息里没有指出运算，因为这个张量没有 grad_fn：它是叶子张量，或是在自动求导之外创建的——"
        "典型情况是在前向传播与 backward() 之间，在 `torch.no_grad()` 中更新了参数，或原地修改了输入。"
        "请先调用 backward() 再更新，或者更新一个副本。" + _VERSION_FIX_ZH,
    ),
    (
        re.compile(r"leaf variable has been moved into the graph interior"),
        "A tensor that was a leaf when a graph used it got a grad_fn afterwards: an in-place operation with a value "
        "that requires grad (copy_, add_, mul_, ...) was applied to it after its requires_grad was switched off. "
        "When backward() reaches the place where it should accumulate the leaf's gradient, the leaf is now inside "
        "the graph. Fix: do not change a parameter in place between the forward pass and backward(); update it under "
        "`with torch.no_grad():` after backward(), or use a new tensor, `a = w * 2`.",
        "某个张量在被计算图使用时还是叶子张量，之后却得到了 grad_fn：先关闭了它的 requires_grad，"
        "再用一个需要梯度的值对它做原地操作（copy_、add_、mul_ 等）。backward() 走到本应累加该叶子张量梯度的地方时，"
        "它已经处在计算图内部。修正：不要在前向传播与 backward() 之间原地修改参数；在 backward() 之后于 "
        "`with torch.no_grad():` 中更新它，或者使用新张量 `a = w * 2`。",
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
