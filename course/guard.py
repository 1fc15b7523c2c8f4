"""Undo a learner's monkey-patching before each graded test / 在每个评分测试之前撤销学生的猴子补丁。

``course grade`` and ``course check`` run ``snapshot(globals())`` right after the lesson's set-up
cell, before any learner code, and start every test cell with the returned ``restore()``. It puts
back the attributes of numpy, torch, math, builtins and ``helpers`` as they were, torch's
``Tensor`` methods, grad mode and default dtype, and the names the set-up cell defined (such as
``assert_close``). A patched ``np.allclose``, ``torch.equal`` or ``helpers.checks`` therefore never
reaches a test.
在准备单元格之后、任何学生代码之前保存快照；每个测试单元格开始时恢复它。
"""

import sys

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
