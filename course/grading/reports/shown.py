"""The executed notebook as a person may see it (feedback, formgrader) / 供人查看的执行后笔记本（反馈与 formgrader）。"""

import json

import nbformat

from course.bilingual import Text, halves, in_language
from course.grading.scoring import NOT_ANSWERED
from course.notebook.build import GUARD_CELL_ID, GUARD_RESTORE
from course.notebook.cells import exercise_of, is_test, nbgrader_meta
from course.results import SubmissionResult

# The hidden check's line under each test cell, by its exercise's name and verdict only / 每个测试单元格下隐藏检查的一行：只有练习名与结论
HIDDEN_CHECK = ("hidden check of {grade_id}: {english}", "隐藏检查 {grade_id}：{chinese}")
CONFIRMED = Text("confirmed on fresh inputs", "在新的输入上通过")


def shown_notebook(result: SubmissionResult, lang: str = "both") -> nbformat.NotebookNode:
    """The executed notebook as a person may see it (feedback, formgrader): the cells that ran as they were
    released, without the guard; every output and written answer made inert (``course.grading.inert``); under each
    test cell, the hidden check of its exercise by name and verdict only.

    供人查看的执行后笔记本：按发布时的样子显示运行过的单元格（不含守护代码）；所有输出与书面答案都变为无害；
    每个测试单元格下只显示其练习隐藏检查的名称与结论。
    """
    from course.grading.inert import InertOutputs

    shown = nbformat.from_dict(json.loads(json.dumps(result.notebook)))
    shown.cells = [c for c in shown.cells if c.get("id") != GUARD_CELL_ID]
    shown, _ = InertOutputs().preprocess(shown, {})
    rows = {row.grade_id: row for row in result.rows}
    for cell in shown.cells:
        if not is_test(cell):
            continue
        if cell.source.startswith(GUARD_RESTORE):
            cell.source = cell.source[len(GUARD_RESTORE) :]
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                if output.get("ename") == "NotImplementedError" and not output.get("evalue"):
                    output["evalue"] = NOT_ANSWERED
                output["evalue"] = in_language(output.get("evalue", ""), lang)
                output["traceback"] = [f"{output.get('ename')}: {output.get('evalue')}"]  # the message, not the grader's frames / 只显示信息
        row = rows.get(exercise_of(nbgrader_meta(cell)["grade_id"]))
        if row is not None and row.confirmed is not None:
            english, chinese = halves(CONFIRMED if row.confirmed else row.verdict)
            line = " / ".join(part.format(grade_id=row.grade_id, english=english, chinese=chinese) for part in HIDDEN_CHECK)
            if row.confirmed:
                cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text=f"✓ {in_language(line, lang)}\n"))
            else:
                cell.outputs.append(nbformat.v4.new_output("error", ename="HiddenCheck", evalue=in_language(line, lang),
                                                           traceback=[f"HiddenCheck: {in_language(line, lang)}"]))  # fmt: skip
    return shown
