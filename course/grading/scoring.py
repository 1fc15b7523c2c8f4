"""What an executed graded notebook scores / 执行后的评分笔记本得多少分。

After the kernel ran, the notebook goes through nbgrader-style preprocessors, in this order, and
each test cell then scores its points if it shows no error and no stderr output, else 0::

    SCORING_PREPROCESSORS = [RecordProblems, LimitOutputSize, IgnoreKnownWarnings]

``RecordProblems`` turns a cell that timed out or never ran (the kernel died) into an error output;
``LimitOutputSize`` is nbgrader's ``LimitOutput`` with a size cap; ``IgnoreKnownWarnings`` is
nbgrader's ``IgnorePattern`` with line-wise matching. These scores can only be lowered by what a
cell shows; the gradebook records them (``SaveVerdicts``) after trusted judging, never nbgrader's
reading of the outputs.
内核运行之后，笔记本依次经过上面这些（nbgrader 风格的）预处理器；测试单元格没有错误和 stderr 输出时得分。
单元格显示的内容只能降低分数；成绩库记录的是可信评判之后的分数，而不是 nbgrader 对输出的解读。
"""

import re

import nbformat
from nbgrader.preprocessors import IgnorePattern, LimitOutput, NbGraderPreprocessor
from traitlets import Bool, Dict, Integer, Unicode

from course.bilingual import Text
from course.notebook.cells import is_test, nbgrader_meta
from course.notebook.lesson import Lesson
from course.results import CellProblem, ExerciseResult, Status

# torch's own warnings end with this; also given to stock nbgrader's IgnorePattern in nbgrader_config.py.
# torch 自己的警告以此结尾；nbgrader_config.py 中原生 nbgrader 的 IgnorePattern 也使用它。
TORCH_WARNING = r"\(Triggered internally at [^)]*\)"
# A stderr line that must not cost points: a torch warning, the line of source it quotes below itself,
# matplotlib's note on its cache / 不应扣分的 stderr 行：torch 警告、警告下方引用的源代码行、matplotlib 关于缓存的提示
KNOWN_WARNING_LINES = "|".join((
    r"^.*(UserWarning|DeprecationWarning|FutureWarning): .*" + TORCH_WARNING + r"\s*$",
    r"^.*Matplotlib created a temporary cache directory.*$",
    r"^\s+\S.*$",
))  # fmt: skip
NOT_ANSWERED = Text("not answered yet (NotImplementedError)", "尚未作答（NotImplementedError）")
MANUAL_MESSAGE = Text("graded by hand by the instructor (formgrader)", "由教师人工评分（formgrader）")
TRUNCATED = "… [output truncated / 输出已截断]"


class RecordProblems(NbGraderPreprocessor):
    """A cell that timed out or could not run gets an error output saying so, so it scores 0.

    ``problems`` ({cell id: CellProblem}) comes from the runner. 超时或未能运行的单元格得到一个说明原因的错误输出。
    """

    problems = Dict(help="cell id → CellProblem, from course.kernel.runner.run_cells")

    def preprocess_cell(self, cell, resources, index):
        problem = self.problems.get(cell.get("id"))
        if problem is not None:
            cell.setdefault("outputs", []).append(
                nbformat.v4.new_output("error", ename=problem.status.capitalize(), evalue=problem.message, traceback=[])
            )
        return cell, resources


class LimitOutputSize(LimitOutput):
    """nbgrader's ``LimitOutput`` (long tracebacks shortened) and a cap on characters, so a 100 MB print
    does not reach the gradebook or the feedback.

    No line limit by default: nbgrader's drops every stream after the limit, stderr included, and
    stderr must still cost points. 与 nbgrader 的 LimitOutput 相同，另限制字符数；默认不限行数（否则超出后的 stderr 会被丢弃）。
    """

    max_lines = Integer(-1, help="nbgrader's line limit; -1 keeps every stream").tag(config=True)
    max_chars = Integer(100_000, help="longest text kept per output").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and len(output.get("text", "")) > self.max_chars:
                output["text"] = output["text"][: self.max_chars] + f"\n{TRUNCATED}\n"
            data = output.get("data", {})
            for mime, value in list(data.items()):
                if isinstance(value, str) and len(value) > self.max_chars:
                    data[mime] = value[: self.max_chars] if mime == "text/plain" else ""
        return cell, resources


class IgnoreKnownWarnings(IgnorePattern):
    """nbgrader's ``IgnorePattern``, enabled, matching line by line in test cells: known warning lines are
    dropped, and a stderr output left empty goes; any other line stays, and costs the test its points.

    与 nbgrader 的 IgnorePattern 相同，但逐行匹配、只作用于测试单元格：删去已知警告行，其他内容仍会扣分。
    """

    pattern = Unicode(KNOWN_WARNING_LINES).tag(config=True)
    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if not (self.pattern and is_test(cell)):
            return cell, resources
        known = re.compile(self.pattern)
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                lines = [line for line in output.get("text", "").splitlines() if not known.match(line)]
                if not "".join(lines).strip():
                    continue
                output["text"] = "\n".join(lines) + "\n"
            kept.append(output)
        cell["outputs"] = kept
        return cell, resources


# What runs on an executed notebook before it is scored, in order / 计分之前依次作用于执行后笔记本的步骤
SCORING_PREPROCESSORS = [RecordProblems, LimitOutputSize, IgnoreKnownWarnings]


def first_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def score_notebook(lesson: Lesson, executed: nbformat.NotebookNode, problems: dict[str, CellProblem]) -> list[ExerciseResult]:
    """One result per exercise from an executed notebook, which the preprocessors change in place.

    A test cell scores its points when it ran without a problem, without an error and without stderr
    after ``SCORING_PREPROCESSORS``, else 0; an answer cell that timed out fails its exercise's tests
    too. Nothing a cell displays can raise a score (nbgrader's partial credit from an ``execute_result``
    is not read: the learner's kernel shapes it). ``course grade`` then keeps a test cell's points only
    if its exercise is confirmed (``course.grading.judging.confirm``).
    根据执行后的笔记本为每个练习给出结果：测试单元格无问题、无错误、无 stderr 时得分，否则 0 分；单元格显示的任何内容都不能提高分数。
    """
    for step in SCORING_PREPROCESSORS:
        executed, _ = (step(problems=problems) if step is RecordProblems else step()).preprocess(executed, {})
    by_id = {nbgrader_meta(c).get("grade_id"): c for c in executed.cells if nbgrader_meta(c).get("grade_id")}
    results = []
    for exercise, tests in lesson.exercises.items():
        answer = by_id.get(exercise)
        answer_problem = problems.get(answer.get("id")) if answer is not None else None
        cell_scores, status, message = {}, Status.OK, ""
        for test_id in tests:
            cell = by_id.get(test_id)
            problem = problems.get(cell.get("id")) if cell is not None else None
            if problem is None and answer_problem is not None and answer_problem.status is Status.TIMEOUT:
                problem = answer_problem
            failure = (problem.status, problem.message) if problem else visible_failure(cell)
            cell_scores[test_id] = 0.0 if failure else lesson.points[test_id]
            if failure and status is Status.OK:
                status, message = failure
        results.append(ExerciseResult(exercise, status, sum(cell_scores.values()), lesson.max_score(exercise), message, cell_scores))
    # Answers graded by hand score what the instructor gives in formgrader (course grade reads it back)
    # 人工评分的答案：分数由教师在 formgrader 中给出（course grade 会读回）
    results.extend(ExerciseResult(grade_id, Status.MANUAL, 0.0, points, MANUAL_MESSAGE) for grade_id, points in lesson.manual.items())
    return results


def visible_failure(cell) -> tuple[Status, str] | None:
    """Why a test cell failed as its outputs show (an error, then stderr), or None; a missing cell failed.

    根据输出判断测试单元格为何失败（先看错误，再看 stderr）；通过时为 None。
    """
    if cell is None:
        return Status.FAILED, Text("the test did not run", "测试没有运行")
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            if output.get("ename") == "NotImplementedError" and not output.get("evalue"):
                return Status.FAILED, NOT_ANSWERED
            return Status.FAILED, first_line(f"{output.get('ename')}: {output.get('evalue')}")
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            printed = first_line(output.get("text", ""))
            return Status.FAILED, Text(f"the test printed to stderr: {printed}", f"测试向 stderr 输出了内容：{printed}")
    return None
