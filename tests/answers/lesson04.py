"""Answers to lesson 04's exercises that the graders must reject (WRONG) or accept (RIGHT).
第 04 课练习中评分测试必须拒绝（WRONG）或接受（RIGHT）的答案。"""

_TRUTH = {"A": "inplace_version", "B": "inplace_version", "C": "inplace_version", "D": "ok", "E": "inplace_version",
          "F": "graph_interior", "G": "not_leaf", "H": "leaf_inplace", "I": "ok"}


def _predictions(**changes) -> str:
    table = {**_TRUTH, **changes}
    return "predictions = {" + ", ".join(f"{k!r}: {v!r}" for k, v in table.items() if v is not None) + "}\n"


WRONG = {
    "ex04_predict_errors": {
        "all_ok": "predictions = {label: 'ok' for label in SNIPPETS}\n",
        "all_inplace_version": "predictions = {label: 'inplace_version' for label in SNIPPETS}\n",
        "saved_input_thought_safe": _predictions(A="ok"),
        "detach_thought_independent": _predictions(B="ok"),
        "relu_on_saved_output_thought_safe": _predictions(C="ok"),
        "relu_on_product_thought_error": _predictions(D="inplace_version"),
        "update_before_backward_thought_safe": _predictions(E="ok"),
        "graph_interior_thought_gone": _predictions(F="not_leaf"),
        "graph_interior_called_leaf_inplace": _predictions(F="leaf_inplace"),
        "setitem_called_leaf_inplace": _predictions(G="leaf_inplace"),
        "view_of_leaf_thought_allowed": _predictions(H="ok"),
        "clone_thought_shared": _predictions(I="inplace_version"),
        "missing_label": _predictions(I=None),
        "unknown_outcome": _predictions(A="error"),
        "widens_choices": "CHOICES.append('error')\n" + _predictions(A="error"),
        # The answer key is not imported before the reveal / 揭晓之前没有导入答案
        "asks_the_key_from_setup": "predictions = {label: outcome_of(source) for label, source in SNIPPETS.items()}\n",
        "rewrites_snippets": "SNIPPETS = {'A': 'a = torch.ones(1, requires_grad=True)\\na.sum().backward()\\n'}\n"
        "predictions = {'A': 'ok'}\n",
        "spoofed_outcome": (
            "class Anything(str):\n    def __eq__(self, other):\n        return True\n    __hash__ = str.__hash__\n"
            "predictions = {label: Anything('ok') for label in SNIPPETS}\n"
        ),
    },
    "ex04_sgd_step": {
        "rebinds_p": (
            "def sgd_step_(params, lr):\n    for p in params:\n        if p.grad is None:\n            continue\n"
            "        p = p - lr * p.grad\n        p.grad = None\n"
        ),
        "update_outside_no_grad": (
            "def sgd_step_(params, lr):\n    for p in params:\n        if p.grad is not None:\n"
            "            p -= lr * p.grad\n            p.grad = None\n"
        ),
        "forgets_reset": (
            "def sgd_step_(params, lr):\n    with torch.no_grad():\n        for p in params:\n"
            "            if p.grad is not None:\n                p -= lr * p.grad\n"
        ),
        "zero_instead_of_none": (
            "def sgd_step_(params, lr):\n    with torch.no_grad():\n        for p in params:\n"
            "            if p.grad is not None:\n                p -= lr * p.grad\n                p.grad.zero_()\n"
        ),
        "does_not_skip_none": (
            "def sgd_step_(params, lr):\n    with torch.no_grad():\n        for p in params:\n"
            "            p -= lr * p.grad\n            p.grad = None\n"
        ),
        "gradient_ascent": (
            "def sgd_step_(params, lr):\n    with torch.no_grad():\n        for p in params:\n"
            "            if p.grad is not None:\n                p += lr * p.grad\n                p.grad = None\n"
        ),
        "leaves_grad_mode_off": (
            "def sgd_step_(params, lr):\n    torch.set_grad_enabled(False)\n    for p in params:\n"
            "        if p.grad is not None:\n            p -= lr * p.grad\n            p.grad = None\n"
        ),
    },
    "ex04_softmax": {
        "inplace_division": (
            "def softmax(x):\n    e = (x - x.amax(dim=-1, keepdim=True)).exp()\n"
            "    e.div_(e.sum(dim=-1, keepdim=True))\n    return e\n"
        ),
        "unstable": "def softmax(x):\n    e = x.exp()\n    return e / e.sum(dim=-1, keepdim=True)\n",
        "wrong_dim": (
            "def softmax(x):\n    e = (x - x.amax(dim=0, keepdim=True)).exp()\n    return e / e.sum(dim=0, keepdim=True)\n"
        ),
        "modifies_input": (
            "def softmax(x):\n    with torch.no_grad():\n        x -= x.amax(dim=-1, keepdim=True)\n"
            "    e = x.exp()\n    return e / e.sum(dim=-1, keepdim=True)\n"
        ),
        "global_max": "def softmax(x):\n    e = (x - x.max()).exp()\n    return e / e.sum()\n",
        "detached": (
            "def softmax(x):\n    x = x.detach()\n    e = (x - x.amax(dim=-1, keepdim=True)).exp()\n"
            "    return e / e.sum(dim=-1, keepdim=True)\n"
        ),
        # torch's own softmax, by four routes: right values, only the rule rejects them / 四种途径调用 torch 自带的 softmax
        "torch_softmax": "def softmax(x):\n    return torch.softmax(x, dim=-1)\n",
        "functional_saved_reference": "import torch.nn.functional as F\n_softmax = F.softmax\ndef softmax(x):\n    return _softmax(x, dim=-1)\n",
        "log_softmax_exp": "def softmax(x):\n    return x.log_softmax(dim=-1).exp()\n",
        "softmax_module": "def softmax(x):\n    return torch.nn.Softmax(dim=-1)(x)\n",
    },
}

RIGHT = {
    "ex04_predict_errors": {"same_truth_other_order": "predictions = dict(sorted(" + repr(_TRUTH) + ".items(), reverse=True))\n"},
    "ex04_sgd_step": {
        "sub_": (
            "def sgd_step_(params, lr):\n    for p in params:\n        if p.grad is not None:\n"
            "            with torch.no_grad():\n                p.sub_(p.grad, alpha=lr)\n            p.grad = None\n"
        ),
    },
    "ex04_softmax": {
        "logsumexp": "def softmax(x):\n    return (x - torch.logsumexp(x, dim=-1, keepdim=True)).exp()\n",
    },
}
