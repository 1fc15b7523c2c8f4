"""What `course grade` asks lesson 07's answers on inputs drawn at grading time (see course.grading.judging).
`course grade` 在评阅时抽取的输入上向第 07 课的答案提出的问题（见 course.grading.judging）。

``inputs_<grade_id>(rng)`` runs in the grader; ``observe_<grade_id>(ns, **inputs)`` runs in the
learner's kernel and in the reference kernel, ``ns`` being the notebook's globals, and returns plain
data. Observe what the tests check: the parameters after each step (the trajectory), with and without
momentum and for other optimizers, ``.grad`` after ``zero_grad``, inputs left unchanged, the types
returned, how often the optimizer is built. Small random problems and few steps keep each one cheap.
"""

import numpy as np

TOLERANCES = {
    # float64 trajectories, float32 ones where the tests use float32 / float64 轨迹，测试使用 float32 处亦同
    "ex07_sgd": (1e-5, 1e-7),
    "ex07_rmsprop_update": (1e-5, 1e-7),
    "ex07_fit_optim": (1e-8, 1e-10),
}
# Written by hand: no code of torch.optim runs while they are observed (helpers.calls) / 手写：被观察时不运行 torch.optim 的任何代码
FORBIDDEN = {"ex07_sgd": ("torch.optim",), "ex07_rmsprop_update": ("torch.optim",)}


def _array(tensor):
    """A copy of a tensor as a numpy array, dtype kept / 张量的 numpy 副本，保持 dtype"""
    return tensor.detach().cpu().numpy().copy()


def _problem(features, targets, w0, b0, dtype):
    """A least-squares problem: its parameters and a function giving its loss / 最小二乘问题：参数与损失函数"""
    import torch

    a = torch.tensor(features, dtype=dtype)
    t = torch.tensor(targets, dtype=dtype)
    w = torch.tensor(w0, dtype=dtype, requires_grad=True)
    b = torch.tensor(b0, dtype=dtype, requires_grad=True)
    return w, b, lambda: ((a @ w + b - t) ** 2).sum()


def inputs_ex07_sgd(rng):
    size, width = int(rng.integers(8, 20)), int(rng.integers(2, 5))
    return {
        "features": rng.normal(size=(size, width)),
        "targets": rng.normal(size=size),
        "w0": rng.normal(size=width),
        "b0": float(rng.normal()),
        "lr": float(rng.uniform(0.002, 0.01)),
        "momentum": float(rng.uniform(0.5, 0.95)),
        "steps": int(rng.integers(10, 30)),
    }


def observe_ex07_sgd(ns, features, targets, w0, b0, lr, momentum, steps):
    import torch

    sgd = ns["SGD"]
    seen = {}
    for dtype in (torch.float64, torch.float32):
        for mu in (0.0, momentum):
            w, b, loss = _problem(features, targets, w0, b0, dtype)
            frozen = torch.ones(2, dtype=dtype, requires_grad=True)  # never gets a gradient / 从不得到梯度
            # The parameters as a generator / 参数以生成器传入
            optimizer = sgd((q for q in (w, b, frozen)), lr=lr, momentum=mu)
            path, grads_none = [], []
            for _ in range(steps):
                optimizer.zero_grad()
                grads_none.append([q.grad is None for q in (w, b, frozen)])
                loss().backward()
                optimizer.step()
                path.append(np.concatenate([_array(w), _array(b).reshape(1)]))
            # zero_grad then step: nothing moves / zero_grad 后 step：没有参数移动
            optimizer.zero_grad()
            optimizer.step()
            seen[f"{dtype} momentum {mu:.3f}"] = {
                "path": np.stack(path),
                "after_zero_grad_step": np.concatenate([_array(w), _array(b).reshape(1)]),
                "frozen": _array(frozen),
                "grads_none": grads_none,
                "leaves": [bool(q.is_leaf and q.requires_grad) for q in (w, b)],
            }
    return seen


def inputs_ex07_rmsprop_update(rng):
    shape = [int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 3)))]
    steps = int(rng.integers(3, 8))
    scales = 10.0 ** rng.integers(-3, 2, size=steps)
    return {
        "start": rng.normal(size=shape),
        "grads": [rng.normal(size=shape) * s for s in scales],
        "lr": float(rng.uniform(1e-3, 5e-2)),
        "alpha": float(rng.uniform(0.5, 0.99)),
        "eps": float(10.0 ** rng.uniform(-3, -0.5)),
    }


def observe_ex07_rmsprop_update(ns, start, grads, lr, alpha, eps):
    import torch

    update = ns["rmsprop_update"]
    seen = {}
    for dtype in (torch.float64, torch.float32):
        for label, options in (("given", {"alpha": alpha, "eps": eps}), ("defaults", {})):
            param = torch.tensor(start, dtype=dtype)
            square_avg = torch.zeros_like(param)
            steps, unchanged, types = [], [], []
            for g in grads:
                grad = torch.tensor(g, dtype=dtype)
                copies = [t.clone() for t in (param, grad, square_avg)]
                result = update(param, grad, square_avg, lr, **options)
                types.append([type(result).__name__, len(result) if isinstance(result, tuple) else -1]
                             + [type(r).__name__ for r in (result if isinstance(result, tuple) else ())])
                unchanged.append([bool(torch.equal(c, t)) for c, t in zip(copies, (param, grad, square_avg), strict=True)])
                param, square_avg = result
                steps.append({"param": _array(param), "square_avg": _array(square_avg)})
            seen[f"{dtype} {label}"] = {"steps": steps, "inputs_unchanged": unchanged, "types": types}
    return seen


def inputs_ex07_fit_optim(rng):
    size, width = int(rng.integers(10, 40)), int(rng.integers(2, 5))
    return {
        "features": rng.normal(size=(size, width)),
        "targets": rng.normal(size=size),
        "weight": rng.normal(size=(1, width)) * 0.5,
        "bias": rng.normal(size=1) * 0.5,
        "lr": float(rng.uniform(0.002, 0.01)),
        "momentum": float(rng.uniform(0.5, 0.95)),
        "steps": int(rng.integers(3, 12)),
    }


def observe_ex07_fit_optim(ns, features, targets, weight, bias, lr, momentum, steps):
    import torch
    from torch import nn

    fit = ns["fit_with_optimizer"]
    xx, y = torch.tensor(features), torch.tensor(targets)
    makers = {
        "SGD": lambda params: torch.optim.SGD(params, lr=lr),
        "SGD momentum": lambda params: torch.optim.SGD(params, lr=lr, momentum=momentum),
        "RMSprop": lambda params: torch.optim.RMSprop(params, lr=lr),
    }
    seen = {}
    for name, make in makers.items():
        model = nn.Sequential(nn.Linear(len(weight[0]), 1), nn.Flatten(0, 1)).double()
        with torch.no_grad():
            model[0].weight.copy_(torch.tensor(weight))
            model[0].bias.copy_(torch.tensor(bias))
        built = []

        def counted(params, make=make, built=built):
            built.append(1)
            return make(params)

        losses = fit(model, counted, xx, y, steps)
        seen[name] = {
            "type": type(losses).__name__,
            "python_floats": [type(v) is float for v in losses],
            "losses": [float(v) for v in losses],
            "built": len(built),
            "weight": _array(model[0].weight),
            "bias": _array(model[0].bias),
        }
    no_steps = fit(nn.Sequential(nn.Linear(len(weight[0]), 1), nn.Flatten(0, 1)).double(), makers["SGD"], xx, y, 0)
    seen["no_steps"] = [type(no_steps).__name__, len(no_steps)]
    return seen
