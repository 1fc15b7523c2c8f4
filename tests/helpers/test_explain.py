"""helpers.explain adds a bilingual explanation under autograd errors, and changes nothing else.
helpers.explain 在自动求导报错下方添加双语解释，其他一切保持不变。"""

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader.utils import determine_grade

from helpers.explain import explanation

SNIPPETS = {
    "inplace_version": "a = torch.tensor([1., 2., 3.], requires_grad=True)\nb = a.exp()\nb.add_(1)\nb.sum().backward()",
    "saved_input_changed": "a = torch.tensor([1., 2.], requires_grad=True)\nb = a * 2\nc = b.sin()\nb.add_(1)\nc.sum().backward()",
    "saved_input_set_by_index": "a = torch.tensor([1., 2.], requires_grad=True)\nb = a * 2\nc = b.sin()\nb[0] = 5.\nc.sum().backward()",
    "saved_leaf_changed": (
        "a = torch.tensor([1., 2.], requires_grad=True)\nloss = (a ** 2).sum()\nwith torch.no_grad():\n    a.mul_(0.5)\n"
        "loss.backward()"
    ),
    "graph_interior": (
        "w = torch.ones(3, requires_grad=True)\na = torch.zeros(3, requires_grad=True)\ny = (a * 2).sum()\n"
        "a.requires_grad_(False)\na.copy_(w * 2)\ny.backward()"
    ),
    "leaf_inplace": "a = torch.tensor([1., 2.], requires_grad=True)\na.add_(1.)",
    "leaf_view": "a = torch.tensor([1., 2.], requires_grad=True)\na[0] = 5.",
    "backward_twice": "a = torch.tensor([1., 2.], requires_grad=True)\ny = (a * a).sum()\ny.backward()\ny.backward()",
    "no_grad_fn": "torch.tensor([1., 2.]).sum().backward()",
    "other_runtime_error": "raise RuntimeError('not about autograd')",
    "value_error": "raise ValueError('not a RuntimeError')",
}
EXPECTED = {
    "inplace_version": ('shape [3] that an operation saved', "“output 0 of Exp”"),
    # The message names the in-place Add, not sin, which saved b / 信息指出的是原地的 Add，而不是保存了 b 的 sin
    "saved_input_changed": ('"output 0 of Add": if Add saved its own output', "写入其当前值的运算"),
    # torch names C++ nodes with their namespace; the explainer still applies / torch 给 C++ 节点加命名空间，解释照样适用
    "saved_input_set_by_index": ('"output 0 of CopySlices"', "版本 0 → 1"),
    "saved_leaf_changed": ("names no operation because that tensor has no grad_fn", "没有 grad_fn"),
    "graph_interior": ("was a leaf when a graph used it got a grad_fn afterwards", "计算图内部"),
    "leaf_inplace": ("leaf tensor that requires grad in place", "叶子张量"),
    "leaf_view": ("part of a leaf tensor", "视图"),
    "backward_twice": ("frees the computational graph", "retain_graph=True"),
    "no_grad_fn": ("not connected to anything that requires grad", "requires_grad=True"),
}


def run(snippets: dict[str, str], explain: bool, lang: str = "both") -> dict[str, list]:
    """Outputs of each snippet run in a real kernel / 在真实内核中运行每个片段的输出"""
    setup = "import os, torch\n" + (f"os.environ['COURSE_LANG'] = {lang!r}\nfrom helpers.explain import explain_autograd_errors\nexplain_autograd_errors()" if explain else "")
    cells = [nbformat.v4.new_code_cell(setup)] + [nbformat.v4.new_code_cell(s) for s in snippets.values()]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, allow_errors=True, kernel_name="python3", timeout=120).execute()
    return {label: cell.outputs for label, cell in zip(snippets, nb.cells[1:], strict=True)}


@pytest.fixture(scope="module")
def with_and_without():
    return run(SNIPPETS, explain=True), run(SNIPPETS, explain=False)


def errors(outputs):
    return [(o.ename, o.evalue) for o in outputs if o.output_type == "error"]


def printed(outputs):
    return "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")


@pytest.mark.parametrize("label", list(SNIPPETS))
def test_the_original_error_is_kept(with_and_without, label):
    """Same exception, type and message as without the explainer / 异常、类型与信息都与未启用时相同"""
    explained, plain = with_and_without
    assert errors(explained[label]) == errors(plain[label]) and len(errors(plain[label])) == 1
    tracebacks = [o.traceback for o in explained[label] if o.output_type == "error"]
    assert tracebacks == [o.traceback for o in plain[label] if o.output_type == "error"]


@pytest.mark.parametrize("label", list(EXPECTED))
def test_autograd_errors_get_a_bilingual_fix(with_and_without, label):
    """The explanation names the concrete case and the fix, in both languages / 解释具体情况与修正，使用两种语言"""
    text = printed(with_and_without[0][label])
    english, chinese = EXPECTED[label]
    assert english in text and chinese in text and "Explanation:" in text and "解释：" in text


@pytest.mark.parametrize("label", ["other_runtime_error", "value_error"])
def test_other_exceptions_are_left_alone(with_and_without, label):
    """No explanation for errors it does not know / 对不认识的错误不做解释"""
    assert printed(with_and_without[0][label]) == ""


def test_a_graded_cell_that_raises_still_scores_zero(with_and_without):
    """nbgrader still sees the error / nbgrader 仍能看到错误"""
    cell = nbformat.v4.new_code_cell("")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "points": 2, "grade_id": "t"}
    cell.outputs = with_and_without[0]["inplace_version"]
    assert determine_grade(cell)[0] == 0


def test_course_lang_picks_one_language():
    """COURSE_LANG=en or zh prints one language only / COURSE_LANG=en 或 zh 时只打印一种语言"""
    english = printed(run({"x": SNIPPETS["leaf_inplace"]}, explain=True, lang="en")["x"])
    chinese = printed(run({"x": SNIPPETS["leaf_inplace"]}, explain=True, lang="zh")["x"])
    assert "Explanation:" in english and "解释" not in english
    assert "解释：" in chinese and "Explanation" not in chinese


def test_device_mismatch_is_explained():
    """The CUDA-vs-CPU message torch prints is recognised (no GPU needed) / 无需 GPU 即可识别设备不一致的报错"""
    message = "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!"
    text = explanation(message, "both")
    assert text and "try_gpu()" in text and "设备" in text
    assert explanation("Expected object of scalar type Float but got Double", "both") is None
