"""`course export` on a small gradebook built with nbgrader's own API / 用 nbgrader 的 API 建一个小成绩库，测试 `course export`。

The golden files under tests/golden/ were written by hand from the scores below, not by running the
exporter: each number in them can be checked against ``GRADEBOOK``.
tests/golden/ 中的期望文件是按下面的分数手工写出的，而不是运行导出程序得到的。
"""

import datetime as dt
import shutil
import sqlite3
import warnings
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from course.cli import main
from course.layout import CourseLayout

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
L01, L03 = "01_numpy_gradient_descent", "03_autograd"
# lesson → grade cell → points / 课程 → 评分单元格 → 分值
LESSONS = {L01: {"predict": 2, "gradients": 3}, L03: {"backward": 4, "no_grad": 1.5}}
DUE = {L01: dt.datetime(2026, 3, 1, 12), L03: dt.datetime(2026, 3, 8, 12)}
# student → lesson → (grade cell → (auto, manual)), late penalty or None when on time
# 学生 → 课程 → （评分单元格 → (自动分, 人工分)）, 迟交罚分（按时提交为 None）
GRADEBOOK = {
    "ada": {  # full marks / 满分
        L01: ({"predict": (2, None), "gradients": (3, None)}, None),
        L03: ({"backward": (4, None), "no_grad": (1.5, None)}, None),
    },
    "bo": {  # late for lesson 01; a manual grade replaces an automatic one / 01 课迟交；人工分取代自动分
        L01: ({"predict": (2, None), "gradients": (1, 2)}, 1.5),
        L03: ({"backward": (3, None), "no_grad": (0, None)}, None),
    },
    "cy": {  # submitted lesson 03 only / 只提交了 03 课
        L03: ({"backward": (0, None), "no_grad": (1.5, None)}, None),
    },
    "dee": {  # a penalty larger than the score: 0, not negative / 罚分大于得分：记 0 分而非负分
        L01: ({"predict": (2, None), "gradients": (0, None)}, 3),
        L03: ({"backward": (4, None), "no_grad": (0, None)}, None),
    },
}
ROSTER = """student_id,name,email,role
bo,李华,li.hua@example.edu,student
ada,"Lovelace, Ada",ada@example.edu,Student
ta1,Tess Assistant,tess@example.edu,ta
cy,Cy Young,,student
eve,Eve Absent,eve@example.edu,student
"""


@pytest.fixture(scope="module")
def empty_gradebook(tmp_path_factory) -> Path:
    """A new, empty gradebook, made once: nbgrader spends seconds asking alembic for its version / 只建一次空成绩库"""
    path = tmp_path_factory.mktemp("empty") / "gradebook.db"
    with CourseLayout.environment_tools_on_path(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Gradebook(f"sqlite:///{path}").close()
    return path


def build_gradebook(empty: Path, path: Path, students=GRADEBOOK) -> str:
    """A copy of ``empty`` holding ``students``, written through nbgrader's API as its autograder would
    用 nbgrader 的 API 写入成绩，如同其自动评分程序"""
    shutil.copy(empty, path)
    url = f"sqlite:///{path}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(url) as gradebook:
            for lesson, cells in LESSONS.items():
                gradebook.add_assignment(lesson, duedate=DUE[lesson].isoformat())
                gradebook.add_notebook(lesson, lesson)
                for cell, points in cells.items():
                    gradebook.add_grade_cell(cell, lesson, lesson, max_score=points, cell_type="code")
            for student, lessons in students.items():
                gradebook.add_student(student)
                for lesson, (grades, penalty) in lessons.items():
                    late = dt.timedelta(days=2 if penalty is not None else -1)
                    gradebook.add_submission(lesson, student, timestamp=(DUE[lesson] + late).isoformat())
                    for cell, (auto, manual) in grades.items():
                        grade = gradebook.find_grade(cell, lesson, lesson, student)
                        grade.auto_score, grade.manual_score = auto, manual
                    # Where nbgrader's AssignLatePenalties puts it / nbgrader 的 AssignLatePenalties 存放罚分之处
                    gradebook.find_submission_notebook(lesson, lesson, student).late_submission_penalty = penalty
                    gradebook.db.commit()
    return url


@pytest.fixture(scope="module")
def db_url(tmp_path_factory, empty_gradebook):
    # Students added out of order: the export sorts them itself / 学生乱序加入：导出时自行排序
    shuffled = {s: GRADEBOOK[s] for s in ("dee", "bo", "cy", "ada")}
    return build_gradebook(empty_gradebook, tmp_path_factory.mktemp("gradebook") / "gradebook.db", shuffled)


@pytest.fixture(scope="module")
def roster(tmp_path_factory):
    path = tmp_path_factory.mktemp("roster") / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def export(capsysbinary, *argv) -> tuple[int, bytes, str]:
    """``course export ARGV``: exit code, standard output's bytes, standard error / 运行一次导出"""
    code = main(["export", *map(str, argv)])
    captured = capsysbinary.readouterr()
    return code, captured.out, captured.err.decode("utf-8")


@pytest.mark.parametrize(
    ("fmt", "golden"), [("csv", "export.csv"), ("canvas", "export.canvas.csv")], ids=["csv", "canvas"]
)
def test_matches_the_golden_file(capsysbinary, db_url, fmt, golden):
    """Each format gives exactly the hand-written file / 每种格式都与手写的期望文件逐字节相同"""
    code, out, err = export(capsysbinary, "--format", fmt, "--db-url", db_url)
    assert code == 0, err
    assert out == (GOLDEN / golden).read_bytes()
    assert err == ""


def test_canvas_with_a_roster(capsysbinary, db_url, roster):
    """Names and logins from the roster; a student it lacks is still exported, and named once on stderr
    名单提供姓名与登录名；名单中没有的学生照样导出，并在 stderr 中提示一次"""
    code, out, err = export(capsysbinary, "--format", "canvas", "--roster", roster, "--db-url", db_url)
    assert code == 0, err
    assert out == (GOLDEN / "export.canvas.roster.csv").read_bytes()
    assert err.count("\n") == 1 and "dee" in err
    assert "not in the roster" in err and "名单中没有" in err
    for skipped in ("ta1", "eve"):  # a TA, and a roster student the gradebook never saw / 助教，以及成绩库中没有的学生
        assert skipped.encode() not in out and skipped not in err


@pytest.mark.parametrize("fmt", ["csv", "canvas"])
def test_out_holds_the_same_bytes_as_stdout(capsysbinary, tmp_path, db_url, fmt):
    """--out (in folders that do not exist yet) writes what stdout shows, and only that file
    --out（目录尚不存在）写出的内容与标准输出相同，且只写这一个文件"""
    _, shown, _ = export(capsysbinary, "--format", fmt, "--db-url", db_url)
    out = tmp_path / "new" / "folder" / "grades.csv"
    code, printed, err = export(capsysbinary, "--format", fmt, "--db-url", db_url, "--out", out)
    assert code == 0, err
    assert out.read_bytes() == shown and printed == b""
    assert [p.name for p in out.parent.iterdir()] == ["grades.csv"]  # no temporary file left / 没有残留的临时文件


def test_the_same_gradebook_gives_the_same_bytes(capsysbinary, tmp_path, db_url, empty_gradebook):
    """Two runs, and a gradebook filled in another order, give identical output / 两次运行、以及按另一顺序填写的成绩库，输出完全相同"""
    runs = {export(capsysbinary, "--format", "csv", "--db-url", db_url)[1] for _ in range(2)}
    runs.add(export(capsysbinary, "--format", "csv", "--db-url", build_gradebook(empty_gradebook, tmp_path / "again.db"))[1])
    assert len(runs) == 1


def test_a_roster_without_a_needed_column(capsysbinary, tmp_path, db_url):
    """A roster lacking ``email``: exit 2, said in both languages, nothing written, an old file kept whole
    名单缺少 email 列：退出码 2，中英文说明，不写出任何内容，原有文件保持不变"""
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,role\nada,Ada,student\n", encoding="utf-8")
    fresh, old = tmp_path / "out" / "new.csv", tmp_path / "old.csv"
    old.write_bytes(b"last week's grades\n")
    for out in (fresh, old):
        code, printed, err = export(capsysbinary, "--format", "canvas", "--roster", roster, "--db-url", db_url, "--out", out)
        assert code == 2 and printed == b""
        assert "email" in err and "lacks the column" in err and "缺少列" in err
    assert not fresh.parent.exists()
    assert old.read_bytes() == b"last week's grades\n"


@pytest.mark.parametrize(
    ("args", "english", "chinese"),
    [
        (["--format", "canvas", "--roster", "{tmp}/absent.csv"], "no such roster", "没有这个名单文件"),
        (["--format", "csv", "--roster", "{roster}"], "--format canvas only", "只用于"),
        (["--format", "csv", "--db-url", "sqlite:///{tmp}/absent.db"], "no gradebook at", "没有成绩库"),
        (["--format", "csv", "--db-url", "sqlite:///{roster}"], "cannot open the gradebook", "无法打开成绩库"),
        (["--format", "csv", "--db-url", "nonsense://"], "cannot open the gradebook", "无法打开成绩库"),
    ],
    ids=["missing-roster", "roster-with-csv", "missing-gradebook", "not-a-database", "bad-url"],
)
def test_bad_input_exits_2_and_writes_nothing(capsysbinary, tmp_path, db_url, roster, args, english, chinese):
    """Each bad input: exit 2, a message in both languages, no output, no gradebook created
    每种错误输入：退出码 2，中英文说明，没有输出，也不会新建成绩库"""
    argv = [a.format(tmp=tmp_path, roster=roster) for a in args]
    if "--db-url" not in argv:
        argv += ["--db-url", db_url]
    out = tmp_path / "grades.csv"
    code, printed, err = export(capsysbinary, *argv, "--out", out)
    assert code == 2 and printed == b""
    assert english in err and chinese in err, err
    assert not out.exists() and not (tmp_path / "absent.db").exists()


def test_an_empty_database_is_not_a_gradebook(capsysbinary, tmp_path):
    """An SQLite file without nbgrader's tables is refused, not filled with them / 没有 nbgrader 表的 SQLite 文件被拒绝，且不会被建表"""
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    code, printed, err = export(capsysbinary, "--format", "csv", "--db-url", f"sqlite:///{empty}")
    assert code == 2 and printed == b""
    assert "not an nbgrader gradebook" in err and "不是 nbgrader 成绩库" in err
    assert sqlite3.connect(empty).execute("SELECT name FROM sqlite_master").fetchall() == []


def test_an_unknown_format_is_refused_by_argparse(capsysbinary, db_url):
    """--format must be csv or canvas / --format 只能是 csv 或 canvas"""
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--format", "xlsx", "--db-url", db_url])
    assert exit_info.value.code == 2
    assert b"invalid choice" in capsysbinary.readouterr().err
