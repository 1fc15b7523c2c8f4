"""Reading the course's notebooks in tests / 在测试中读取课程的笔记本。

Which cells are answers, tests, set-up and context is decided in course.notebook, the module the
grader uses, and where the notebooks lie in course.layout, so the tests and ``course grade`` cannot
disagree.
"""

import shutil
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


def copy_course(root: Path, *, release: bool = False) -> CourseLayout:
    """A throwaway course at ``root``: the configuration and solutions/, and notebooks/ when ``release`` (the one way
    the tests copy the course) / 在 root 建立临时课程：配置与 solutions/，release 时还有 notebooks/（测试复制课程的唯一方式）"""
    copy = CourseLayout(Path(root))
    copy.root.mkdir(parents=True, exist_ok=True)
    shutil.copy(LAYOUT.config_path, copy.config_path)
    shutil.copytree(LAYOUT.source_dir, copy.source_dir)
    if release:
        shutil.copytree(LAYOUT.release_dir, copy.release_dir)
    return copy


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
