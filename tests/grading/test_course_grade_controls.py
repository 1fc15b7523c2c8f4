"""The attacks of tests/submissions/trust.py shown real against weaker graders, and a grader failure kept to its
submission; apart from tests/grading/test_course_grade.py so that the two run side by side.
tests/submissions/trust.py 中的攻击对较弱的评阅程序确实有效；评阅程序出错只影响该提交。与 test_course_grade.py 分开，以便并行运行。
"""

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from lesson_cells import LAYOUT, ROOT, copy_course, read
from nbgrader.api import Gradebook
from submissions.build import L01, WRONG_01, notebook, save, with_answers
from submissions.trust import (
    CHANNEL_FILE,
    CHANNEL_KEY,
    CHANNEL_PUBLISHER,
    CHANNEL_READER,
    REWRITE_OBSERVATION,
)

from course.cli import main
from course.grading.judging import DIFFERS, Judge
from course.grading.pipeline import GradedAs, course_lessons, observe_reference
from course.kernel.runner import prepare_scratch, run_cells
from course.layout import CourseLayout
from course.notebook.build import build_graded_notebook
from course.notebook.cells import nbgrader_meta
from course.results import Status

LESSONS = course_lessons(LAYOUT)
L01_FULL = sum(LESSONS[L01].max_scores().values())


def test_a_grader_that_read_observations_late_would_be_fooled(tmp_path):
    """The rewrite attack is real: read at the end of the run, predict's observation is the right one sent later; read as
    its cell ended (what course grade does), it is the learner's wrong one / 改写攻击是真实的：在运行结束时读取会得到之后发送的正确结果；
    在单元格结束时读取（course grade 的做法）得到的是学习者错误的结果"""
    lesson = LESSONS[L01]
    judge = Judge.draw(LAYOUT, L01, list(lesson.exercises), 11)
    judge = judge.with_reference(observe_reference(LAYOUT, judge, tmp_path / "reference", 60))
    attack = with_answers(notebook(LAYOUT, LAYOUT.release_dir, L01), **dict(WRONG_01, ex01_predict=REWRITE_OBSERVATION + WRONG_01["ex01_predict"]))
    graded = build_graded_notebook(GradedAs.of(LAYOUT, L01).template, attack)
    scratch = tmp_path / "kernel"
    scratch.mkdir()
    prepare_scratch(scratch)
    when_ended = {}
    graded.cells += judge.cells()
    run_cells(graded, scratch, timeout=60, sandboxed=False,
              on_cell_end=lambda index, cell: judge.grade_id_of(cell) and when_ended.update({judge.grade_id_of(cell): judge.observation(cell)}))  # fmt: skip
    at_the_end = {judge.grade_id_of(c): judge.observation(c) for c in graded.cells if judge.grade_id_of(c)}
    assert judge.verdicts(at_the_end)["ex01_predict"] is None, "the attack should fool a late reader / 攻击应能骗过迟读的评阅程序"
    assert judge.verdicts(when_ended)["ex01_predict"].startswith(DIFFERS.split("{")[0])


def test_without_a_sandbox_kernels_do_talk(tmp_path, monkeypatch):
    """The channel attack is real: unsandboxed (a laptop, with the warning), the reader replays the publisher's observations
    and earns points; course grade's sandbox is what stops it / 通道攻击是真实的：没有沙箱时，读取者重放发布者的观察结果并得分"""
    from course.grading import batch as grade_batch

    monkeypatch.setattr(grade_batch, "sandbox_available", lambda: False)
    submitted = tmp_path / "submitted"
    solution = notebook(LAYOUT, LAYOUT.source_dir, L01)
    right = next(c.source for c in solution.cells if nbgrader_meta(c).get("grade_id") == "ex01_predict")
    save(submitted, "a_publisher", L01, with_answers(solution, ex01_predict=CHANNEL_PUBLISHER + right))
    save(submitted, "b_reader", L01, with_answers(notebook(LAYOUT, LAYOUT.release_dir, L01), **dict(WRONG_01, ex01_predict=CHANNEL_READER + WRONG_01["ex01_predict"])))
    options = grade_batch.GradeOptions(submitted=submitted, course=LAYOUT, jobs=1, timeout=60, db_url=f"sqlite:///{tmp_path / 'gradebook.db'}",
                                       autograded=tmp_path / "autograded")  # fmt: skip
    try:
        graded = grade_batch.grade_all(options, log=lambda line: None)
    finally:
        clear_published_observations()
    reader = next(r for r in graded if r.student == "b_reader" and r.lesson == L01)
    assert reader.total == L01_FULL, [(r.grade_id, r.message) for r in reader.rows]


def clear_published_observations() -> None:
    """What the publisher left on this machine outside a sandbox: its files and its System V segment / 发布者在本机留下的文件与共享内存"""
    import ctypes

    for folder in ("/tmp", "/dev/shm", "/var/tmp"):
        Path(folder, CHANNEL_FILE).unlink(missing_ok=True)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmget.restype, libc.shmget.argtypes = ctypes.c_int, [ctypes.c_int, ctypes.c_size_t, ctypes.c_int]
    segment = libc.shmget(CHANNEL_KEY, 0, 0)
    if segment >= 0:
        libc.shmctl(segment, 0, None)  # IPC_RMID


def test_a_grader_failure_fails_only_its_submission(tmp_path, monkeypatch, capsys):
    """An exception while judging one submission: that one scores 0 with status error and the reason, every file is still
    written with the others graded, and `course grade` exits 1 naming it / 评判某份提交时出错：该提交 0 分、状态 error 并给出原因，
    其余照常评阅，所有文件都写出，course grade 以 1 退出并指出它"""
    from course.grading.judging import Judge as Judging

    submitted = tmp_path / "submitted"
    for student in ("a_honest", "b_unlucky"):
        save(submitted, student, L01, notebook(LAYOUT, LAYOUT.source_dir, L01))
    real, calls = Judging.verdicts, []

    def verdicts(self, collected):
        calls.append(1)
        if len(calls) == 2:  # the second submission, in student order / 按学生顺序的第二份提交
            raise OverflowError("int too large to convert to float")
        return real(self, collected)

    monkeypatch.setattr(Judging, "verdicts", verdicts)
    monkeypatch.chdir(ROOT)
    out = tmp_path / "out" / "grades.csv"
    code = main(["grade", str(submitted), "--out", str(out), "--feedback", str(tmp_path / "feedback"), "--jobs", "1",
                 "--db-url", f"sqlite:///{tmp_path / 'gradebook.db'}", "--autograded", str(tmp_path / "autograded")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and "b_unlucky" in err and "OverflowError" in err and "评阅程序" in err, err
    rows = [r for r in csv.DictReader(out.open(encoding="utf-8")) if r["assignment"] == L01]
    assert {r["status"] for r in rows if r["student_id"] == "b_unlucky"} == {Status.ERROR}
    assert all("OverflowError" in r["message"] for r in rows if r["student_id"] == "b_unlucky")
    assert sum(float(r["score"]) for r in rows if r["student_id"] == "a_honest") == L01_FULL
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        assert gradebook.find_submission_notebook(L01, L01, "b_unlucky").score == 0
        assert gradebook.find_submission_notebook(L01, L01, "a_honest").score == L01_FULL
    for student in ("a_honest", "b_unlucky"):
        assert CourseLayout.lesson_file(tmp_path / "feedback" / student, L01, ".html").is_file()



def test_kernels_started_afresh_import_the_helpers_the_sandbox_shows(tmp_path):
    """`course grade --no-preload` from a course folder with its own helpers/ (the grader imports those): each kernel
    imports that same helpers/, the one the sandbox puts back, not the installation's (hidden under /tmp, or another
    version) / 不预加载时，每个内核导入的 helpers 与沙箱放回的、评阅程序导入的是同一份，而不是安装目录中的那份"""
    course = copy_course(tmp_path / "course", release=True)
    shutil.copytree(ROOT / "helpers", course.root / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    solution = read(LAYOUT.source_notebook(L01))
    solution.cells.append(nbformat.v4.new_code_cell("import helpers\nprint('helpers from', helpers.__file__)"))
    save(course.root / "submitted", "alice", L01, solution)
    done = subprocess.run([sys.executable, "-m", "course", "grade", "submitted", "--no-preload", "--jobs", "1", "--out", "grades.csv"],
                          cwd=course.root, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    rows = list(csv.DictReader((course.root / "grades.csv").open(encoding="utf-8")))
    assert {r["status"] for r in rows if r["assignment"] == L01} == {"ok"}, [(r["grade_id"], r["message"]) for r in rows]
    printed = CourseLayout.lesson_file(course.autograded_dir / "alice", L01).read_text(encoding="utf-8")
    assert f"helpers from {course.root / 'helpers' / '__init__.py'}" in printed, printed[-2000:]
