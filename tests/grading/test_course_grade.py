"""`course grade` and `course check` end to end, with real nbgrader, on the course's own lessons.
用真实的 nbgrader 在课程自己的笔记本上端到端测试 `course grade` 与 `course check`。

One batch holds good submissions, tampered tests, spoofed answers, an intruder probing the sandbox,
broken files and misbehaving kernels; each must get its row and no undeserved points.
"""

import contextlib
import csv
import hashlib
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from lesson_cells import LAYOUT, ROOT
from nbgrader.api import Gradebook
from nbgrader.utils import determine_grade
from submissions.build import (
    ATTACKS,
    HIJACK_MARKER,
    L01,
    L04,
    PRIVATE_TMP_FILE,
    build,
)
from submissions.trust import ALL_WRONG

from course.cli import main
from course.grading.judging import DIFFERS, NOT_PLAIN
from course.grading.pipeline import LINKED_FOLDER_MESSAGE, course_lessons
from course.kernel.injected.observer import OBSERVATION
from course.kernel.sandbox import sandbox_available
from course.layout import CourseLayout
from course.results import Status

# Facts of the lessons, from the notebooks themselves / 课程的事实，取自笔记本本身
LESSONS = course_lessons(LAYOUT)
L01_POINTS = LESSONS[L01].max_scores()
L01_EXERCISES = list(L01_POINTS)
L01_FULL = sum(L01_POINTS.values())
# What the tests grade; lesson 04's written answer waits for the instructor / 测试评分的部分；第 04 课的书面答案由教师评分
L04_FULL = sum(LESSONS[L04].max_score(e) for e in LESSONS[L04].exercises)
L04_MANUAL = LESSONS[L04].manual


def digests(folder):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One `course grade` run over every case, as an instructor types it / 像教师一样运行一次 `course grade`"""
    base = tmp_path_factory.mktemp("grading")
    submitted, gradebook = base / "submitted", base / "db" / "gradebook.db"
    cases = build(LAYOUT, submitted, gradebook)
    before = digests(submitted)
    command = [sys.executable, "-m", "course", "grade", str(submitted), "--out", str(base / "out" / "grades.csv"),
               "--feedback", str(base / "feedback"), "--jobs", "2", "--timeout", "10", "--db-url", f"sqlite:///{gradebook}",
               "--autograded", str(base / "autograded")]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    rows = list(csv.DictReader((base / "out" / "grades.csv").open(encoding="utf-8")))
    totals = list(csv.DictReader((base / "out" / "grades.totals.csv").open(encoding="utf-8")))
    return {"result": result, "rows": rows, "totals": totals, "cases": cases, "base": base, "submitted": submitted,
            "gradebook": gradebook, "before": before}


def rows_of(batch, student, lesson=L01):
    return {r["grade_id"]: r for r in batch["rows"] if r["student_id"] == student and r["assignment"] == lesson}


def score_of(batch, student, lesson=L01):
    return sum(float(r["score"]) for r in rows_of(batch, student, lesson).values())


def test_the_grader_ran_and_exited_0(batch):
    """Grading ran to the end even though many submissions are broken / 尽管很多提交有问题，评阅仍然完成"""
    assert batch["result"].returncode == 0, batch["result"].stdout + batch["result"].stderr
    assert "graded" in batch["result"].stdout and "评阅了" in batch["result"].stdout


def test_the_csv_has_a_row_per_student_lesson_exercise(batch):
    """Every student × lesson × exercise has exactly one row, and totals add up / 每个学生×课程×练习恰好一行"""
    lessons = LAYOUT.lessons()
    keys = [(r["student_id"], r["assignment"], r["grade_id"]) for r in batch["rows"]]
    assert len(keys) == len(set(keys))
    assert {r["student_id"] for r in batch["rows"]} == set(batch["cases"])
    assert {(r["student_id"], r["assignment"]) for r in batch["totals"]} == {(s, lesson) for s in batch["cases"] for lesson in lessons}
    for total in batch["totals"]:
        assert float(total["score"]) == score_of(batch, total["student_id"], total["assignment"])
    assert all(r["status"] in set(Status) for r in batch["rows"])


def test_correct_work_gets_full_marks(batch):
    """Solutions, tampered-but-right, extra files and a huge stored output all score full marks / 正确的作答得满分"""
    for student in ("full_marks", "tampered_right", "extra_files", "huge_output", "intruder"):
        rows = rows_of(batch, student)
        assert {g: r["status"] for g, r in rows.items()} == dict.fromkeys(L01_EXERCISES, Status.OK), (student, rows)
        assert score_of(batch, student) == L01_FULL, student
    assert score_of(batch, "full_marks", L04) == L04_FULL
    # The written answer is kept for the instructor: 0 until graded in formgrader / 书面答案留给教师：评分前为 0
    written = rows_of(batch, "full_marks", L04)
    assert L04_MANUAL and all(written[g]["status"] == Status.MANUAL and written[g]["score"] == "0" for g in L04_MANUAL)


def test_no_work_and_cheats_score_nothing(batch):
    """Untouched, tests replaced by pass, and every spoof score 0 / 未作答、把测试换成 pass、各种伪造都得 0 分"""
    for student in ("untouched", "tampered_empty", "spoofer"):
        rows = rows_of(batch, student)
        assert score_of(batch, student) == 0, (student, rows)
        assert all(r["status"] == Status.FAILED and r["message"] for r in rows.values()), rows
    assert "不" in rows_of(batch, "untouched")["ex01_predict"]["message"] or "尚未" in rows_of(batch, "untouched")["ex01_predict"]["message"]


def test_broken_files_are_invalid_rows(batch):
    """Bad JSON, nbformat 3, an empty file and another lesson's notebook: invalid, with a reason / 无效文件给出原因"""
    expected = {"bad_json": "JSON", "nbformat3": "nbformat 4", "empty_file": "empty", "wrong_lesson": "not lesson"}
    for student, reason in expected.items():
        rows = rows_of(batch, student)
        assert all(r["status"] == Status.INVALID and reason in r["message"] and " / " in r["message"] for r in rows.values()), rows
        assert score_of(batch, student) == 0


def test_missing_lessons_are_missing_rows(batch):
    """A lesson not handed in is `missing`, the other lesson is graded / 未提交的课程标记为 missing"""
    assert all(r["status"] == Status.MISSING for r in rows_of(batch, "no_lesson_01").values())
    written = {g: r for g, r in rows_of(batch, "no_lesson_01", L04).items() if g in L04_MANUAL}
    tested = {g: r for g, r in rows_of(batch, "no_lesson_01", L04).items() if g not in L04_MANUAL}
    assert tested and all(r["status"] == Status.FAILED for r in tested.values())
    assert written and all(r["status"] == Status.MANUAL and r["score"] == "0" for r in written.values())


@pytest.mark.parametrize(
    ("student", "broken", "status"),
    [
        ("infinite_loop", "ex01_predict", {Status.TIMEOUT}),
        ("sys_exit", "ex01_stable_lr", {Status.FAILED}),
        ("memory_hog", "ex01_best_cubic", {Status.FAILED}),
        # Refused at the 256th process, or stopped by the timeout first on a loaded machine (each fork of a kernel
        # with torch loaded is slow): either way that exercise alone / 第 256 个进程被拒绝，或在繁忙的机器上先被超时终止
        ("fork_bomb", "ex01_stable_lr", {Status.FAILED, Status.TIMEOUT}),
    ],
)
def test_a_misbehaving_cell_costs_only_its_exercise(batch, student, broken, status):
    """The rest of the notebook is still graded / 其余部分仍被正常评阅"""
    rows = rows_of(batch, student)
    assert rows[broken]["status"] in status and float(rows[broken]["score"]) == 0, rows[broken]
    assert score_of(batch, student) == L01_FULL - L01_POINTS[broken], rows


def test_a_dying_kernel_fails_what_it_could_not_run(batch):
    """os._exit() in the fit answer: earlier exercises keep their points, the rest are errors / 内核退出后的练习记为 error"""
    rows = rows_of(batch, "os_exit")
    fit = L01_EXERCISES.index("ex01_fit")
    assert [rows[g]["status"] for g in L01_EXERCISES] == [Status.OK] * fit + [Status.ERROR] * (len(L01_EXERCISES) - fit)
    assert "kernel" in rows["ex01_fit"]["message"] and "内核" in rows["ex01_fit"]["message"]


def test_submitted_files_are_never_modified(batch):
    """Same bytes before and after, and nothing written into the submissions / 提交的文件前后字节相同"""
    assert digests(batch["submitted"]) == batch["before"]
    assert not (ROOT / "pwned.txt").exists() and not (ROOT / "helpers" / "pwned.txt").exists()


def test_the_gradebook_holds_the_grades(batch):
    """nbgrader's gradebook agrees with the CSV, untouched by the intruder / 成绩库与 CSV 一致，未被篡改"""
    with Gradebook(f"sqlite:///{batch['gradebook']}") as gradebook:
        for student in ("full_marks", "untouched", "spoofer", "intruder"):
            submission = gradebook.find_submission_notebook(L01, L01, student)
            assert submission.score == score_of(batch, student), student
            assert submission.max_score == L01_FULL
    assert oct(batch["gradebook"].stat().st_mode & 0o777) == "0o600"


def test_feedback_files_show_no_hidden_tests(batch):
    """One HTML feedback per graded submission, with the score and without hidden test code / 反馈中没有隐藏测试"""
    not_run = (Status.INVALID, Status.LINKED, Status.MISSING)
    graded = {r["student_id"] for r in batch["rows"] if r["assignment"] == L01 and r["status"] not in not_run}
    for student in graded:
        html = CourseLayout.lesson_file(batch["base"] / "feedback" / student, L01, ".html").read_text(encoding="utf-8")
        assert "Score" in html
        for secret in ("BEGIN HIDDEN TESTS", "x_hidden", "reference_fit", "ex01_predict_test_hidden"):
            assert secret not in html, (student, secret)
    assert not (batch["base"] / "feedback" / "bad_json").exists()


@pytest.mark.skipif(not sandbox_available(), reason="the sandbox needs root and unshare / 沙箱需要 root 和 unshare")
def test_the_intruder_found_nothing(batch):
    """predict only stays right if every read, write, database, network and git probe failed; what it wrote to /tmp
    stayed in its own / 所有探测都失败时 predict 才正确；它写入 /tmp 的内容只留在它自己的 /tmp 中"""
    assert rows_of(batch, "intruder")["ex01_predict"]["status"] == Status.OK
    assert not Path(PRIVATE_TMP_FILE).exists()


@pytest.mark.skipif(not sandbox_available(), reason="the sandbox needs root and unshare / 沙箱需要 root 和 unshare")
def test_the_kernel_cannot_import_the_instructor_package(batch):
    """A grading kernel sees helpers/ only: `import course` fails there, so predict stays right / 评阅内核只能看到 helpers/"""
    assert rows_of(batch, "instructor_import")["ex01_predict"]["status"] == Status.OK, rows_of(batch, "instructor_import")


def test_a_submitted_package_never_runs_as_the_grader(batch):
    """A `course/` folder beside the notebook does not replace the sandbox launcher, which runs before the sandbox
    笔记本旁名为 course/ 的目录不能顶替在沙箱建立之前运行的启动程序"""
    assert not (batch["submitted"].parent / HIJACK_MARKER).exists()
    assert score_of(batch, "extra_files") == L01_FULL


def test_serial_and_parallel_agree(batch, tmp_path):
    """--jobs 1 gives the same rows as --jobs 2 / 串行与并行结果相同"""
    subset = tmp_path / "submitted"
    for student in ("full_marks", "spoofer", "sys_exit"):  # copies: a linked folder would not be graded / 复制：链接的目录不会被评阅
        shutil.copytree(batch["submitted"] / student / L01, subset / student / L01, symlinks=True)
    out = tmp_path / "serial.csv"
    command = [sys.executable, "-m", "course", "grade", str(subset), "--out", str(out), "--jobs", "1",
               "--timeout", "10", "--db-url", f"sqlite:///{tmp_path / 'serial.db'}", "--autograded", str(tmp_path / "autograded")]
    assert subprocess.run(command, cwd=ROOT, capture_output=True, timeout=600).returncode == 0
    serial = {(r["student_id"], r["assignment"], r["grade_id"]): (r["score"], r["status"]) for r in csv.DictReader(out.open())}
    parallel = {(r["student_id"], r["assignment"], r["grade_id"]): (r["score"], r["status"]) for r in batch["rows"]
                if r["student_id"] in ("full_marks", "spoofer", "sys_exit") and r["assignment"] == L01}
    serial = {key: value for key, value in serial.items() if key[1] == L01}
    assert serial == parallel


@pytest.mark.parametrize(("args", "says"), [(["--shard", "3/2"], "--shard"), (["--jobs", "0"], "--jobs")])
def test_bad_options_are_explained(tmp_path, monkeypatch, capsys, args, says):
    """Bad options exit 2 with a bilingual message / 错误参数以 2 退出并给出双语信息"""
    monkeypatch.chdir(ROOT)
    assert main(["grade", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    assert says in err and " / " in err


def test_check_passes_the_solution_and_fails_the_stub(capsys):
    """`course check`: exit 0 on a solution, 1 on the untouched notebook, one line per exercise / 每个练习一行"""
    assert main(["check", str(LAYOUT.source_notebook(L01))]) == 0
    passed = capsys.readouterr().out
    assert passed.count("✓") == len(L01_EXERCISES) and f"{L01_FULL:g}/{L01_FULL:g}" in passed
    assert main(["check", str(LAYOUT.release_notebook(L01))]) == 1
    failed = capsys.readouterr().out
    assert failed.count("✗") == len(L01_EXERCISES) and "尚未作答" in failed and f"0/{L01_FULL:g}" in failed


def zygotes_in(folder) -> list[int]:
    """Pids of the zygotes serving a socket under ``folder`` / 在 folder 下提供套接字的父进程"""
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and f"course.kernel.zygote\0serve\0{folder}" in (entry / "cmdline").read_bytes().decode(errors="replace"):
                found.append(int(entry.name))
    return found


def test_check_forks_later_kernels_from_a_parent_that_lingers_then_leaves(tmp_path, short_folder):
    """The first `course check` leaves one pre-imported parent; the next check uses it; idle, it exits
    第一次检查留下一个预先导入的父进程，下一次检查复用它；空闲后它自行退出"""
    runtime = short_folder
    copy = tmp_path / "work" / L01 / f"{L01}.ipynb"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(LAYOUT.release_notebook(L01).read_bytes())
    # Idle seconds: more than a loaded machine takes to start the second check, so it finds this one / 空闲时限要长于繁忙机器启动第二次检查的时间
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "COURSE_ZYGOTE_LINGER": "12"}
    command = [sys.executable, "-m", "course", "check", str(copy)]
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    parents = zygotes_in(runtime)
    assert first.returncode == 1 and len(parents) == 1, (first.stderr, parents)
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert second.stdout == first.stdout and zygotes_in(runtime) == parents
    deadline = time.monotonic() + 60
    while zygotes_in(runtime) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not zygotes_in(runtime), "the idle parent did not leave / 空闲的父进程没有退出"


def test_check_recognises_a_renamed_copy_by_its_exercises(tmp_path, monkeypatch, capsys):
    """JupyterLab's Duplicate (`…-Copy1.ipynb`) is checked as its lesson; a notebook of no lesson is refused clearly
    JupyterLab 复制出的 `…-Copy1.ipynb` 按其所属课程检查；不属于任何一课的笔记本给出清楚的错误"""
    monkeypatch.chdir(ROOT)  # a copy outside the course is checked against the course it is run in / 在课程目录中运行
    copy = tmp_path / f"{L01}-Copy1.ipynb"
    copy.write_bytes(LAYOUT.source_notebook(L01).read_bytes())
    assert main(["check", str(copy)]) == 0
    out, err = capsys.readouterr()
    assert out.count("✓") == len(L01_EXERCISES) and f"{L01_FULL:g}/{L01_FULL:g}" in out
    assert L01 in err and "按第" in err
    stranger = tmp_path / "notes.ipynb"
    stranger.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', encoding="utf-8")
    assert main(["check", str(stranger)]) == 2
    err = capsys.readouterr().err
    assert "no lesson" in err and "没有任何一课" in err and L01 in err


def test_linked_submissions_are_never_followed(batch):
    """A notebook or lesson folder linked to the instructor's solution is `linked`, scored 0, with no feedback;
    links beside an honest notebook are not copied (its predict stays right), nor is a linked timestamp.txt
    链接到教师答案的笔记本或目录记为 linked 并得 0 分；诚实笔记本旁的链接不会被复制，链接的 timestamp.txt 也不会"""
    for student in ("linked_notebook", "linked_folder"):
        rows = rows_of(batch, student)
        assert all(r["status"] == Status.LINKED and " / " in r["message"] for r in rows.values()), rows
        assert score_of(batch, student) == 0
        assert not (batch["base"] / "feedback" / student).exists()
    assert "link" in rows_of(batch, "linked_notebook")["ex01_predict"]["message"]
    assert LINKED_FOLDER_MESSAGE.format(name=L01).split(" / ")[0] == rows_of(batch, "linked_folder")["ex01_predict"]["message"].split(" / ")[0]
    totals = {(t["student_id"], t["assignment"]): t for t in batch["totals"]}
    assert totals[("linked_notebook", L01)]["status"] == Status.LINKED
    assert {g: r["status"] for g, r in rows_of(batch, "linked_files").items()} == dict.fromkeys(L01_EXERCISES, Status.OK)
    feedback = CourseLayout.lesson_file(batch["base"] / "feedback" / "linked_files", L01).parent
    assert feedback.is_dir() and not (feedback / "timestamp.txt").exists()


def test_without_root_it_warns_once_and_still_grades(tmp_path, monkeypatch):
    """On a laptop (not root) the kernel is not sandboxed: one warning, then grading as usual / 非 root 时只警告一次并照常评阅"""
    from course.grading import batch as grade_batch

    # The one place that decides / 唯一做决定的地方
    monkeypatch.setattr(grade_batch, "sandbox_available", lambda: False)
    submitted = tmp_path / "submitted"
    notebook = CourseLayout.lesson_file(submitted / "laptop", L01)
    notebook.parent.mkdir(parents=True)
    notebook.write_bytes(LAYOUT.source_notebook(L01).read_bytes())
    logs = []
    # A file where autograded/ should be: said clearly, and the grades are still all there / autograded/ 位置是文件：说明原因，成绩不丢
    blocked = tmp_path / "autograded"
    blocked.write_text("not a folder")
    options = grade_batch.GradeOptions(submitted=submitted, course=LAYOUT, jobs=1, timeout=30, out=tmp_path / "grades.csv",
                                       db_url=f"sqlite:///{tmp_path / 'gradebook.db'}", autograded=blocked)  # fmt: skip
    graded = grade_batch.grade_all(options, log=logs.append)
    assert logs[0] == grade_batch.NOT_SANDBOXED and logs.count(grade_batch.NOT_SANDBOXED) == 1
    assert any(line.startswith("autograded/ could not be written") for line in logs), logs
    assert (tmp_path / "grades.csv").is_file() and blocked.read_text() == "not a folder"
    assert [(r.student, r.total, r.status) for r in graded if r.lesson == L01] == [("laptop", L01_FULL, Status.OK)]


@pytest.mark.parametrize("student", list(ATTACKS))
def test_attacks_from_the_learner_process_earn_nothing(batch, student):
    """An attack that fools the notebook's own tests earns no point: judging on fresh inputs catches it / 骗过笔记本测试的攻击得不到分数"""
    rows = rows_of(batch, student)
    assert rows and all(float(r["score"]) == 0 for r in rows.values()), {g: r["score"] for g, r in rows.items()}
    fooled = rows[ATTACKS[student][1]]
    # The tests passed, so the row says what judging found / 测试通过了，所以这一行给出的是评判的结论
    assert fooled["message"].startswith(DIFFERS.split("{")[0]), fooled["message"]


# --- A determined learner (tests/submissions/trust.py) / 有决心的学习者 ---


@pytest.fixture(scope="module")
def exported(batch):
    """`course export --format csv` of the batch's gradebook, by student / 本批次成绩库的导出结果"""
    done = subprocess.run([sys.executable, "-m", "course", "export", "--format", "csv", "--db-url", f"sqlite:///{batch['gradebook']}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)  # fmt: skip
    return {row["student_id"]: row for row in csv.DictReader(done.stdout.splitlines())}


def feedback_html(batch, student, lesson=L01) -> str:
    return CourseLayout.lesson_file(batch["base"] / "feedback" / student, lesson, ".html").read_text(encoding="utf-8")


def autograded_text(batch, student, lesson=L01) -> str:
    return CourseLayout.lesson_file(batch["base"] / "autograded" / student, lesson).read_text(encoding="utf-8")


def gradebook_cells(batch, student, lesson=L01) -> dict[str, float]:
    """Each graded cell's score in nbgrader's gradebook / 成绩库中每个评分单元格的分数"""
    with Gradebook(f"sqlite:///{batch['gradebook']}") as gradebook:
        notebook = gradebook.find_submission_notebook(lesson, lesson, student)
        return {grade.name: grade.score for grade in notebook.grades}


def feedback_total(batch, student, lesson=L01) -> float:
    found = re.search(r"\(Score: ([0-9.]+) / ([0-9.]+)\)", feedback_html(batch, student, lesson))
    return float(found.group(1))


@pytest.mark.parametrize("student", ALL_WRONG)
def test_a_determined_learner_earns_nothing_anywhere(batch, exported, student):
    """Wrong answers behind any attack score 0 in the CSV, in every gradebook cell, in `course export` and in the feedback
    任何攻击背后的错误答案，在 CSV、成绩库的每个单元格、course export 与反馈中都是 0 分"""
    rows = rows_of(batch, student)
    assert rows and all(float(r["score"]) == 0 for r in rows.values()), {g: (r["score"], r["message"]) for g, r in rows.items()}
    assert set(gradebook_cells(batch, student).values()) == {0.0}, gradebook_cells(batch, student)
    assert float(exported[student][L01]) == 0 and float(exported[student]["total"]) == 0, exported[student]
    assert feedback_total(batch, student) == 0


def test_outputs_shaped_for_nbgrader_give_nothing(batch):
    """Every test cell opens with an execute_result nbgrader would read as full marks: the verdict is the grader's
    每个测试单元格都以 nbgrader 会读成满分的 execute_result 开头：结论仍由评阅程序决定"""
    autograded = json.loads(autograded_text(batch, "trust_forge_gradebook"))
    tests = [c for c in autograded["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    assert any(o.get("output_type") == "execute_result" for c in tests for o in c.get("outputs", [])), "the forgery ran / 伪造生效了"
    assert all(determine_grade(nbformat.from_dict(c))[0] > 0 for c in tests if c["cell_type"] == "code")  # nbgrader would be fooled / nbgrader 会被骗


def test_an_observation_cannot_be_rewritten(batch):
    """A right observation of predict, sent over the first one's display id and file from the next observing cell,
    changes nothing: the observation read when its cell ended counts
    在下一个观察单元格中通过第一个观察结果的 display id 与文件发送正确的 predict 观察结果，什么也改变不了：算数的是单元格结束时读取的结果"""
    row = rows_of(batch, "trust_rewrite_observation")["ex01_predict"]
    assert row["message"].startswith(DIFFERS.split("{")[0]), row


def test_kernels_of_one_batch_share_no_channel(batch):
    """A classmate's right observations, published on files, shared memory and an abstract socket, never reach another kernel
    同学发布在文件、共享内存与抽象套接字上的正确观察结果，到不了另一个内核"""
    assert score_of(batch, "trust_channel_publisher") == L01_FULL
    reader = rows_of(batch, "trust_channel_reader")
    assert all(r["message"].startswith(DIFFERS.split("{")[0]) for r in reader.values()), reader


def test_bad_bytes_fail_only_their_submission(batch):
    """Observations a decoder chokes on are refused as not plain data; nothing else in the batch is touched
    令解码器出错的观察结果被当作非纯数据拒绝；批次中的其他提交不受影响"""
    rows = rows_of(batch, "trust_bad_bytes")
    assert {r["message"] for r in rows.values()} == {NOT_PLAIN}, {g: r["message"] for g, r in rows.items()}
    assert "the grader failed" not in batch["result"].stderr and score_of(batch, "full_marks") == L01_FULL


# What must never reach a learner: hidden tests, the observers, the inputs and observations / 绝不能到达学习者的内容
SECRETS = ("BEGIN HIDDEN TESTS", "x_hidden", "reference_fit", "default_rng(10", "observe_ex01", "inputs_ex01", "course_observers",
           OBSERVATION, "UEsDB")  # fmt: skip


@pytest.mark.parametrize("student", [*ALL_WRONG, "full_marks", "trust_channel_publisher"])
def test_nothing_secret_reaches_feedback_autograded_or_the_csv(batch, student):
    """No hidden test, observer, input or observation in what a learner or an instructor reads of a submission, whatever
    it printed / 无论打印了什么，学习者或教师读到的内容中都没有隐藏测试、观察函数、输入或观察结果"""
    shown = {"feedback": feedback_html(batch, student), "autograded": autograded_text(batch, student),
             "csv": json.dumps(list(rows_of(batch, student).values()), ensure_ascii=False)}  # fmt: skip
    for where, text in shown.items():
        assert not [secret for secret in SECRETS if secret in text], (where, [s for s in SECRETS if s in text])
    if student == "trust_secret_seeker":
        assert "CELL SOURCE" in shown["feedback"] and "GLOBALS" in shown["feedback"], "the seeker printed / 打印生效了"


class ActiveParts(html.parser.HTMLParser):
    """The tags and attributes of a page that can act: scripts, frames, objects, handlers, javascript: URLs / 页面中能执行的部分"""

    def __init__(self):
        super().__init__()
        self.found, self.scripts, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        if tag in ("iframe", "object", "embed", "svg", "form", "input", "frame", "base", "meta") and not (tag == "meta" and self._meta_ok(attrs)):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith(("javascript:", "vbscript:")) or name == "srcdoc":
                self.found.append(f"{tag} {name}={value}")
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)

    def handle_endtag(self, tag):
        self._in_script = False

    @staticmethod
    def _meta_ok(attrs) -> bool:
        return dict(attrs).keys() <= {"charset", "http-equiv", "content", "name"}


def test_outputs_that_try_to_run_script_are_inert(batch):
    """Feedback and formgrader's notebook keep text, plots and a clean table; no script, handler, frame, object or
    javascript: URL of the learner's survives, in outputs nor in a written answer; the page forbids scripts
    反馈与 formgrader 的笔记本保留文本、图与表格；学习者的脚本、事件处理器、框架、对象与 javascript: 链接都不保留；页面禁止脚本"""
    for lesson in (L01, L04):
        page = feedback_html(batch, "trust_script_outputs", lesson)
        parts = ActiveParts()
        parts.feed(page)
        assert parts.found == [], parts.found
        assert not [s for s in parts.scripts if "pwned" in s], "a learner's script survived / 学习者的脚本保留下来了"
        assert "Content-Security-Policy" in page and "default-src 'none'" in page
        notebook = nbformat.v4.reads(autograded_text(batch, "trust_script_outputs", lesson))  # multi-line text joined / 合并多行文本
        for cell in notebook.cells:
            parts = ActiveParts()
            parts.feed(cell.source if cell.cell_type == "markdown" else "")
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                assert set(data) <= {"text/plain", "text/html", "image/png", "image/jpeg", "image/gif"}, set(data)
                assert output.get("metadata", {}) == {}
                parts.feed(data.get("text/html", ""))
            assert parts.found == [] and parts.scripts == [], (parts.found, parts.scripts)
    page = feedback_html(batch, "trust_script_outputs")
    assert "bold text kept" in page and "table cell kept" in page and 'src="data:image/png;base64,iVBOR' in page
    written = nbformat.v4.reads(autograded_text(batch, "trust_script_outputs", L04))
    answer = next(c.source for c in written.cells if c.cell_type == "markdown" and "My answer" in c.source)
    assert "<script" not in answer and "\\href" not in answer, "no script, and TeX links disarmed for MathJax / 没有脚本，TeX 链接已解除"


def test_a_delegated_softmax_loses_that_exercise_only(batch, exported):
    """softmax handed to torch.nn.functional.softmax through a saved reference: 0 for it everywhere, the rest full
    通过事先保存的引用把 softmax 交给 torch：该练习处处 0 分，其余满分"""
    rows = rows_of(batch, "trust_delegated_softmax", L04)
    assert float(rows["ex04_softmax"]["score"]) == 0 and "torch.nn.functional.softmax" in rows["ex04_softmax"]["message"], rows["ex04_softmax"]
    assert score_of(batch, "trust_delegated_softmax", L04) == L04_FULL - LESSONS[L04].max_score("ex04_softmax")
    cells = gradebook_cells(batch, "trust_delegated_softmax", L04)
    assert all(cells[t] == 0 for t in LESSONS[L04].exercises["ex04_softmax"])
    assert float(exported["trust_delegated_softmax"][L04]) == L04_FULL - LESSONS[L04].max_score("ex04_softmax")
    assert feedback_total(batch, "trust_delegated_softmax", L04) == L04_FULL - LESSONS[L04].max_score("ex04_softmax")


def test_honest_work_in_the_same_batch_keeps_full_marks_everywhere(batch, exported):
    """The solutions score full in the CSV, the gradebook, the export and the feedback, the attacks around them
    notwithstanding / 尽管周围都是攻击，正确答案在 CSV、成绩库、导出与反馈中都得满分"""
    assert score_of(batch, "full_marks") == L01_FULL and float(exported["full_marks"][L01]) == L01_FULL
    assert gradebook_cells(batch, "full_marks") == LESSONS[L01].points
    assert feedback_total(batch, "full_marks") == L01_FULL

