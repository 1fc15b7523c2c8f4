"""What `course grade` asks lesson 04's answers on inputs drawn at grading time (see course.grading.judging).
`course grade` 在评阅时抽取的输入上向第 04 课的答案提出的问题（见 course.grading.judging）。

``inputs_<grade_id>(rng)`` runs in the grader; ``observe_<grade_id>(ns, **inputs)`` runs in the
learner's kernel and in the reference kernel, ``ns`` being the notebook's globals, and returns plain
data. Observe what the tests check: values, dtypes, in-place updates, gradients, grad mode.
"""

# float32 cases, and softmax by another stable route (logsumexp) / float32 的情形，以及另一种稳定写法（logsumexp）
TOLERANCES = {"ex04_sgd_step": (1e-6, 1e-9), "ex04_softmax": (1e-5, 1e-6)}
# What an answer must not call while it is observed, by any route (helpers.calls), as the visible test names it
# 被观察时答案不得调用的函数（无论经由什么途径），与可见测试中的名称相同
FORBIDDEN = {
    "ex04_softmax": ("torch.softmax", "torch.Tensor.softmax", "torch.nn.functional.softmax", "torch.special.softmax", "torch._softmax",
                     "torch.log_softmax", "torch.Tensor.log_softmax", "torch.nn.functional.log_softmax", "torch.special.log_softmax"),
}


def _array(tensor):
    """A copy of a tensor as a numpy array, dtype kept / 张量的 numpy 副本，保持 dtype"""
    return tensor.detach().cpu().numpy().copy()


def inputs_ex04_predict_errors(rng):
    return {}


def observe_ex04_predict_errors(ns):
    predictions = ns["predictions"]
    # Sorted: any order of the same labels is right; exact types catch str look-alikes / 排序：标签顺序不限；精确类型可识破伪装的 str
    items = sorted(
        [str(label), type(label) is str, str(outcome), type(outcome) is str]
        for label, outcome in predictions.items()
    )
    return {"dict": type(predictions) is dict, "items": items}


def inputs_ex04_sgd_step(rng):
    count = int(rng.integers(3, 7))
    shapes = [[int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 3)))] for _ in range(count)]
    has_grad = [bool(b) for b in rng.random(count) < 0.6]
    has_grad[0], has_grad[1] = True, False  # at least one of each / 两种情形至少各一个
    return {
        "values": [rng.normal(size=shape) for shape in shapes],
        "grads": [rng.normal(size=shape) for shape in shapes],
        "has_grad": has_grad,
        "float64": [bool(b) for b in rng.random(count) < 0.5],
        "lr": float(rng.uniform(0.01, 0.5)),
    }


def observe_ex04_sgd_step(ns, values, grads, has_grad, float64, lr):
    import torch

    sgd_step_ = ns["sgd_step_"]
    torch.set_grad_enabled(True)
    params = [
        torch.tensor(v, dtype=torch.float64 if f else torch.float32, requires_grad=True)
        for v, f in zip(values, float64, strict=True)
    ]
    for p, g, needed in zip(params, grads, has_grad, strict=True):
        if needed:
            (p * torch.tensor(g, dtype=p.dtype)).sum().backward()  # p.grad = g
    identities = [(id(p), p.untyped_storage().data_ptr()) for p in params]
    try:
        sgd_step_((p for p in params), lr)  # a generator / 生成器
        grad_mode = torch.is_grad_enabled()
    finally:
        torch.set_grad_enabled(True)
    seen = {
        "values": [_array(p) for p in params],
        "grad_is_none": [p.grad is None for p in params],
        "leaf_requires_grad": [p.is_leaf and p.requires_grad for p in params],
        "in_place": [
            (id(p), p.untyped_storage().data_ptr()) == ident
            for p, ident in zip(params, identities, strict=True)
        ],
        "grad_mode_after": grad_mode,
    }
    # The parameters still work in a graph, and a list works too / 参数仍可用于计算图；列表同样可用
    sum((p * p).sum() for p in params).backward()
    seen["grads_after"] = [None if p.grad is None else _array(p.grad) for p in params]
    try:
        sgd_step_(list(params), 0.5 * lr)
    finally:
        torch.set_grad_enabled(True)
    seen["values_list"] = [_array(p) for p in params]
    return seen


def inputs_ex04_softmax(rng):
    shape = [int(n) for n in rng.integers(2, 6, size=int(rng.integers(1, 4)))]
    rows = int(rng.integers(2, 6))
    last = int(rng.integers(2, 7))
    # Extreme rows: every entry far above or far below 0, exp over/underflows / 极端的行：exp 上溢或下溢
    offsets = rng.choice([-1.0, 1.0], size=(rows, 1)) * rng.uniform(750.0, 3000.0, size=(rows, 1))
    return {
        "x": rng.normal(size=shape) * float(rng.uniform(1.0, 20.0)),
        "weights": rng.normal(size=shape),
        "extreme": offsets + rng.normal(size=(rows, last)) * 3.0,
        "extreme_weights": rng.normal(size=(rows, last)),
        "x32": rng.normal(size=(rows, last)) * 2.0,
        "weights32": rng.normal(size=(rows, last)),
    }


def observe_ex04_softmax(ns, x, weights, extreme, extreme_weights, x32, weights32):
    import torch

    softmax = ns["softmax"]
    seen = {}
    for name, values, w, dtype in (
        ("float64", x, weights, torch.float64),
        ("extreme", extreme, extreme_weights, torch.float64),
        ("float32", x32, weights32, torch.float32),
    ):
        leaf = torch.tensor(values, dtype=dtype, requires_grad=True)
        before = leaf.detach().clone()
        result = softmax(leaf)
        case = {"value": _array(result), "requires_grad": bool(result.requires_grad)}
        case["input_unchanged"] = bool(torch.equal(leaf.detach(), before))
        (result * torch.tensor(w, dtype=dtype)).sum().backward()
        case["grad"] = None if leaf.grad is None else _array(leaf.grad)
        seen[name] = case
    return seen
