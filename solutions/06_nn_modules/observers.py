"""What `course grade` asks lesson 06's answers on inputs drawn at grading time (see course.grading.judging).
`course grade` 在评阅时抽取的输入上向第 06 课的答案提出的问题（见 course.grading.judging）。

``inputs_<grade_id>(rng)`` runs in the grader; ``observe_<grade_id>(ns, **inputs)`` runs in the
learner's kernel and in the reference kernel, ``ns`` being the notebook's globals, and returns plain
data. Observe what the tests check: feature values, dtypes and a graph that does not grow with the
number of points; the model's layers and shapes; the losses and the parameters trained in place;
the coefficients read from the Linear layer, detached.
"""

import inspect

TOLERANCES = {
    # float32 runs beside float64 ones: x³ or a sum written another way differs by a few ulps
    # float32 与 float64 并用：换一种写法的 x³ 或求和会相差几个 ulp
    "ex06_features": (1e-6, 1e-7),
    "ex06_model": (1e-6, 1e-7),
    "ex06_train": (1e-5, 1e-9),
    "ex06_coefficients": (1e-7, 0.0),
}


def _array(tensor):
    """A copy of a tensor as a numpy array, dtype kept / 张量的 numpy 副本，保持 dtype"""
    return tensor.detach().cpu().numpy().copy()


def _graph_size(tensor):
    """The number of nodes autograd recorded behind ``tensor`` / tensor 背后自动求导记录的节点数"""
    seen, stack = set(), [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        stack.extend(next_node for next_node, _ in node.next_functions)
    return len(seen)


def inputs_ex06_features(rng):
    size = int(rng.integers(5, 40))
    return {"x": rng.uniform(-3.0, 3.0, size=size), "upstream": rng.normal(size=(size, 3)), "large": int(rng.integers(50, 120))}


def observe_ex06_features(ns, x, upstream, large):
    import torch

    features, seen = ns["polynomial_features"], {}
    for dtype in (torch.float64, torch.float32):
        leaf = torch.tensor(x, dtype=dtype, requires_grad=True)
        result = features(leaf)
        case = {"dtype": str(result.dtype), "shape": list(result.shape), "value": _array(result)}
        case["requires_grad"] = bool(result.requires_grad)
        if result.requires_grad and result.shape == upstream.shape:
            (result * torch.tensor(upstream, dtype=dtype)).sum().backward()
        case["grad"] = None if leaf.grad is None else _array(leaf.grad)
        case["x_unchanged"] = bool(torch.equal(leaf.detach(), torch.tensor(x, dtype=dtype)))
        seen[str(dtype)] = case
    # No loop over the points: the graph has as many nodes for many points as for few / 不对点循环：点多点少，节点数相同
    small_result = features(torch.linspace(-1.0, 1.0, 3, requires_grad=True))
    large_result = features(torch.linspace(-1.0, 1.0, large, requires_grad=True))
    seen["graph_size_constant"] = _graph_size(small_result) == _graph_size(large_result)
    return seen


def inputs_ex06_model(rng):
    size = int(rng.integers(2, 30))
    return {"xx": rng.normal(size=(size, 3)), "upstream": rng.normal(size=size)}


def observe_ex06_model(ns, xx, upstream):
    import torch
    from torch import nn

    model = ns["make_model"]()
    seen = {"type": type(model).__name__, "sequential": type(model) is nn.Sequential}
    layers = list(model.children())
    seen["layers"] = [type(layer).__name__ for layer in layers]
    if not (seen["sequential"] and len(layers) == 2 and type(layers[0]) is nn.Linear):
        return seen
    linear = layers[0]
    seen["linear"] = [linear.in_features, linear.out_features, linear.bias is not None]
    params = list(model.parameters())
    seen["parameters"] = [[list(p.shape), str(p.dtype), bool(p.requires_grad)] for p in params]
    if linear.bias is None or linear.in_features != 3:
        return seen
    inputs = torch.tensor(xx, dtype=torch.float32)
    output = model(inputs)
    seen["shape"] = list(output.shape)
    seen["one_point_shape"] = list(model(inputs[:1]).shape)
    # The output against the model's own parameters (drawn at random) / 与模型自身（随机初始化的）参数比较
    with torch.no_grad():
        expected = inputs @ linear.weight[0] + linear.bias[0]
    same_shape = tuple(output.shape) == tuple(expected.shape)
    seen["matches_own_parameters"] = same_shape and bool(torch.allclose(output.detach(), expected, rtol=1e-5, atol=1e-6))
    if same_shape:
        (output * torch.tensor(upstream, dtype=torch.float32)).sum().backward()
        seen["weight_grad"] = _array(linear.weight.grad)
        seen["bias_grad"] = _array(linear.bias.grad)
    other = ns["make_model"]()
    seen["new_model"] = other is not model and not (
        {p.data_ptr() for p in other.parameters()} & {p.data_ptr() for p in params}
    )
    return seen


def inputs_ex06_train(rng):
    size = int(rng.integers(40, 120))
    x = rng.uniform(-2.0, 2.0, size=size)
    return {
        "x": x,
        "y": rng.normal(size=size) * 0.1 + x * rng.uniform(0.5, 1.5),
        "w0": rng.normal(size=3) * 0.5,
        "b0": float(rng.normal()),
        "lr": float(rng.uniform(5e-5, 3e-4)),
        "steps": int(rng.integers(20, 50)),
        "stale": float(rng.uniform(1.0, 100.0)),
    }


def _fixed_model(w0, b0, dtype):
    import torch
    from torch import nn

    model = nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1)).to(dtype)
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([list(w0)], dtype=dtype))
        model[0].bias.copy_(torch.tensor([b0], dtype=dtype))
    return model


def observe_ex06_train(ns, x, y, w0, b0, lr, steps, stale):
    import torch

    train = ns["train_nn"]
    seen = {}
    for dtype in (torch.float64, torch.float32):
        xt = torch.tensor(x, dtype=dtype)
        xx, yt = torch.stack([xt, xt**2, xt**3], dim=1), torch.tensor(y, dtype=dtype)
        model = _fixed_model(w0, b0, dtype)
        params = list(model.parameters())
        for param in params:
            param.grad = torch.full_like(param, stale)  # gradients left from earlier / 以前留下的梯度
        losses = train(model, xx, yt, lr=lr, steps=steps)
        seen[str(dtype)] = {
            "losses": [float(v) for v in losses],
            "python_floats": type(losses) is list and all(type(v) is float for v in losses),
            # Trained in place: the same Parameter objects, holding the new values / 原地训练：同样的 Parameter 对象
            "same_parameters": [p is q for p, q in zip(model.parameters(), params, strict=False)],
            "weight": _array(params[0]),
            "bias": _array(params[1]),
        }
    # The default learning rate, on the float64 data / 默认学习率（float64 数据）
    xt = torch.tensor(x)
    xx, yt = torch.stack([xt, xt**2, xt**3], dim=1), torch.tensor(y)
    model = _fixed_model(w0, b0, torch.float64)
    losses = train(model, xx, yt, steps=3)
    seen["default_lr"] = {"losses": [float(v) for v in losses], "weight": _array(model[0].weight)}
    # The default number of steps: read when it is a number, else counted / 默认步数：是数字时直接读取，否则计数
    default = inspect.signature(train).parameters.get("steps")
    default = None if default is None else default.default
    if type(default) is not int:
        default = len(train(_fixed_model(w0, b0, torch.float64), xx[:5], yt[:5]))
    seen["default_steps"] = default
    return seen


def inputs_ex06_coefficients(rng):
    return {"weight": rng.normal(size=3), "bias": float(rng.normal()), "upstream": rng.normal(size=4)}


def observe_ex06_coefficients(ns, weight, bias, upstream):
    import torch

    coefficients, seen = ns["cubic_coefficients"], {}
    for dtype in (torch.float64, torch.float32):
        model = _fixed_model(weight, bias, dtype)
        model(torch.tensor(upstream[:3], dtype=dtype).unsqueeze(0)).sum().backward()  # gradients present / 已有梯度
        result = coefficients(model)
        seen[str(dtype)] = {
            "type": type(result).__name__,
            "dtype": str(result.dtype),
            "value": _array(result),
            "requires_grad": bool(result.requires_grad),
            "grad_fn": result.grad_fn is not None,
            "model_unchanged": bool(
                torch.equal(model[0].weight.detach(), torch.tensor([list(weight)], dtype=dtype))
                and torch.equal(model[0].bias.detach(), torch.tensor([bias], dtype=dtype))
            ),
        }
    return seen
