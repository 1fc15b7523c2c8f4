"""Each step of the one grading path on small notebooks in tests/fixtures/ (as nbgrader's tests/preprocessors/files/).
在 tests/fixtures/ 中的小笔记本上逐个测试唯一评阅路径的每一步（如同 nbgrader 的 tests/preprocessors/files/）。

The fixture lesson has two exercises: ``ex00_double`` (a test worth 2) and ``ex00_total`` (1), a set-up
cell, a locked data cell and a demo cell. 夹具课程有两个练习、一个准备单元格、一个锁定的数据单元格和一个示例单元格。
"""

import json
import os
from pathlib import Path

import nbformat
import pytest

from course.grading.pipeline import GradedAs, Kernel, copy_submission_folder, grade_submission
from course.grading.scoring import TRUNCATED, LimitOutputSize, score_notebook
from course.notebook.build import GUARD_RESTORE, build_graded_notebook
from course.notebook.cells import is_answer, is_test, nbgrader_meta
from course.notebook.lesson import Lesson, read_course_notebook, recognise_lesson
from course.notebook.submission import LINKED_MESSAGE, InvalidSubmission, LinkedSubmission, read_submission
from course.results import CellProblem, ExerciseResult, Status, SubmissionResult
from course.safe_files import first_link

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LESSON = Lesson.from_notebook("00_fixture", FIXTURES / "source.ipynb")
# What both commands run: the released notebook / 两个命令运行的都是发布版笔记本
TEMPLATE = read_course_notebook(FIXTURES / "release.ipynb")
GRADED_AS = GradedAs(LESSON, TEMPLATE, frozenset(LESSON.exercises))
FULL = sum(LESSON.max_scores().values())


def fixture(name: str) -> Path:
    return FIXTURES / f"{name}.ipynb"


def graded_from(name: str):
    return build_graded_notebook(TEMPLATE, read_submission(fixture(name), LESSON, set(LESSON.exercises)))


def sources(nb, kind) -> dict[str, str]:
    return {nbgrader_meta(c)["grade_id"]: c.source for c in nb.cells if kind(c)}


def test_the_lesson_model_reads_exercises_and_points_from_the_notebook():
    """Exercises, their tests and points come from nbgrader's metadata / 练习、测试与分值取自 nbgrader 元数据"""
    assert LESSON.exercises == {"ex00_double": ["ex00_double_test"], "ex00_total": ["ex00_total_test"]}
    assert LESSON.max_scores() == {"ex00_double": 2.0, "ex00_total": 1.0}


def test_a_changed_answer_cell_is_what_runs():
    """The submitted answers replace the template's stubs / 提交的答案替换模板中的占位"""
    graded = graded_from("submitted-answer-changed")
    submitted = sources(read_submission(fixture("submitted-answer-changed"), LESSON, set()), is_answer)
    assert sources(graded, is_answer) == submitted


def test_a_changed_test_cell_is_replaced_by_the_template():
    """Tests replaced by `pass` in the submission run as the template has them, after the guard's restore
    提交中被换成 pass 的测试仍按模板运行，并以守护代码的恢复调用开头"""
    graded = graded_from("submitted-test-changed")
    expected = {grade_id: GUARD_RESTORE + source for grade_id, source in sources(TEMPLATE, is_test).items()}
    assert sources(graded, is_test) == expected
    assert "pass" not in sources(graded, is_test).values()


def test_an_added_cell_runs_right_after_its_answer_and_demo_cells_do_not():
    """A code cell the learner added after an answer runs after it; demo cells are left out / 学生新增的单元格紧随答案运行"""
    ids = [c.get("id") for c in graded_from("submitted-extra-cell").cells]
    assert ids.index("ex00_double-added-0") == ids.index("double") + 1 < ids.index("double-test")
    assert "demo" not in ids and "course-guard" in ids


def test_known_warnings_on_stderr_are_forgiven_and_other_stderr_costs_the_test():
    """nbgrader's IgnorePattern, line by line: a torch warning alone keeps the points, anything else loses them
    torch 警告不扣分，其他 stderr 内容扣分"""
    executed = read_course_notebook(fixture("executed-stderr"))
    rows = {r.grade_id: r for r in score_notebook(LESSON, executed, {})}
    assert (rows["ex00_double"].status, rows["ex00_double"].score) == (Status.OK, 2)
    assert (rows["ex00_total"].status, rows["ex00_total"].score) == (Status.FAILED, 0)
    assert "something else went wrong" in rows["ex00_total"].message and "Triggered" not in rows["ex00_total"].message


def test_huge_outputs_are_cut_to_size():
    """nbgrader's LimitOutput, with a cap on characters / nbgrader 的 LimitOutput，另限制字符数"""
    executed = read_course_notebook(fixture("executed-stderr"))
    limit = LimitOutputSize()
    executed, _ = limit.preprocess(executed, {})
    demo = next(c for c in executed.cells if c.get("id") == "demo")
    assert demo.outputs[0].text.endswith(TRUNCATED + "\n") and len(demo.outputs[0].text) < limit.max_chars + 100


def test_a_cell_that_timed_out_or_never_ran_scores_nothing_with_its_status():
    """The runner's problems become error outputs, and the exercise's status says why / 超时或未运行的单元格得 0 分并标明状态"""
    executed = read_course_notebook(fixture("executed-stderr"))
    problems = {"double": CellProblem(Status.TIMEOUT, "too slow / 太慢"), "total-test": CellProblem(Status.ERROR, "kernel died / 内核退出")}
    rows = {r.grade_id: r for r in score_notebook(LESSON, executed, problems)}
    assert (rows["ex00_double"].status, rows["ex00_double"].score, rows["ex00_double"].message) == (Status.TIMEOUT, 0, "too slow / 太慢")
    assert (rows["ex00_total"].status, rows["ex00_total"].score) == (Status.ERROR, 0)


def test_a_lesson_is_recognised_by_its_exercises_not_its_name():
    """The answer ids tell the lesson; a notebook holding none is no lesson / 由答题单元格的 id 识别课程"""
    other = Lesson("99_other", LESSON.source, exercises={"ex99_other": []})
    lessons = {"00_fixture": LESSON, "99_other": other}
    assert recognise_lesson(read_course_notebook(fixture("submitted-extra-cell")), lessons) == "00_fixture"
    assert recognise_lesson(nbformat.v4.new_notebook(), lessons) is None


def test_broken_files_are_invalid_and_links_are_linked(tmp_path):
    """Empty, not JSON, a link to a real notebook: each says why, in both languages / 每种问题都说明原因"""
    for name, data in (("empty", b""), ("garbage", b"{nope"), ("v3", json.dumps({"nbformat": 3}).encode())):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InvalidSubmission, match=" / "):
            read_submission(tmp_path / name, LESSON, set())
    link = tmp_path / "linked.ipynb"
    link.symlink_to(fixture("source"))
    with pytest.raises(LinkedSubmission, match="link"):
        read_submission(link, LESSON, set())
    folder = tmp_path / "folder"
    folder.symlink_to(FIXTURES, target_is_directory=True)
    assert first_link(folder / "source.ipynb", tmp_path) == folder
    assert first_link(fixture("source"), FIXTURES) is None


def test_the_scratch_copy_holds_no_link(tmp_path):
    """Regular files are copied; linked files and folders, checkpoints and FIFOs are not / 只复制普通文件"""
    submission = tmp_path / "submission"
    (submission / "data").mkdir(parents=True)
    (submission / "data" / "x.csv").write_text("1,2\n")
    (submission / ".ipynb_checkpoints").mkdir()
    (submission / ".ipynb_checkpoints" / "old.ipynb").write_text("{}")
    (submission / "peek.ipynb").symlink_to(fixture("source"))
    (submission / "fixtures").symlink_to(FIXTURES, target_is_directory=True)
    (submission / "timestamp.txt").symlink_to(fixture("source"))
    os.mkfifo(submission / "pipe")
    copy_submission_folder(submission, tmp_path / "scratch")
    copied = sorted(p.relative_to(tmp_path / "scratch").as_posix() for p in (tmp_path / "scratch").rglob("*"))
    assert copied == ["data", "data/x.csv"]


def test_one_function_grades_a_submission_end_to_end(tmp_path):
    """grade_submission: full marks for right answers, 0 for the stub, `linked` for a link and `missing` for nothing,
    and its scratch folder is gone afterwards / 唯一的评阅函数：正确满分、占位 0 分、链接记为 linked、未提交记为 missing"""
    kernel = Kernel(timeout=30)
    right = grade_submission(fixture("submitted-answer-changed"), GRADED_AS, tmp_path / "a", kernel, within=FIXTURES)
    assert (right.status, right.total, right.max_score, right.passed) == (Status.OK, FULL, FULL, 2)
    assert right.notebook is not None and not (tmp_path / "a").exists()
    stub = grade_submission(fixture("submitted-test-changed"), GRADED_AS, tmp_path / "b", kernel, within=FIXTURES)
    assert (stub.status, stub.total) == (Status.FAILED, 0)
    link = tmp_path / "submitted" / "linked.ipynb"
    link.parent.mkdir()
    link.symlink_to(fixture("source"))
    linked = grade_submission(link, GRADED_AS, tmp_path / "c", kernel, within=tmp_path / "submitted")
    assert (linked.status, linked.total, linked.notebook) == (Status.LINKED, 0, None)
    assert {r.message for r in linked.rows} == {LINKED_MESSAGE} and not (tmp_path / "c").exists()
    missing = grade_submission(None, GRADED_AS, tmp_path / "d", kernel, within=FIXTURES)
    assert [r.status for r in missing.rows] == [Status.MISSING] * len(LESSON.exercises)


def test_the_results_model():
    """Totals, the worst status and to_dict, as otter's GradingResults / 总分、最差状态与 to_dict"""
    result = SubmissionResult("00_fixture", [ExerciseResult("a", Status.OK, 2, 2), ExerciseResult("b", Status.TIMEOUT, 0, 1, "slow")])
    assert (result.total, result.max_score, result.status, result.passed) == (2, 3, Status.TIMEOUT, 1)
    assert result.to_dict()["rows"][1] == {"grade_id": "b", "status": "timeout", "score": 0, "max_score": 1, "message": "slow"}
    assert Status.worst([]) is Status.OK and Status.worst([Status.FAILED, Status.MISSING, Status.OK]) is Status.MISSING
    assert list(Status)[0] is Status.OK
