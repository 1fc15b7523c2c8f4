"""Which functions a block of code called, by any route / 一段代码调用了哪些函数，无论经由什么途径。Introduced in lesson 02.

Some exercises ask you to write something yourself rather than call the library function that does
it (``torch.gather``, ``torch.softmax``, ``torch.optim``). Swapping ``torch.gather`` for a function
that refuses would not see ``g = torch.gather`` saved earlier, ``x.gather(...)``, or a module's
functional form; these checks watch every call instead, while the block runs:

- torch functions and tensor methods through a ``torch.overrides.TorchFunctionMode``, which sees a
  call whatever name it was reached by;
- Python code of a package (``"torch.optim"``) or a Python function (``"torch.autograd.grad"``)
  through the interpreter's profiling hook, in every thread.

``calls_to(*names)`` records which of ``names`` were called; ``refusing(*names, by=...)`` fails with
a bilingual message if any was. Names are dotted paths: ``"torch.gather"``, ``"torch.Tensor.gather"``,
``"torch.nn.functional.softmax"``, ``"torch.optim"``, ``"torch.ops.aten._softmax"``.
有些练习要求你自己实现，而不是调用现成的库函数。替换 ``torch.gather`` 的做法看不到事先保存的引用、方法调用或函数式写法；
这里的检查在代码块运行期间监视每一次调用：torch 函数与张量方法通过 ``TorchFunctionMode``，包或 Python 函数通过解释器的
profile 钩子（每个线程）。``calls_to`` 记录调用了哪些函数，``refusing`` 在调用了其中任何一个时用双语信息报错。
"""

import contextlib
import importlib
import os
import sys
import threading
import types

_WATCHED_EVENTS = frozenset({"call", "c_call"})


def _resolve(name: str):
    """The object a dotted name stands for, importing the longest module prefix / 点分名称所指的对象。"""
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            found = getattr(found, attribute)
        return found
    raise ImportError(f"cannot find {name} / 找不到 {name}")


def _watch_list(names) -> tuple[dict, dict, list]:
    """(callables by object, Python code by (file, first line, name), package folders) to watch for ``names``."""
    callables, codes, folders = {}, {}, []
    for name in names:
        found = _resolve(name)
        if isinstance(found, types.ModuleType):
            path = getattr(found, "__file__", None) or ""
            folder = os.path.dirname(path) if hasattr(found, "__path__") else path
            folders.append((folder.rstrip(os.sep) + (os.sep if hasattr(found, "__path__") else ""), name))
            continue
        callables[found] = name
        code = getattr(found, "__code__", None)
        if code is not None:
            codes[(code.co_filename, code.co_firstlineno, code.co_name)] = name
    return callables, codes, folders


@contextlib.contextmanager
def calls_to(*names: str):
    """Yield a list that receives each of ``names`` called while the block runs (in the order called, once each).

    产出一个列表：代码块运行期间调用过的 ``names`` 中的函数（按调用顺序，各记一次）。
    """
    called: list[str] = []
    if not names:
        yield called
        return
    callables, codes, folders = _watch_list(names)

    def note(name: str) -> None:
        if name not in called:
            called.append(name)

    def profile(frame, event, arg):
        if event == "call":
            code = frame.f_code
            name = codes.get((code.co_filename, code.co_firstlineno, code.co_name))
            if name is None:
                name = next((n for folder, n in folders if code.co_filename.startswith(folder) or code.co_filename == folder), None)
            if name is not None:
                note(name)
        elif event == "c_call":
            name = callables.get(arg) if _hashable(arg) else None
            if name is None:  # a bound method such as x.gather / 绑定方法，例如 x.gather
                owner = getattr(arg, "__self__", None)
                method = getattr(type(owner), getattr(arg, "__name__", ""), None)
                name = callables.get(method) if _hashable(method) else None
            if name is not None:
                note(name)

    stack = contextlib.ExitStack()
    if "torch" in sys.modules:
        stack.enter_context(_torch_mode(callables, note))
    previous, previous_threads = sys.getprofile(), threading.getprofile()
    sys.setprofile(profile)
    threading.setprofile(profile)
    try:
        with stack:
            yield called
    finally:
        sys.setprofile(previous)
        threading.setprofile(previous_threads)


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _torch_mode(callables: dict, note):
    """A TorchFunctionMode that notes the watched torch functions, however they were reached / 记录被监视的 torch 函数。"""
    from torch.overrides import TorchFunctionMode

    class Watch(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            for candidate in (func, getattr(func, "overloadpacket", None)):
                if candidate is not None and _hashable(candidate) and candidate in callables:
                    note(callables[candidate])
            return func(*args, **(kwargs or {}))

    return Watch()


@contextlib.contextmanager
def refusing(*names: str, by: str = "your code"):
    """Fail with a bilingual ``AssertionError`` if the block called any of ``names``, by any route.

    代码块以任何途径调用了 ``names`` 中的函数时，以双语 ``AssertionError`` 报错。

        with refusing("torch.gather", "torch.Tensor.gather", by="gather_loops()"):
            result = gather_loops(source, 1, index)
    """
    with calls_to(*names) as called:
        yield
    if called:
        listed = ", ".join(called)
        raise AssertionError(f"{by} called {listed}, which this exercise asks you not to use: write it yourself / "
                             f"{by} 调用了 {listed}，本练习要求不使用它：请自己实现")  # fmt: skip
