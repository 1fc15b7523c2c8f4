"""Reading the course's notebooks in tests / 在测试中读取课程的笔记本。

Which cells are answers, tests, set-up and context is decided in course.notebook, the module the
grader uses, and where the notebooks lie in course.layout, so the tests and ``course grade`` cannot
disagree.
"""

from pathlib import Path

import nbformat

from course.layout import CourseLayout
from course.notebook.cells import context_cells, exercise_of, is_answer, is_test, nbgrader_meta, setup_cell

__all__ = [
    "LAYOUT", "NOTEBOOKS", "ROOT", "SOLUTIONS", "answer_cells", "context_cells", "grading_cells", "grading_cells_of",
    "lesson_notebooks", "nbgrader_meta", "read", "setup_cell",
]  # fmt: skip

LAYOUT = CourseLayout.find(Path(__file__).resolve().parent)
ROOT, SOLUTIONS, NOTEBOOKS = LAYOUT.root, LAYOUT.source_dir, LAYOUT.release_dir


def lesson_notebooks(folder: Path) -> list[Path]:
    """``<folder>/<lesson>/<lesson>.ipynb`` for every lesson in ``folder``."""
    return sorted(p for p in folder.glob("*/*.ipynb") if p == LAYOUT.lesson_file(folder, p.parent.name))


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


def answer_cells(nb) -> dict[str, nbformat.NotebookNode]:
    """Graded answer cells by ``grade_id``, in notebook order."""
    return {nbgrader_meta(c)["grade_id"]: c for c in nb.cells if is_answer(c)}


def grading_cells(nb) -> dict[str, nbformat.NotebookNode]:
    """Graded test cells by ``grade_id``, in notebook order."""
    return {nbgrader_meta(c)["grade_id"]: c for c in nb.cells if is_test(c)}


def grading_cells_of(nb, answer_id: str) -> list[nbformat.NotebookNode]:
    """The test cells of one exercise: ``<answer_id>_test`` and ``<answer_id>_test_<n>``."""
    return [cell for grade_id, cell in grading_cells(nb).items() if exercise_of(grade_id) == answer_id]
