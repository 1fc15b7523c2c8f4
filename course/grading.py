"""Grading one notebook: what to run, and what the outputs score / 评阅单个笔记本：运行什么，输出得多少分。

Used by ``course check`` (a learner's self-check) and ``course grade`` (an instructor's batch).
The notebook that runs is built from the lesson's released notebook, never from the submission:
set-up, locked and (visible) test cells come from ``notebooks/``; only the learner's answer cells,
and code cells the learner added, come from the submission, so an edited, deleted, retagged or
converted test cell changes nothing. Hidden tests never run in a learner's kernel: the grader checks
each exercise on fresh inputs instead (``course.judging``). Demo cells are not run: the graded tests
depend only on the set-up, locked and answer cells (tests/test_graders.py runs them the same way).
实际运行的笔记本由发布版笔记本构建：准备、锁定和（可见）测试单元格都来自 notebooks/，只有答题单元格（以及学生新增的代码单元格）来自提交；
隐藏测试从不在学生内核中运行，评阅程序改为在新的输入上检查每个练习。
"""

import ast
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course import guard

# Injected after the set-up cell (the guard's own source: the kernel cannot import this package), and
# at the top of every test cell / 注入在准备单元格之后（守护代码的源代码：内核无法导入本包），以及每个测试单元格的开头
GUARD_SNAPSHOT = guard.snapshot_cell()
GUARD_RESTORE = guard.restore_call()
GUARD_CELL_ID = "course-guard"
MAX_NOTEBOOK_BYTES = 200 * 1024 * 1024


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


@dataclass
class Lesson:
    """A lesson's source notebook and its graded exercises / 一课的源笔记本及其评分练习。"""

    name: str
    source: nbformat.NotebookNode
    exercises: dict[str, list[str]] = field(default_factory=dict)  # answer id → its test cell ids
    points: dict[str, float] = field(default_factory=dict)  # test cell id → points
    manual: dict[str, float] = field(default_factory=dict)  # answer graded by hand → its points / 人工评分的答案 → 分值

    @classmethod
    def from_notebook(cls, name: str, path: Path) -> "Lesson":
        source = read_course_notebook(path)
        lesson = cls(name=name, source=source)
        for cell in source.cells:
            if is_answer(cell):
                lesson.exercises[nbgrader_meta(cell)["grade_id"]] = []
        for cell in source.cells:
            if is_test(cell):
                grade_id = nbgrader_meta(cell)["grade_id"]
                lesson.exercises.setdefault(exercise_of(grade_id), []).append(grade_id)
                lesson.points[grade_id] = float(nbgrader_meta(cell)["points"])
            elif is_manual(cell):
                lesson.manual[nbgrader_meta(cell)["grade_id"]] = float(nbgrader_meta(cell)["points"])
        return lesson

    def max_score(self, exercise: str) -> float:
        if exercise in self.manual:
            return self.manual[exercise]
        return sum(self.points[t] for t in self.exercises[exercise])

    def max_scores(self) -> dict[str, float]:
        """{exercise: its points} in notebook order, answers graded by hand last / 各练习的分值（人工评分的答案在最后）。"""
        return {exercise: self.max_score(exercise) for exercise in [*self.exercises, *self.manual]}


def read_course_notebook(path: Path) -> nbformat.NotebookNode:
    """A notebook of the course itself (source or release), read without nbformat's schema validation:
    the course's tests validate these files, and validating them on every ``course check`` costs seconds.

    读取课程自身的笔记本（不做 nbformat 的模式校验：测试已经校验过这些文件，每次 course check 都校验要花几秒）。
    """
    return nbformat.v4.reads(Path(path).read_text(encoding="utf-8"))  # multi-line sources joined, no validation / 不校验


def exercise_ids(nb) -> set[str]:
    """The grade ids of the answer cells in ``nb``: what identifies a lesson / 笔记本中答题单元格的 grade_id，用来识别课程。"""
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    return {
        nbgrader_meta(c)["grade_id"]
        for c in cells
        if isinstance(c, dict) and isinstance(nbgrader_meta(c), dict) and is_answer(c) and isinstance(nbgrader_meta(c).get("grade_id"), str)
    }


def recognise_lesson(nb, lessons: dict[str, "Lesson"]) -> str | None:
    """The lesson whose exercises ``nb`` holds, whatever its file is called (JupyterLab's ``…-Copy1.ipynb``);
    None when it holds none, or as many of two lessons'.

    根据内容（答题单元格的 grade_id）识别笔记本属于哪一课，与文件名无关；无法识别时返回 None。
    """
    ids = exercise_ids(nb)
    overlap = sorted(((len(ids & set(lesson.exercises)), name) for name, lesson in lessons.items()), reverse=True)
    if not overlap or overlap[0][0] == 0 or (len(overlap) > 1 and overlap[1][0] == overlap[0][0]):
        return None
    return overlap[0][1]


class InvalidSubmission(ValueError):
    """A submission that cannot be graded at all; the message is bilingual / 无法评阅的提交，信息为双语。"""


class LinkedSubmission(InvalidSubmission):
    """The submitted notebook, or a folder on its way, is a link: never followed, never graded.

    提交的笔记本（或其所在目录）是一个链接：不跟随，不评分。
    """


LINKED_MESSAGE = "the submitted notebook is a link, which is never followed / 提交的笔记本是一个链接，评阅程序不会跟随链接"


def first_link(path: Path, within: Path) -> Path | None:
    """The first link among ``path`` and its folders below ``within`` (``within`` itself is trusted), or None.

    返回 path 及其在 within 之下的各级目录中的第一个链接；没有则返回 None。
    """
    path, within = Path(path), Path(within)
    for candidate in (path, *path.parents):
        if candidate == within or within not in candidate.parents:
            break
        if candidate.is_symlink():
            return candidate
    return None


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path`` if it is a regular file, not a link, of at most ``max_bytes``; else ``OSError``.

    The check and the read are one ``open`` (``O_NOFOLLOW``), so the file cannot be swapped for a
    link in between. 只读取普通文件（不跟随链接，且检查与读取是同一次 open）。
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path} is not a regular file / 不是普通文件")
        if info.st_size > max_bytes:
            raise OSError(f"{path} is over {max_bytes} bytes / 超过 {max_bytes} 字节")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(max_bytes + 1)[:max_bytes]
    finally:
        os.close(fd)


def read_submission(path: Path, lesson: Lesson, all_exercise_ids: set[str]) -> nbformat.NotebookNode:
    """The submitted notebook, or ``InvalidSubmission`` saying why not (``LinkedSubmission`` for a link).
    The file is only read, and a link is never followed.

    读取提交的笔记本；无法评阅时抛出 InvalidSubmission 并说明原因（链接则抛出 LinkedSubmission）。文件只读不写，不跟随链接。
    """
    if Path(path).is_symlink():
        raise LinkedSubmission(LINKED_MESSAGE)
    try:
        data = read_regular_file(path, MAX_NOTEBOOK_BYTES + 1)
    except OSError as error:
        if Path(path).is_symlink():  # swapped for a link after the first look / 在检查之后被换成了链接
            raise LinkedSubmission(LINKED_MESSAGE) from None
        raise InvalidSubmission(f"the notebook cannot be read ({error}) / 无法读取笔记本（{error}）") from None
    size = len(data)
    if size == 0:
        raise InvalidSubmission("the notebook file is empty / 笔记本文件是空的")
    if size > MAX_NOTEBOOK_BYTES:
        raise InvalidSubmission(
            f"the notebook is over the {MAX_NOTEBOOK_BYTES // 2**20} MB limit / "
            f"笔记本超过了 {MAX_NOTEBOOK_BYTES // 2**20} MB 的上限"
        )
    try:
        raw = json.loads(data)
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


def cell_copy(cell, keep_outputs: bool = False) -> nbformat.NotebookNode:
    """A deep copy of ``cell``; a code cell's outputs and execution count cleared unless ``keep_outputs``.

    单元格的深拷贝；除非 keep_outputs，否则清除代码单元格的输出与执行计数。
    """
    copy = nbformat.from_dict(json.loads(json.dumps(cell)))
    if copy.get("cell_type") == "code" and not keep_outputs:
        copy.outputs, copy.execution_count = [], None
    return copy


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
