"""What `course grade` asks lesson 08's answers on inputs drawn at grading time (see course.grading.judging).
`course grade` 在评阅时抽取的输入上向第 08 课的答案提出的问题（见 course.grading.judging）。

``inputs_<grade_id>(rng)`` runs in the grader; ``observe_<grade_id>(ns, **inputs)`` runs in the
learner's kernel and in the reference kernel, ``ns`` being the notebook's globals, and returns plain
data. Observe what the tests check: the registered parameters (names, count, shapes, starting values
from a seed), forward values and gradients for given parameter values, the gradient of the shared e,
``string()``, Python's ``random`` left alone, and the losses and parameters of a few training steps.
"""

import numpy as np

TOLERANCES = {
    # float32 forward values, a polynomial written another way (Horner) / float32 的前向值，多项式的其他写法（秦九韶算法）
    "ex08_polynomial": (1e-5, 1e-6),
    "ex08_dynamic_net": (1e-5, 1e-6),
    # float64 training, "to 1e-6" as the exercise says / float64 训练，与练习要求一致：相对误差 1e-6
    "ex08_fix_training_loop": (1e-6, 1e-9),
}


def _array(tensor):
    """A copy of a tensor as a numpy array, dtype kept / 张量的 numpy 副本，保持 dtype"""
    return tensor.detach().cpu().numpy().copy()


def _parameters(model):
    """Names, count, shapes, kinds and values of the registered parameters / 已注册参数的名称、个数、形状、类型与数值"""
    import torch

    named = list(model.named_parameters())
    return {
        "names": [name for name, _ in named],
        "count": len(list(model.parameters())),
        "shapes": [list(p.shape) for _, p in named],
        "all_parameters": all(isinstance(p, torch.nn.Parameter) for _, p in named),
        "values": [_array(p) for _, p in named],
    }


def _set(model, names, values):
    """Set the parameters called ``names`` to ``values`` / 把名为 names 的参数设为 values"""
    import torch

    with torch.no_grad():
        for name, value in zip(names, values, strict=True):
            parameter = getattr(model, name)
            parameter.copy_(torch.tensor(float(value), dtype=parameter.dtype))


def _gradients(model, names):
    """The gradient of each named parameter, 0 where backward() left None / 各参数的梯度，None 记为 0"""
    seen = []
    for name in names:
        grad = getattr(model, name).grad
        seen.append(0.0 if grad is None else float(grad.detach().double().sum()))
    return seen


def inputs_ex08_polynomial(rng):
    size = int(rng.integers(4, 20))
    return {
        "seed": int(rng.integers(0, 2**31)),
        "values": rng.normal(size=4),
        "x": rng.uniform(-2.0, 2.0, size=size),
        "upstream": rng.normal(size=size),
    }


def observe_ex08_polynomial(ns, seed, values, x, upstream):
    import torch

    torch.manual_seed(seed)
    model = ns["Polynomial3"]()
    seen = {"module": isinstance(model, torch.nn.Module), "start": _parameters(model)}
    names = ["a", "b", "c", "d"]
    _set(model, names, values)
    y32 = model(torch.tensor(x, dtype=torch.float32))
    (y32 * torch.tensor(upstream, dtype=torch.float32)).sum().backward()
    seen["float32"] = {"value": _array(y32), "gradients": _gradients(model, names)}
    seen["string"] = model.string()
    model.zero_grad()
    model.double()
    y64 = model(torch.tensor(x, dtype=torch.float64))
    (y64 * torch.tensor(upstream, dtype=torch.float64)).sum().backward()
    seen["float64"] = {"value": _array(y64), "gradients": _gradients(model, names)}
    return seen


def inputs_ex08_dynamic_net(rng):
    size = int(rng.integers(4, 20))
    return {
        "seed": int(rng.integers(0, 2**31)),
        "values": rng.normal(size=5),
        "x": rng.uniform(-1.5, 1.5, size=size),
        "upstream": rng.normal(size=size),
        "extras": [int(n) for n in rng.permutation([0, 1, 2, 3, int(rng.integers(4, 7))])],
    }


def observe_ex08_dynamic_net(ns, seed, values, x, upstream, extras):
    import random

    import torch

    torch.manual_seed(seed)
    model = ns["DynamicNet"]()
    seen = {"module": isinstance(model, torch.nn.Module), "start": _parameters(model)}
    names = ["a", "b", "c", "d", "e"]
    _set(model, names, values)
    seen["string"] = model.string()
    model.double()
    x64, upstream64 = torch.tensor(x, dtype=torch.float64), torch.tensor(upstream, dtype=torch.float64)
    state = random.getstate()
    calls = []
    for extra in extras:
        model.zero_grad()
        y = model(x64, extra)
        (y * upstream64).sum().backward()
        # e.grad collects every term e appears in / e.grad 收集 e 出现的每一项
        calls.append({"extra": extra, "value": _array(y), "gradients": _gradients(model, names)})
    seen["calls"] = calls
    # extra comes from the caller; forward draws nothing / extra 由调用者给出，forward 自己不抽取
    seen["random_untouched"] = random.getstate() == state
    return seen


def inputs_ex08_fix_training_loop(rng):
    size = int(rng.integers(10, 30))
    x = rng.uniform(-1.5, 1.5, size=size)
    return {
        "x": x,
        "y": np.sin(x) + 0.1 * rng.normal(size=size),
        "values": rng.normal(size=4) * 0.5,
        "shared": rng.normal(size=2) * 0.5,
        "lr": float(rng.uniform(1e-3, 3e-3)),
        "steps": int(rng.integers(4, 10)),
    }


def observe_ex08_fix_training_loop(ns, x, y, values, shared, lr, steps):
    import torch
    from torch import nn

    class Cubic(nn.Module):
        """a + b·x + c·x² + d·x³ / 三次多项式"""

        def __init__(self):
            super().__init__()
            self.a, self.b, self.c, self.d = (nn.Parameter(torch.zeros((), dtype=torch.float64)) for _ in range(4))

        def forward(self, x):
            return self.a + self.b * x + self.c * x**2 + self.d * x**3

    class Shared(nn.Module):
        """a + e·x + e·x³: one parameter used twice / 同一个参数用了两次"""

        def __init__(self):
            super().__init__()
            self.a, self.e = (nn.Parameter(torch.zeros((), dtype=torch.float64)) for _ in range(2))

        def forward(self, x):
            return self.a + self.e * x + self.e * x**3

    train_fixed = ns["train_fixed"]
    xt, yt = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    seen = {}
    for label, model, names, start in (
        ("cubic", Cubic(), ["a", "b", "c", "d"], values),
        ("shared", Shared(), ["a", "e"], shared),
    ):
        _set(model, names, start)
        before = list(model.parameters())
        losses = train_fixed(model, xt, yt, lr, steps)
        after = list(model.parameters())
        seen[label] = {
            "losses": [float(v) for v in losses],
            "python_floats": all(type(v) is float for v in losses),
            "same_parameters": len(after) == len(before) and all(p is q for p, q in zip(before, after, strict=False)),
            "leaves": all(p.is_leaf and p.requires_grad for p in after),
            "parameters": [float(p.detach()) for p in after],
        }
    return seen
