"""Undo a learner's monkey-patching before each graded test / 在每个评分测试之前撤销学生的猴子补丁。

``course grade`` and ``course check`` run ``snapshot(globals())`` right after the lesson's set-up
cell, before any learner code, and start every test cell with the returned ``restore()``. The
grading kernel sees only ``helpers/``, not this package, so the guard does not reach it by import:
``snapshot_cell()`` is a cell that carries this module's own source and runs it in a namespace of
its own (so this module must stay self-contained: standard library only). It puts
back the attributes of numpy, torch, math, builtins and ``helpers`` as they were, torch's
``Tensor`` methods, grad mode and default dtype, and the names the set-up cell defined (such as
``assert_close``). A patched ``np.allclose``, ``torch.equal`` or ``helpers.checks`` therefore never
reaches a test.
在准备单元格之后、任何学生代码之前保存快照；每个测试单元格开始时恢复它。
评阅内核只能看到 helpers/，看不到本包，因此守护代码以源代码的形式注入内核，而不是通过导入。
"""

import sys
from pathlib import Path

# The name the kernel keeps restore() under; every test cell starts by calling it
# 内核中保存 restore() 的名称；每个测试单元格开始时调用它
RESTORE_NAME = "__course_restore__"

# Modules whose attributes a test relies on / 测试所依赖其属性的模块
GUARDED_PREFIXES = ("numpy", "torch", "math", "builtins", "helpers")
GUARDED_MODULES = (
    "builtins", "math", "numpy", "numpy.testing", "numpy.linalg", "numpy.random", "torch", "torch.autograd",
    "torch.nn.functional", "torch.linalg", "helpers.checks", "helpers.autograd_errors", "helpers.device",
)  # fmt: skip


def snapshot(namespace: dict):
    """Remember the guarded modules and ``namespace``; return ``restore()`` that puts them back.

    保存受保护模块与命名空间的当前状态，返回用于恢复的 restore()。
    """
    modules = {name: sys.modules[name] for name in GUARDED_MODULES if name in sys.modules}
    saved_modules = {name: dict(vars(module)) for name, module in modules.items()}
    saved_names = dict(namespace)
    torch = sys.modules.get("torch")
    saved_tensor = dict(vars(torch.Tensor)) if torch is not None else {}
    saved_state = (torch.is_grad_enabled(), torch.get_default_dtype()) if torch is not None else None
    # Captured now: a learner may rebind the builtins later / 现在保存：学生之后可能重新绑定内置函数
    setattr_, vars_ = setattr, vars

    def restore() -> None:
        for name, module in modules.items():
            current = vars_(module)
            for key, value in saved_modules[name].items():
                if current.get(key, restore) is not value:
                    setattr_(module, key, value)
        if torch is not None:
            current = vars_(torch.Tensor)
            for key, value in saved_tensor.items():
                if current.get(key, restore) is not value:
                    setattr_(torch.Tensor, key, value)
            torch.set_grad_enabled(saved_state[0])
            torch.set_default_dtype(saved_state[1])
        for key, value in saved_names.items():
            if not key.startswith("_"):
                namespace[key] = value

    return restore


def snapshot_cell() -> str:
    """The cell injected after the set-up cell: this module's source, run in a namespace of its own,
    then ``snapshot(globals())`` kept as ``__course_restore__``. Nothing is imported by name.

    注入在准备单元格之后的单元格：在独立的命名空间中运行本模块的源代码，再调用 snapshot(globals())。不按名称导入任何模块。
    """
    source = Path(__file__).read_text(encoding="utf-8")
    return (
        "__course_guard__ = {'__name__': 'course_guard'}\n"
        f"exec({source!r}, __course_guard__)\n"
        f"{RESTORE_NAME} = __course_guard__['snapshot'](globals())\n"
        "del __course_guard__\n"
    )


def restore_call() -> str:
    """The line every graded test cell starts with / 每个评分测试单元格开头的一行。"""
    return f"{RESTORE_NAME}()\n"
