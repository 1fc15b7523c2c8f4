"""Reading the course's notebooks in tests / 在测试中读取课程的笔记本。"""

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"


def lesson_notebooks(folder: Path) -> list[Path]:
    """``<folder>/<lesson>/<lesson>.ipynb`` for every lesson in ``folder``."""
    return sorted(p for p in folder.glob("*/*.ipynb") if p.stem == p.parent.name)


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def answer_cells(nb) -> dict[str, nbformat.NotebookNode]:
    """Graded answer cells by ``grade_id``, in notebook order."""
    return {
        nbgrader_meta(c)["grade_id"]: c
        for c in nb.cells
        if c.cell_type == "code" and nbgrader_meta(c).get("solution") and not nbgrader_meta(c).get("grade")
    }


def grading_cells(nb) -> dict[str, nbformat.NotebookNode]:
    """Graded test cells by ``grade_id``, in notebook order."""
    return {nbgrader_meta(c)["grade_id"]: c for c in nb.cells if nbgrader_meta(c).get("grade")}


def grading_cells_of(nb, answer_id: str) -> list[nbformat.NotebookNode]:
    """The test cells of one exercise: ``<answer_id>_test`` and ``<answer_id>_test_<n>``."""
    return [
        cell
        for grade_id, cell in grading_cells(nb).items()
        if grade_id == f"{answer_id}_test" or grade_id.startswith(f"{answer_id}_test_")
    ]


def setup_cell(nb) -> nbformat.NotebookNode:
    """The lesson's first code cell, which does the set-up."""
    return next(c for c in nb.cells if c.cell_type == "code")


def context_cells(nb) -> list[nbformat.NotebookNode]:
    """What graded tests may rely on, in notebook order: answer cells and locked nbgrader cells (such as data)."""
    return [
        c
        for c in nb.cells
        if c.cell_type == "code"
        and not nbgrader_meta(c).get("grade")
        and (nbgrader_meta(c).get("solution") or nbgrader_meta(c).get("locked"))
    ]
