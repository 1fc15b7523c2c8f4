"""The notebook that runs when one notebook is graded, built from the lesson / 评阅单个笔记本时实际运行的笔记本，由课程构建。

Used by ``course check`` (a learner's self-check) and ``course grade`` (an instructor's batch).
The notebook that runs is built from the lesson's released notebook, never from the submission:
set-up, locked and (visible) test cells come from ``notebooks/``; only the learner's answer cells,
and code cells the learner added, come from the submission, so an edited, deleted, retagged or
converted test cell changes nothing. Hidden tests never run in a learner's kernel: the grader checks
each exercise on fresh inputs instead (``course.grading.judging``). Demo cells are not run: the graded tests
depend only on the set-up, locked and answer cells (tests/content/test_graders.py runs them the same way).
实际运行的笔记本由发布版笔记本构建：准备、锁定和（可见）测试单元格都来自 notebooks/，只有答题单元格（以及学生新增的代码单元格）来自提交；
隐藏测试从不在学生内核中运行，评阅程序改为在新的输入上检查每个练习。
"""

import json

import nbformat

from course.kernel.injected import guard
from course.notebook.cells import (
    cell_copy,
    is_answer,
    is_locked_context,
    is_manual,
    is_test,
    nbgrader_meta,
    setup_cell,
)

# Injected after the set-up cell (the guard's own source: the kernel cannot import this package), and
# at the top of every test cell / 注入在准备单元格之后（守护代码的源代码：内核无法导入本包），以及每个测试单元格的开头
GUARD_SNAPSHOT = guard.snapshot_cell()


GUARD_RESTORE = guard.restore_call()


GUARD_CELL_ID = "course-guard"


def build_graded_notebook(template: nbformat.NotebookNode, submission: nbformat.NotebookNode | None):
    """The notebook to execute: set-up, locked, answer and test cells of ``template``, with the answers
    (and any code cells the learner added after them) taken from ``submission``.

    ``template`` is the released notebook: a missing answer cell keeps its stub (``raise NotImplementedError()``),
    and its test cells hold the visible tests only.
    构建要执行的笔记本：模板中的准备、锁定、答题和测试单元格，答题单元格（及学生在其后新增的代码单元格）取自提交。
    """
    answers, added_after = {}, {}
    if submission is not None:
        template_ids = {c.get("id") for c in template.cells}
        anchor = None
        for cell in submission.cells:
            meta = nbgrader_meta(cell)
            if cell.get("cell_type") == "code" and meta.get("solution") and not meta.get("grade"):
                anchor = meta.get("grade_id")
                answers[anchor] = cell.get("source", "")
            elif is_manual(cell):  # a written answer, read by a person: kept as written / 人工阅读的书面答案：原样保留
                answers[meta.get("grade_id")] = cell.get("source", "")
            elif cell.get("cell_type") == "code" and not meta and cell.get("id") not in template_ids and anchor:
                added_after.setdefault(anchor, []).append(cell.get("source", ""))
    setup = setup_cell(template)
    cells = []
    for cell in template.cells:
        if not (cell is setup or is_answer(cell) or is_locked_context(cell) or is_test(cell) or is_manual(cell)):
            continue
        copy = cell_copy(cell)
        grade_id = nbgrader_meta(cell).get("grade_id")
        if (is_answer(cell) or is_manual(cell)) and grade_id in answers:
            copy.source = answers[grade_id]
        if is_test(cell):
            copy.source = GUARD_RESTORE + copy.source
        cells.append(copy)
        if cell is setup:
            cells.append(nbformat.v4.new_code_cell(GUARD_SNAPSHOT, id=GUARD_CELL_ID))
        for k, extra in enumerate(added_after.get(grade_id, []) if is_answer(cell) else []):
            cells.append(nbformat.v4.new_code_cell(extra, id=f"{grade_id}-added-{k}"))
    graded = nbformat.v4.new_notebook(cells=cells, metadata=json.loads(json.dumps(template.metadata)))
    return graded
