"""How an executed test cell scores: nbgrader's rule, with torch's own warnings forgiven.
执行后的测试单元格如何计分：nbgrader 的规则，但不计较 torch 自身的警告。"""

import re

import nbformat
import pytest
from lesson_cells import LAYOUT

from course.grading.scoring import TORCH_WARNING, score_notebook
from course.notebook.lesson import Lesson

L03 = "03_autograd"
TORCH_USER_WARNING = (
    "/tmp/ipykernel_1/2.py:4: UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
    "(Triggered internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)\n  return x.grad\n"
)


def executed_lesson(stderr_text: str | None):
    """Lesson 03's source as if every cell ran cleanly, with ``stderr_text`` in each test cell."""
    lesson = Lesson.from_notebook(L03, LAYOUT.source_notebook(L03))
    nb = nbformat.from_dict(lesson.source)
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade") and stderr_text is not None:
            cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text=stderr_text)]
    return lesson, nb


@pytest.mark.parametrize(
    ("stderr_text", "full_marks"),
    [(None, True), (TORCH_USER_WARNING, True), ("something else went wrong\n", False), ("Traceback (most recent call last):\n  x\n", False)],
    ids=["clean", "torch-warning", "other-stderr", "traceback"],
)
def test_stderr_costs_points_unless_it_is_a_torch_warning(stderr_text, full_marks):
    """A torch warning keeps the points; any other stderr loses them, as in nbgrader / torch 警告不扣分，其他 stderr 扣分"""
    lesson, nb = executed_lesson(stderr_text)
    results = score_notebook(lesson, nb, {})
    assert all((r.score == r.max_score) == full_marks for r in results), results


def test_nbgrader_is_told_the_same_pattern():
    """Stock nbgrader's IgnorePattern uses the same torch-warning pattern / nbgrader 的 IgnorePattern 使用同一个模式"""
    config = LAYOUT.nbgrader_config()
    assert config.IgnorePattern.enabled and config.IgnorePattern.pattern == TORCH_WARNING
    assert re.search(config.IgnorePattern.pattern, TORCH_USER_WARNING)
