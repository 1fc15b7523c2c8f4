"""A batch's grades into nbgrader's gradebook, as ``nbgrader autograde`` writes them, with the grader's verdicts
一批成绩按 nbgrader autograde 的方式写入成绩库，分数为评阅程序的结论。"""

import warnings

import nbformat
from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades
from traitlets import Dict, TraitError

from course.bilingual import Text
from course.errors import UsageError
from course.gradebook.deadlines import SubmittedAt, as_gradebook_time
from course.gradebook.late_policy import PerDayPenalty
from course.gradebook.store import open_gradebook
from course.layout import CourseLayout
from course.notebook.cells import is_manual
from course.results import Status, SubmissionResult

COURSE_LATE_POLICY = f"{PerDayPenalty.__module__}.{PerDayPenalty.__qualname__}"
GRADED_BY_HAND = Text("graded by hand in formgrader", "已由教师在 formgrader 中评分")


class SaveVerdicts(SaveAutoGrades):
    """nbgrader's ``SaveAutoGrades`` with the grader's verdict as every test cell's ``auto_score``: ``scores``
    ({test grade id: points}, 0 for a cell it lacks), never nbgrader's reading of the cell's outputs (the
    learner's kernel shapes them, and the first ``execute_result`` would decide). Answers graded by hand,
    comments and everything else are saved as nbgrader saves them.

    与 nbgrader 的 SaveAutoGrades 相同，但每个测试单元格的 auto_score 是评阅程序的结论，而不是 nbgrader 对输出的解读。
    """

    scores = Dict(help="test cell grade id → points, from the grader's verdict")

    def _add_score(self, cell, resources):
        if is_manual(cell):  # graded by a person: nbgrader's rule ("no response" is 0) stays / 人工评分：沿用 nbgrader 的规则
            return super()._add_score(cell, resources)
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        grade = self.gradebook.find_grade(grade_id, self.notebook_id, self.assignment_id, self.student_id)
        grade.auto_score = float(self.scores.get(grade_id, 0.0))
        grade.needs_manual_grade = grade.manual_score is not None  # as nbgrader: a manual score asks for review / 与 nbgrader 相同
        self.gradebook.db.commit()


def check_late_policy(course: CourseLayout) -> None:
    """``UsageError`` when the late policy ``nbgrader_config.py`` names cannot be imported: said before grading, not as
    a traceback once every kernel has run / 迟交政策无法导入时抛出 UsageError：在评阅之前说明，而不是在所有内核运行之后出现回溯"""
    config = course.nbgrader_config()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            AssignLatePenalties(config=config)
    except TraitError:
        named = config.AssignLatePenalties.get("plugin_class", "?")
        raise UsageError(Text(
            f"{course.config_path.name}: c.AssignLatePenalties.plugin_class = {named!r} cannot be imported; the course's own "
            f"late policy is {COURSE_LATE_POLICY!r}",
            f"{course.config_path.name}：无法导入 c.AssignLatePenalties.plugin_class = {named!r}（迟交政策）；课程自带的迟交政策是 "
            f"{COURSE_LATE_POLICY!r}")) from None  # fmt: skip


def cell_scores(result: SubmissionResult) -> dict[str, float]:
    """Each test cell's score as the grader decided it; a cell it did not score scores 0 / 评阅程序决定的每个测试单元格的分数。"""
    return {test_id: points for row in result.rows for test_id, points in row.cell_scores.items()}


def record_results(db_url: str, course: CourseLayout, ordered: list[SubmissionResult], times: list[SubmittedAt]) -> None:
    """The grades into nbgrader's gradebook as ``nbgrader autograde`` writes them: the submission with its
    time (``timestamp.txt``), each test cell's score as the grader decided it (``SaveVerdicts``; a manual
    score or comment given in formgrader stays), then nbgrader's ``AssignLatePenalties`` with the course's
    ``LateSubmissionPlugin`` settings (reset, then recomputed: a penalty goes when a new deadline or an
    extension makes it on time). Each result gets its late penalty and seconds late back.

    像 nbgrader autograde 一样写入成绩库：提交及其时间、评阅程序决定的每个测试单元格的分数（SaveVerdicts；保留 formgrader 中的人工分数与评语），
    然后用课程的迟交设置运行 AssignLatePenalties（先清零再计算：新的截止时间或延期使其按时后，罚分随之取消）。
    """
    config = course.nbgrader_config(db_url)
    with CourseLayout.environment_tools_on_path(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with open_gradebook(db_url) as gradebook:
            for result, at in zip(ordered, times, strict=True):
                gradebook.update_or_create_student(result.student)
                if result.status is not Status.MISSING:
                    known = {"timestamp": as_gradebook_time(at.when)} if at.when is not None else {}
                    gradebook.update_or_create_submission(result.lesson, result.student, **known)
        for result in ordered:
            if result.notebook is None:
                continue
            resources = {"nbgrader": {"db_url": db_url, "assignment": result.lesson, "notebook": result.lesson, "student": result.student}}
            notebook = nbformat.from_dict(result.notebook)
            SaveVerdicts(config=config, scores=cell_scores(result)).preprocess(notebook, resources)
            AssignLatePenalties(config=config).preprocess(notebook, resources)
        with open_gradebook(db_url) as gradebook:
            for result in ordered:
                if result.notebook is not None:
                    submission = gradebook.find_submission(result.lesson, result.student)
                    result.late_penalty = gradebook.find_submission_notebook(result.lesson, result.lesson, result.student).late_submission_penalty or 0.0
                    result.seconds_late = submission.total_seconds_late
                    for row in result.rows:  # a score given in formgrader / 在 formgrader 中给出的分数
                        if row.status is Status.MANUAL:
                            given = gradebook.find_grade(row.grade_id, result.lesson, result.lesson, result.student).manual_score
                            if given is not None:
                                row.score, row.status, row.message = float(given), Status.OK, GRADED_BY_HAND
