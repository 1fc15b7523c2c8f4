"""Answers to lesson 06's exercises that the graders must reject (WRONG) or accept (RIGHT).
第 06 课练习中评分测试必须拒绝（WRONG）或接受（RIGHT）的答案。"""


def _features(body: str) -> str:
    return "def polynomial_features(x):\n" + body


def _model(expression: str) -> str:
    return "def make_model():\n    return " + expression + "\n"


def _train(body: str, signature: str = "lr=1e-6, steps=2000") -> str:
    return (
        f"def train_nn(model, xx, y, {signature}):\n"
        "    loss_fn = nn.MSELoss(reduction=\"sum\")\n    losses = []\n    for _ in range(steps):\n"
        + body + "    return losses\n"
    )


_STEP = (
    "        loss = loss_fn(model(xx), y)\n        losses.append(loss.item())\n"
    "        model.zero_grad()\n        loss.backward()\n"
    "        with torch.no_grad():\n            for param in model.parameters():\n"
    "                param -= lr * param.grad\n"
)


def _coefficients(body: str) -> str:
    return "def cubic_coefficients(model):\n" + body


WRONG = {
    "ex06_features": {
        "includes_x0": _features(
            "    p = torch.tensor([0, 1, 2, 3], device=x.device)\n    return x.unsqueeze(-1).pow(p)\n"
        ),
        "transposed": _features(
            "    p = torch.tensor([1, 2, 3], device=x.device)\n    return x.pow(p.unsqueeze(-1))\n"
        ),
        "python_loop_over_points": _features(
            "    return torch.stack([torch.stack([v, v**2, v**3]) for v in x])\n"
        ),
        "loop_over_values": _features(
            "    return torch.tensor([[v, v**2, v**3] for v in x.tolist()])\n"
        ),
        "multiplies_instead_of_powers": _features(
            "    p = torch.tensor([1, 2, 3], device=x.device)\n    return x.unsqueeze(-1) * p\n"
        ),
    },
    "ex06_model": {
        "linear_without_bias": _model("nn.Sequential(nn.Linear(3, 1, bias=False), nn.Flatten(0, 1))"),
        "linear_1_3": _model("nn.Sequential(nn.Linear(1, 3), nn.Flatten(0, 1))"),
        "missing_flatten": _model("nn.Sequential(nn.Linear(3, 1))"),
        "flatten_default_dims": _model("nn.Sequential(nn.Linear(3, 1), nn.Flatten())"),
        "same_model_every_call": (
            "_the_model = nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1))\n\n\n"
            "def make_model():\n    return _the_model\n"
        ),
    },
    "ex06_train": {
        "loss_after_update": _train(
            "        loss = loss_fn(model(xx), y)\n        model.zero_grad()\n        loss.backward()\n"
            "        with torch.no_grad():\n            for param in model.parameters():\n"
            "                param -= lr * param.grad\n            losses.append(loss_fn(model(xx), y).item())\n"
        ),
        "mean_reduction": _train(_STEP).replace('reduction="sum"', 'reduction="mean"'),
        "no_zero_grad": _train(_STEP.replace("        model.zero_grad()\n", "")),
        "zero_grad_after_update": _train(
            _STEP.replace("        model.zero_grad()\n", "") + "        model.zero_grad()\n"
        ),
        "update_outside_no_grad": _train(
            "        loss = loss_fn(model(xx), y)\n        losses.append(loss.item())\n"
            "        model.zero_grad()\n        loss.backward()\n"
            "        for param in model.parameters():\n            param -= lr * param.grad\n"
        ),
        "wrong_default_lr": _train(_STEP, "lr=1e-3, steps=2000"),
        "losses_as_tensors": _train(_STEP.replace("losses.append(loss.item())", "losses.append(loss.detach())")),
        "trains_a_copy": _train(_STEP).replace(
            "    loss_fn = ", "    import copy\n    model = copy.deepcopy(model)\n    loss_fn = "
        ),
    },
    "ex06_coefficients": {
        "weights_reversed": _coefficients(
            "    return torch.cat([model[0].bias, model[0].weight[0].flip(0)]).detach()\n"
        ),
        "missing_bias": _coefficients("    return model[0].weight[0].detach()\n"),
        "not_detached": _coefficients("    return torch.cat([model[0].bias, model[0].weight[0]])\n"),
        "reads_model_1": _coefficients("    return torch.cat([model[1].bias, model[1].weight[0]]).detach()\n"),
        "bias_last": _coefficients("    return torch.cat([model[0].weight[0], model[0].bias]).detach()\n"),
        "through_item_loses_dtype": _coefficients(
            "    layer = model[0]\n"
            "    return torch.tensor([layer.bias.item()] + [layer.weight[0, i].item() for i in range(3)])\n"
        ),
    },
}

RIGHT = {
    "ex06_features": {
        "stack_of_powers": _features("    return torch.stack([x, x**2, x**3], dim=-1)\n"),
        "indexing_and_arange": _features("    return x[:, None] ** torch.arange(1, 4, device=x.device)\n"),
        "cat_of_columns": _features(
            "    column = x.reshape(-1, 1)\n    return torch.cat([column, column * column, column * column * column], dim=1)\n"
        ),
    },
    "ex06_model": {
        "keyword_arguments": _model(
            "torch.nn.Sequential(torch.nn.Linear(in_features=3, out_features=1, bias=True),"
            " torch.nn.Flatten(start_dim=0, end_dim=1))"
        ),
        "named_layers": (
            "from collections import OrderedDict\n\n\n"
            "def make_model():\n"
            "    return nn.Sequential(OrderedDict([(\"linear\", nn.Linear(3, 1)), (\"flatten\", nn.Flatten(0, 1))]))\n"
        ),
    },
    "ex06_train": {
        "functional_loss_and_grad_none": (
            "def train_nn(model, xx, y, lr=1e-6, steps=2000):\n    losses = []\n"
            "    for _ in range(steps):\n"
            "        loss = torch.nn.functional.mse_loss(model(xx), y, reduction=\"sum\")\n"
            "        losses.append(float(loss))\n"
            "        for param in model.parameters():\n            param.grad = None\n"
            "        loss.backward()\n"
            "        with torch.no_grad():\n            for param in model.parameters():\n"
            "                param.sub_(lr * param.grad)\n"
            "    return losses\n"
        ),
        "written_out_loss": _train(_STEP.replace("loss_fn(model(xx), y)", "(model(xx) - y).pow(2).sum()")),
    },
    "ex06_coefficients": {
        "stack_of_scalars": _coefficients(
            "    linear = model[0]\n"
            "    return torch.stack([linear.bias[0], linear.weight[0, 0], linear.weight[0, 1], linear.weight[0, 2]]).detach()\n"
        ),
        "from_the_state_dict": _coefficients(
            "    state = model[0].state_dict()\n    return torch.cat([state[\"bias\"], state[\"weight\"].flatten()])\n"
        ),
    },
}
