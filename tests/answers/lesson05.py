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
    },
}

RIGHT = {
    "ex05_legendre": {
        "expanded_derivative": _legendre(_SAVE, _LOAD + "        return grad_output * (7.5 * input * input - 1.5)\n"),
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
    },
}
