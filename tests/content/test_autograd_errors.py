"""outcome_of() tells the five outcomes of lesson 04 apart, from what torch really does.
outcome_of() 按 torch 的实际行为区分第 04 课的五种结果。"""

import pytest

from helpers.autograd_errors import OUTCOMES, outcome_of

LEAF = "a = torch.tensor([1.0, 2.0], requires_grad=True)\n"
CASES = {
    "ok": LEAF + "(a * a).sum().backward()",
    "inplace_version": LEAF + "b = a.exp()\nb.add_(1)\nb.sum().backward()",
    "leaf_inplace": LEAF + "a[0] = 5.0",
    "not_leaf": "w = torch.ones(2, requires_grad=True)\na = torch.zeros(2)\na.copy_(w)\na.sum().backward()",
    "graph_interior": (
        "w = torch.ones(2, requires_grad=True)\n" + LEAF + "y = (a * 2).sum()\na.requires_grad_(False)\na.copy_(w)\ny.backward()"
    ),
}


def test_every_outcome_has_a_case():
    """The cases below cover every outcome the lesson offers / 下面的例子覆盖课程给出的每种结果"""
    assert sorted(CASES) == sorted(OUTCOMES)


@pytest.mark.parametrize("outcome", list(CASES))
def test_outcome(outcome):
    """Each snippet gets the outcome torch 2.13 gives it / 每个片段得到 torch 2.13 实际给出的结果"""
    assert outcome_of(CASES[outcome]) == outcome


@pytest.mark.parametrize(
    "source",
    ["raise RuntimeError('something else')", "x = 1", LEAF, "a = torch.ones(2)\nb = a * 2"],
    ids=["other-error", "no-tensor-a", "leaf-without-grad", "never-backward"],
)
def test_a_broken_snippet_is_a_value_error(source):
    """A snippet that fails otherwise, or proves nothing, is refused with a message / 有其他问题的片段被拒绝并说明原因"""
    with pytest.raises(ValueError, match=" / "):
        outcome_of(source)
