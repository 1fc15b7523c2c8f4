"""What a cell is to the grader: answer, test, hand-graded or locked (nbgrader's metadata), and what it binds.
单元格对评阅程序的含义：答题、测试、人工评分或锁定（nbgrader 元数据），以及它绑定的名字。
"""

import ast
import json
import re

import nbformat


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_answer(cell) -> bool:
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("solution")) and not meta.get("grade")


def is_test(cell) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def is_manual(cell) -> bool:
    """An answer graded by hand (nbgrader: both ``solution`` and ``grade``), such as a written explanation.

    人工评分的答案（nbgrader 中同时标记 solution 与 grade），例如书面解释。
    """
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and bool(meta.get("solution"))


def is_locked_context(cell) -> bool:
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("locked")) and not meta.get("grade") and not meta.get("solution")


def names_bound(source: str) -> set[str]:
    """The global names a cell's code binds (assignments, definitions, imports, loop and ``with`` targets), not
    those inside its functions and classes; none if it does not parse / 单元格代码在全局绑定的名称（不含函数与类内部）。"""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    bound, todo = set(), list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
            continue
        if isinstance(node, ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        todo.extend(ast.iter_child_nodes(node))
    return bound


def exercise_of(test_grade_id: str) -> str:
    """``ex01_fit_test`` and ``ex01_fit_test_2`` belong to exercise ``ex01_fit``."""
    return re.sub(r"_test(_\d+)?$", "", test_grade_id)


def setup_cell(nb):
    """The lesson's first code cell, which does the set-up / 课程的第一个代码单元格，负责准备工作。"""
    return next(c for c in nb.cells if c.get("cell_type") == "code")


def context_cells(nb) -> list:
    """What graded tests may rely on, in notebook order: answer cells and locked cells (such as data).

    评分测试可以依赖的单元格（按笔记本顺序）：答题单元格和锁定单元格（例如数据）。
    """
    return [c for c in nb.cells if is_answer(c) or is_locked_context(c)]


def cell_copy(cell, keep_outputs: bool = False) -> nbformat.NotebookNode:
    """A deep copy of ``cell``; a code cell's outputs and execution count cleared unless ``keep_outputs``.

    单元格的深拷贝；除非 keep_outputs，否则清除代码单元格的输出与执行计数。
    """
    copy = nbformat.from_dict(json.loads(json.dumps(cell)))
    if copy.get("cell_type") == "code" and not keep_outputs:
        copy.outputs, copy.execution_count = [], None
    return copy
