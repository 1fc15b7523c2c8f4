"""Answers to lesson 05's exercises that the graders must reject (WRONG) or accept (RIGHT).
第 05 课练习中评分测试必须拒绝（WRONG）或接受（RIGHT）的答案。"""


def _legendre(forward: str, backward: str) -> str:
    return (
        "class LegendrePolynomial3(torch.autograd.Function):\n"
        "    @staticmethod\n    def forward(ctx, input):\n" + forward
        + "    @staticmethod\n    def backward(ctx, grad_output):\n" + backward
    )


_SAVE = "        ctx.save_for_backward(input)\n        return 0.5 * (5 * input**3 - 3 * input)\n"
_LOAD = "        (input,) = ctx.saved_tensors\n"


def _fit(body: str, signature: str = "w0=(0.0, -1.0, 0.0, 0.3), lr=5e-6, steps=2000") -> str:
    return (
        f"def fit_legendre(x, y, {signature}):\n"
        "    w = torch.as_tensor(w0, dtype=x.dtype).to(x.device).detach().clone().requires_grad_(True)\n"
        "    losses = []\n    for _ in range(steps):\n" + body + "    return w.detach(), losses\n"
    )


_STEP = (
    "        y_pred = w[0] + w[1] * LegendrePolynomial3.apply(w[2] + w[3] * x)\n"
    "        loss = (y_pred - y).pow(2).sum()\n        losses.append(loss.item())\n        loss.backward()\n"
    "        with torch.no_grad():\n            w -= lr * w.grad\n        w.grad = None\n"
)


def _exp(forward: str, backward: str) -> str:
    return (
        "class ExpFunction(torch.autograd.Function):\n"
        "    @staticmethod\n    def forward(ctx, input):\n" + forward
        + "    @staticmethod\n    def backward(ctx, grad_output):\n" + backward
    )


def _softplus(forward: str, backward: str) -> str:
    return (
        "class SoftplusFunction(torch.autograd.Function):\n"
        "    @staticmethod\n    def forward(ctx, input):\n" + forward
        + "    @staticmethod\n    def backward(ctx, grad_output):\n" + backward
    )


# Forwards and backwards to combine / 可组合的 forward 与 backward
_STABLE = (
    "        ctx.save_for_backward(input)\n"
    "        return input.clamp(min=0) + torch.log1p(torch.exp(-input.abs()))\n"
)
_SIGMOID = "        (input,) = ctx.saved_tensors\n        return grad_output * torch.sigmoid(input)\n"


def _mul(forward: str, backward: str) -> str:
    return (
        "class MulFunction(torch.autograd.Function):\n"
        "    @staticmethod\n    def forward(ctx, a, b):\n" + forward
        + "    @staticmethod\n    def backward(ctx, grad_output):\n" + backward
    )


_SAVE_AB = "        ctx.save_for_backward(a, b)\n        return a * b\n"
_LOAD_AB = "        a, b = ctx.saved_tensors\n"
_NEEDS = (
    "        grad_a = grad_output * b if ctx.needs_input_grad[0] else None\n"
    "        grad_b = grad_output * a if ctx.needs_input_grad[1] else None\n"
    "        return grad_a, grad_b\n"
)


WRONG = {
    "ex05_legendre": {
        "no_chain_rule_factor": _legendre(_SAVE, _LOAD + "        return 1.5 * (5 * input**2 - 1)\n"),
        "wrong_derivative": _legendre(_SAVE, _LOAD + "        return grad_output * 1.5 * (5 * input**2 - 3)\n"),
        "forgot_factor_5": _legendre(_SAVE, _LOAD + "        return grad_output * 1.5 * (input**2 - 1)\n"),
        "wrong_forward": _legendre(
            "        ctx.save_for_backward(input)\n        return 0.5 * (5 * input**3 - 3 * input**2)\n",
            _LOAD + "        return grad_output * 1.5 * (5 * input**2 - 1)\n",
        ),
        "stores_on_ctx": _legendre(
            "        ctx.input = input\n        return 0.5 * (5 * input**3 - 3 * input)\n",
            "        return grad_output * 1.5 * (5 * ctx.input**2 - 1)\n",
        ),
        "sign_flipped": _legendre(_SAVE, _LOAD + "        return -grad_output * 1.5 * (5 * input**2 - 1)\n"),
    },
    "ex05_fit_legendre": {
        "analytic_polynomial": _fit(_STEP.replace(
            "LegendrePolynomial3.apply(w[2] + w[3] * x)", "0.5 * (5 * (w[2] + w[3] * x) ** 3 - 3 * (w[2] + w[3] * x))"
        )),
        "no_gradient_reset": _fit(_STEP.replace("        w.grad = None\n", "")),
        "wrong_default_start": _fit(_STEP, "w0=(0.0, 1.0, 0.0, 0.3), lr=5e-6, steps=2000"),
        "wrong_default_lr": _fit(_STEP, "w0=(0.0, -1.0, 0.0, 0.3), lr=1e-6, steps=2000"),
        "loss_after_update": _fit(_STEP.replace("        losses.append(loss.item())\n", "").replace(
            "        w.grad = None\n",
            "        w.grad = None\n        with torch.no_grad():\n"
            "            losses.append((w[0] + w[1] * LegendrePolynomial3.apply(w[2] + w[3] * x) - y).pow(2).sum().item())\n",
        )),
        "not_detached": _fit(_STEP).replace("    return w.detach(), losses\n", "    return w, losses\n"),
    },
    "ex05_exp": {
        "saves_input_recomputes": _exp(
            "        ctx.save_for_backward(input)\n        return input.exp()\n",
            "        (input,) = ctx.saved_tensors\n        return grad_output * input.exp()\n",
        ),
        "saves_a_copy": _exp(
            "        result = input.exp()\n        ctx.save_for_backward(result.clone())\n        return result\n",
            "        (result,) = ctx.saved_tensors\n        return grad_output * result\n",
        ),
        "no_chain_rule_factor": _exp(
            "        result = input.exp()\n        ctx.save_for_backward(result)\n        return result\n",
            "        (result,) = ctx.saved_tensors\n        return result\n",
        ),
        "returns_grad_output": _exp(
            "        result = input.exp()\n        ctx.save_for_backward(result)\n        return result\n",
            "        return grad_output\n",
        ),
        "saves_both": _exp(
            "        result = input.exp()\n        ctx.save_for_backward(input, result)\n        return result\n",
            "        input, result = ctx.saved_tensors\n        return grad_output * result\n",
        ),
        "output_on_ctx_attribute": _exp(
            "        result = input.exp()\n        ctx.result = result\n        return result\n",
            "        return grad_output * ctx.result\n",
        ),
        "exp_of_saved_output": _exp(
            "        result = input.exp()\n        ctx.save_for_backward(result)\n        return result\n",
            "        (result,) = ctx.saved_tensors\n        return grad_output * result.exp()\n",
        ),
    },
    "ex05_softplus": {
        # log(1 + e^x) as it reads: inf at x = 1000, and 0 instead of 3.72e-44 at x = -100
        "naive_log_one_plus_exp": _softplus(
            "        ctx.save_for_backward(input)\n        return torch.log(1 + torch.exp(input))\n", _SIGMOID
        ),
        # log1p alone does not stop exp from overflowing / 只用 log1p 挡不住 exp 溢出
        "log1p_of_exp": _softplus(
            "        ctx.save_for_backward(input)\n        return torch.log1p(torch.exp(input))\n", _SIGMOID
        ),
        # Stable rearrangement, but log(1 + tiny) = 0: softplus(-100) comes out 0 in float64
        "stable_but_log_not_log1p": _softplus(
            "        ctx.save_for_backward(input)\n"
            "        return input.clamp(min=0) + torch.log(1 + torch.exp(-input.abs()))\n",
            _SIGMOID,
        ),
        # A threshold for large x, the naive formula elsewhere: 0 at x = -100
        "threshold_only_for_large_x": _softplus(
            "        ctx.save_for_backward(input)\n"
            "        return torch.where(input > 20, input, torch.log(1 + torch.exp(input)))\n",
            _SIGMOID,
        ),
        "no_chain_rule_factor": _softplus(_STABLE, "        (input,) = ctx.saved_tensors\n        return torch.sigmoid(input)\n"),
        # e^x / (1 + e^x): inf / inf = nan at x = 1000 (and already at 100 in float32)
        "derivative_inf_over_inf": _softplus(
            _STABLE,
            "        (input,) = ctx.saved_tensors\n"
            "        return grad_output * torch.exp(input) / (1 + torch.exp(input))\n",
        ),
        # The derivative of log(u) taken as 1/u, forgetting u' = e^x: σ(-x) instead of σ(x)
        "forgot_inner_derivative": _softplus(
            "        ctx.save_for_backward(input)\n        return torch.nn.functional.softplus(input)\n",
            "        (input,) = ctx.saved_tensors\n        return grad_output / (1 + torch.exp(input))\n",
        ),
        # The derivative of the sigmoid, σ(x)(1 - σ(x)), one derivative too far
        "second_derivative": _softplus(
            _STABLE,
            "        (input,) = ctx.saved_tensors\n        s = torch.sigmoid(input)\n        return grad_output * s * (1 - s)\n",
        ),
        "one_minus_sigmoid": _softplus(
            _STABLE, "        (input,) = ctx.saved_tensors\n        return grad_output * (1 - torch.sigmoid(input))\n"
        ),
        # Saves the output, then takes the sigmoid of the output instead of the input
        "sigmoid_of_output": _softplus(
            "        result = input.clamp(min=0) + torch.log1p(torch.exp(-input.abs()))\n"
            "        ctx.save_for_backward(result)\n        return result\n",
            "        (result,) = ctx.saved_tensors\n        return grad_output * torch.sigmoid(result)\n",
        ),
        # σ(x) = 1 - e^(-y) from the output y, by subtraction: 0 instead of 3.72e-44 at x = -100
        "one_minus_exp_of_output": _softplus(
            "        result = torch.nn.functional.softplus(input)\n"
            "        ctx.save_for_backward(result)\n        return result\n",
            "        (result,) = ctx.saved_tensors\n        return grad_output * (1 - torch.exp(-result))\n",
        ),
        # Right values and gradients, but clamp_ changes the caller's x
        "modifies_input_in_place": _softplus(
            "        result = torch.log1p(torch.exp(-input.abs())) + input.clamp_(min=0)\n"
            "        ctx.save_for_backward(result)\n        return result\n",
            "        (result,) = ctx.saved_tensors\n        return grad_output * -torch.expm1(-result)\n",
        ),
    },
    "ex05_mul": {
        "returns_one_gradient": _mul(_SAVE_AB, _LOAD_AB + "        return grad_output * b\n"),
        "swapped_gradients": _mul(_SAVE_AB, _LOAD_AB + "        return grad_output * a, grad_output * b\n"),
        "no_chain_rule_factor": _mul(_SAVE_AB, _LOAD_AB + "        return b, a\n"),
        # Ignores ctx.needs_input_grad: a tensor where None is expected
        "always_both_gradients": _mul(_SAVE_AB, _LOAD_AB + "        return grad_output * b, grad_output * a\n"),
        "zeros_instead_of_none": _mul(
            _SAVE_AB,
            _LOAD_AB
            + "        grad_a = grad_output * b if ctx.needs_input_grad[0] else torch.zeros_like(a)\n"
            "        grad_b = grad_output * a if ctx.needs_input_grad[1] else torch.zeros_like(b)\n"
            "        return grad_a, grad_b\n",
        ),
        "needs_input_grad_swapped": _mul(
            _SAVE_AB,
            _LOAD_AB
            + "        grad_a = grad_output * b if ctx.needs_input_grad[1] else None\n"
            "        grad_b = grad_output * a if ctx.needs_input_grad[0] else None\n"
            "        return grad_a, grad_b\n",
        ),
        # Works, but no version counter protects a and b, and saved_tensors is empty
        "stores_on_ctx": _mul(
            "        ctx.a, ctx.b = a, b\n        return a * b\n",
            "        a, b = ctx.a, ctx.b\n" + _NEEDS,
        ),
        # Copies double the memory and escape the version counter
        "saves_copies": _mul("        ctx.save_for_backward(a.clone(), b.clone())\n        return a * b\n", _LOAD_AB + _NEEDS),
        "multiplies_in_place": _mul("        ctx.save_for_backward(a, b)\n        return a.mul_(b)\n", _LOAD_AB + _NEEDS),
        "matrix_product": _mul("        ctx.save_for_backward(a, b)\n        return a @ b.T\n", _LOAD_AB + _NEEDS),
    },
}

RIGHT = {
    "ex05_legendre": {
        "expanded_derivative": _legendre(_SAVE, _LOAD + "        return grad_output * (7.5 * input * input - 1.5)\n"),
        "saves_the_square": _legendre(
            "        ctx.save_for_backward(input * input)\n        return 0.5 * (5 * input**3 - 3 * input)\n",
            "        (square,) = ctx.saved_tensors\n        return grad_output * 1.5 * (5 * square - 1)\n",
        ),
    },
    "ex05_fit_legendre": {
        "separate_parameters": (
            "def fit_legendre(x, y, w0=(0.0, -1.0, 0.0, 0.3), lr=5e-6, steps=2000):\n"
            "    params = [torch.tensor(float(v), dtype=x.dtype, device=x.device, requires_grad=True) for v in w0]\n"
            "    losses = []\n    for _ in range(steps):\n        a, b, c, d = params\n"
            "        loss = (a + b * LegendrePolynomial3.apply(c + d * x) - y).pow(2).sum()\n"
            "        losses.append(loss.item())\n        loss.backward()\n        with torch.no_grad():\n"
            "            for p in params:\n                p -= lr * p.grad\n                p.grad = None\n"
            "    return torch.stack([p.detach() for p in params]), losses\n"
        ),
    },
    "ex05_exp": {
        "torch_exp_function": _exp(
            "        result = torch.exp(input)\n        ctx.save_for_backward(result)\n        return result\n",
            "        (result,) = ctx.saved_tensors\n        return result * grad_output\n",
        ),
        "in_place_exp_of_a_clone": _exp(
            "        result = input.clone().exp_()\n        ctx.save_for_backward(result)\n        return result\n",
            "        (result,) = ctx.saved_tensors\n        return torch.mul(grad_output, result)\n",
        ),
    },
    "ex05_softplus": {
        "builtin_forward_naive_sigmoid": _softplus(
            "        ctx.save_for_backward(input)\n        return torch.nn.functional.softplus(input)\n",
            # 1 / (1 + e^(-x)) is stable: at x = -1000, 1 / (1 + inf) = 0 / 在 x = -1000 处 1 / (1 + inf) = 0
            "        (input,) = ctx.saved_tensors\n        return grad_output / (1 + torch.exp(-input))\n",
        ),
        "logaddexp_saves_output": _softplus(
            "        result = torch.logaddexp(input, torch.zeros_like(input))\n"
            "        ctx.save_for_backward(result)\n        return result\n",
            # σ(x) = 1 - e^(-y), without cancellation / 无相消误差
            "        (result,) = ctx.saved_tensors\n        return -grad_output * torch.expm1(-result)\n",
        ),
        "where_branches": _softplus(
            "        ctx.save_for_backward(input)\n"
            "        return torch.where(input > 0, input + torch.log1p(torch.exp(-input)), torch.log1p(torch.exp(input)))\n",
            "        (input,) = ctx.saved_tensors\n"
            "        e = torch.exp(-input.abs())\n"
            "        return grad_output * torch.where(input >= 0, 1 / (1 + e), e / (1 + e))\n",
        ),
    },
    "ex05_mul": {
        "docs_pattern": _mul(
            _SAVE_AB,
            _LOAD_AB
            + "        grad_a = grad_b = None\n"
            "        if ctx.needs_input_grad[0]:\n            grad_a = grad_output.mul(b)\n"
            "        if ctx.needs_input_grad[1]:\n            grad_b = torch.mul(a, grad_output)\n"
            "        return grad_a, grad_b\n",
        ),
        "unpacked_flags": _mul(
            "        ctx.save_for_backward(a, b)\n        return torch.mul(a, b)\n",
            "        need_a, need_b = ctx.needs_input_grad\n        a, b = ctx.saved_tensors\n"
            "        return (b * grad_output if need_a else None), (a * grad_output if need_b else None)\n",
        ),
        # Keeps only what the needed gradients use: b for a's gradient, a for b's
        "saves_only_what_is_needed": _mul(
            "        need_a, need_b = ctx.needs_input_grad\n"
            "        ctx.save_for_backward(b if need_a else None, a if need_b else None)\n        return a * b\n",
            "        b, a = ctx.saved_tensors\n"
            "        return (grad_output * b if b is not None else None), (grad_output * a if a is not None else None)\n",
        ),
    },
}
