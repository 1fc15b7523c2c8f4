"""Grading one notebook: what to run, and what the outputs score / 评阅单个笔记本：运行什么，输出得多少分。

Used by ``course check`` (a learner's self-check) and ``course grade`` (an instructor's batch).
The notebook that runs is built from the lesson's **source**, never from the submission: set-up,
locked and test cells come from ``solutions/`` (hidden tests included) or, for a self-check, from
the released student notebook (visible tests only); only the learner's answer cells, and code
cells the learner added, come from the submission. So an edited, deleted, retagged or converted
test cell changes nothing. Demo cells are not run: the graded tests depend only on the set-up,
locked and answer cells (tests/test_graders.py runs them the same way).
实际运行的笔记本由课程的源笔记本构建：准备、锁定和测试单元格都来自源笔记本，只有答题单元格（以及学生新增的代码单元格）来自提交。
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader import utils as nbgrader_utils

from course import guard

STATUSES = ("ok", "failed", "timeout", "missing", "invalid", "error")
# torch's own warnings end with this; also given to nbgrader's IgnorePattern in nbgrader_config.py.
# torch 自己的警告以此结尾；nbgrader_config.py 中的 IgnorePattern 也使用它。
TORCH_WARNING = r"\(Triggered internally at [^)]*\)"
# Warnings torch and friends print that must not cost points / torch 等库会打印的已知警告，不应导致扣分
IGNORED_STDERR = (
    re.compile(r"^.*(UserWarning|DeprecationWarning|FutureWarning): .*" + TORCH_WARNING + r"\s*$"),
    re.compile(r"^.*Matplotlib created a temporary cache directory.*$"),
    re.compile(r"^\s+\S.*$"),  # the source line a warning quotes below itself / 警告下方引用的源代码行
)
# Injected after the set-up cell (the guard's own source: the kernel cannot import this package), and
# at the top of every test cell / 注入在准备单元格之后（守护代码的源代码：内核无法导入本包），以及每个测试单元格的开头
GUARD_SNAPSHOT = guard.snapshot_cell()
GUARD_RESTORE = guard.restore_call()
NOT_ANSWERED = "not answered yet (NotImplementedError) / 尚未作答（NotImplementedError）"
MAX_OUTPUT_CHARS = 100_000
MAX_NOTEBOOK_BYTES = 200 * 1024 * 1024


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_answer(cell) -> bool:
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("solution")) and not meta.get("grade")


def is_test(cell) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def is_locked_context(cell) -> bool:
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("locked")) and not meta.get("grade") and not meta.get("solution")


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


@dataclass
class Lesson:
    """A lesson's source notebook and its graded exercises / 一课的源笔记本及其评分练习。"""

    name: str
    source: nbformat.NotebookNode
    exercises: dict[str, list[str]] = field(default_factory=dict)  # answer id → its test cell ids
    points: dict[str, float] = field(default_factory=dict)  # test cell id → points

    @classmethod
    def from_notebook(cls, name: str, path: Path) -> "Lesson":
        source = nbformat.read(path, as_version=4)
        lesson = cls(name=name, source=source)
        for cell in source.cells:
            if is_answer(cell):
                lesson.exercises[nbgrader_meta(cell)["grade_id"]] = []
        for cell in source.cells:
            if is_test(cell):
                grade_id = nbgrader_meta(cell)["grade_id"]
                lesson.exercises.setdefault(exercise_of(grade_id), []).append(grade_id)
                lesson.points[grade_id] = float(nbgrader_meta(cell)["points"])
        return lesson

    def max_score(self, exercise: str) -> float:
        return sum(self.points[t] for t in self.exercises[exercise])


class InvalidSubmission(ValueError):
    """A submission that cannot be graded at all; the message is bilingual / 无法评阅的提交，信息为双语。"""


def read_submission(path: Path, lesson: Lesson, all_exercise_ids: set[str]) -> nbformat.NotebookNode:
    """The submitted notebook, or ``InvalidSubmission`` saying why not. The file is only read.

    读取提交的笔记本；无法评阅时抛出 InvalidSubmission 并说明原因。文件只读不写。
    """
    size = path.stat().st_size
    if size == 0:
        raise InvalidSubmission("the notebook file is empty / 笔记本文件是空的")
    if size > MAX_NOTEBOOK_BYTES:
        raise InvalidSubmission(
            f"the notebook is {size // 2**20} MB, over the {MAX_NOTEBOOK_BYTES // 2**20} MB limit / "
            f"笔记本大小为 {size // 2**20} MB，超过了 {MAX_NOTEBOOK_BYTES // 2**20} MB 的上限"
        )
    try:
        raw = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidSubmission(f"not valid JSON ({error}) / 不是有效的 JSON（{error}）") from None
    if not isinstance(raw, dict) or raw.get("nbformat") != 4:
        version = raw.get("nbformat") if isinstance(raw, dict) else None
        raise InvalidSubmission(
            f"not an nbformat 4 notebook (nbformat {version}); save it with JupyterLab 4 / "
            f"不是 nbformat 4 格式的笔记本（nbformat {version}）；请用 JupyterLab 4 保存"
        )
    try:
        nb = nbformat.from_dict(raw)
        cells = [c for c in nb.cells if isinstance(c, dict) and isinstance(c.get("source", ""), str | list)]
    except (AttributeError, TypeError) as error:
        raise InvalidSubmission(f"not a readable notebook ({error}) / 无法读取的笔记本（{error}）") from None
    ids = {nbgrader_meta(c).get("grade_id") for c in cells if isinstance(nbgrader_meta(c), dict)}
    ours = ids & set(lesson.exercises)
    others = sorted((ids & all_exercise_ids) - set(lesson.exercises) - {None})
    if not ours and others:
        raise InvalidSubmission(
            f"this is not lesson {lesson.name}'s notebook (it holds {', '.join(others[:3])}) / "
            f"这不是第 {lesson.name} 课的笔记本（其中是 {'、'.join(others[:3])}）"
        )
    for cell in nb.cells:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    return nb


def build_graded_notebook(template: nbformat.NotebookNode, submission: nbformat.NotebookNode | None):
    """The notebook to execute: set-up, locked, answer and test cells of ``template``, with the answers
    (and any code cells the learner added after them) taken from ``submission``.

    A missing answer cell keeps the template's answer (the solution stub for a release template is
    ``raise NotImplementedError()``; for a source template the caller passes the stubbed answers).
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
            elif cell.get("cell_type") == "code" and not meta and cell.get("id") not in template_ids and anchor:
                added_after.setdefault(anchor, []).append(cell.get("source", ""))
    setup = setup_cell(template)
    cells = []
    for cell in template.cells:
        if not (cell is setup or is_answer(cell) or is_locked_context(cell) or is_test(cell)):
            continue
        copy = nbformat.from_dict(json.loads(json.dumps(cell)))
        copy.outputs, copy.execution_count = [], None
        grade_id = nbgrader_meta(cell).get("grade_id")
        if is_answer(cell) and grade_id in answers:
            copy.source = answers[grade_id]
        if is_test(cell):
            copy.source = GUARD_RESTORE + copy.source
        cells.append(copy)
        if cell is setup:
            cells.append(nbformat.v4.new_code_cell(GUARD_SNAPSHOT, id="course-guard"))
        for k, extra in enumerate(added_after.get(grade_id, []) if is_answer(cell) else []):
            cells.append(nbformat.v4.new_code_cell(extra, id=f"{grade_id}-added-{k}"))
    graded = nbformat.v4.new_notebook(cells=cells, metadata=json.loads(json.dumps(template.metadata)))
    return graded


def stubbed(source: nbformat.NotebookNode, release: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``source`` with each answer cell replaced by the released stub: what an empty submission runs."""
    stubs = {nbgrader_meta(c)["grade_id"]: c.source for c in release.cells if is_answer(c)}
    copy = nbformat.from_dict(json.loads(json.dumps(source)))
    for cell in copy.cells:
        if is_answer(cell):
            cell.source = stubs.get(nbgrader_meta(cell)["grade_id"], "raise NotImplementedError()")
    return copy


def clean_stderr(cell) -> None:
    """Drop known harmless warnings from a cell's stderr, as nbgrader's IgnorePattern would.

    像 nbgrader 的 IgnorePattern 一样，从单元格的 stderr 中删去已知无害的警告。
    """
    kept = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            lines = [ln for ln in output.get("text", "").splitlines() if not any(p.match(ln) for p in IGNORED_STDERR)]
            if not "".join(lines).strip():
                continue
            output["text"] = "\n".join(lines) + "\n"
        kept.append(output)
    cell["outputs"] = kept


def truncate_outputs(cell) -> None:
    """Cap what a cell printed, so a 100 MB print does not end in the feedback / 限制单元格输出的长度。"""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and len(output.get("text", "")) > MAX_OUTPUT_CHARS:
            output["text"] = output["text"][:MAX_OUTPUT_CHARS] + "\n… [output truncated / 输出已截断]\n"
        data = output.get("data", {})
        for mime, value in list(data.items()):
            if isinstance(value, str) and len(value) > MAX_OUTPUT_CHARS:
                data[mime] = value[:MAX_OUTPUT_CHARS] if mime == "text/plain" else ""


@dataclass
class ExerciseResult:
    grade_id: str
    score: float
    max_score: float
    status: str
    message: str


def first_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def score_notebook(lesson: Lesson, executed: nbformat.NotebookNode, problems: dict[str, tuple[str, str]]) -> list[ExerciseResult]:
    """One result per exercise from an executed graded notebook.

    ``problems`` maps a cell id to (status, message) for cells that timed out or never ran because
    the kernel died; such a cell gets an error output. A test cell then scores what nbgrader's
    ``determine_grade`` gives it after ``clean_stderr``: its points without error or stderr, else 0.
    An answer cell that timed out fails its exercise's tests too.
    根据执行后的笔记本为每个练习给出结果。
    """
    for cell in executed.cells:
        truncate_outputs(cell)
        if cell.get("id") in problems:
            status, message = problems[cell["id"]]
            cell.setdefault("outputs", []).append(
                nbformat.v4.new_output("error", ename=status.capitalize(), evalue=message, traceback=[])
            )
        if is_test(cell):
            clean_stderr(cell)
    by_id = {nbgrader_meta(c).get("grade_id"): c for c in executed.cells if nbgrader_meta(c).get("grade_id")}
    results = []
    for exercise, tests in lesson.exercises.items():
        answer = by_id.get(exercise)
        answer_problem = problems.get(answer.get("id")) if answer is not None else None
        score, status, message = 0.0, "ok", ""
        for test_id in tests:
            cell = by_id[test_id]
            points, _ = nbgrader_utils.determine_grade(cell)
            problem = problems.get(cell.get("id")) or (answer_problem if answer_problem else None)
            if problem and problem[0] == "timeout" and answer_problem:
                points = 0.0
            score += points or 0.0
            if (points or 0.0) < lesson.points[test_id] and status == "ok":
                status, message = problem or _failure(cell)
        results.append(ExerciseResult(exercise, score, lesson.max_score(exercise), status, message))
    return results


def _failure(cell) -> tuple[str, str]:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            if output.get("ename") == "NotImplementedError" and not output.get("evalue"):
                return "failed", NOT_ANSWERED
            return "failed", first_line(f"{output.get('ename')}: {output.get('evalue')}")
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            return "failed", first_line("the test printed to stderr / 测试向 stderr 输出了内容: " + output.get("text", ""))
    return "failed", "the test did not pass / 测试未通过"
