"""`course grade` refuses what it cannot grade before any kernel starts: one clear line, exit status 2, nothing written.
course grade 在启动任何内核之前拒绝无法评阅的输入：一行清楚的说明、退出状态 2、不写出任何文件。
"""

import shutil

import pytest
from lesson_cells import LAYOUT, copy_course

from course.cli import main
from course.layout import CourseLayout

L01 = LAYOUT.lessons()[0]


def course_with_a_submission(root, *, release: bool = True) -> CourseLayout:
    """A throwaway course with alice's solution of lesson 01 in submitted/ / 含 alice 第 01 课提交的临时课程"""
    course = copy_course(root, release=release)
    target = CourseLayout.lesson_file(root / "submitted" / "alice", L01)
    target.parent.mkdir(parents=True)
    shutil.copy(LAYOUT.source_notebook(L01), target)
    return course


def grade(course: CourseLayout, monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(course.root)
    status = main(["grade", "submitted", "--out", "grades.csv", *args])
    return status, capsys.readouterr().err


def assert_nothing_written(course: CourseLayout) -> None:
    assert not (course.root / "grades.csv").exists() and not course.gradebook_path.exists(), "nothing written / 不应写出任何文件"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--jobs", "0"], "--jobs"),
        (["--timeout", "0"], "--timeout"),
        (["--shard", "3/2"], "--shard"),
    ],
)
def test_bad_options_are_refused(tmp_path, monkeypatch, capsys, args, said):
    """Options out of range: exit 2 naming the option / 超出范围的选项：退出状态 2，并指出是哪个选项"""
    course = course_with_a_submission(tmp_path)
    status, err = grade(course, monkeypatch, capsys, *args)
    assert status == 2 and said in err and "Traceback" not in err, err
    assert_nothing_written(course)


def test_a_missing_folder_is_refused(tmp_path, monkeypatch, capsys):
    """A submissions folder that is not there / 提交目录不存在"""
    course = copy_course(tmp_path, release=True)
    status, err = grade(course, monkeypatch, capsys)
    assert status == 2 and "no such folder" in err and "没有这个目录" in err, err


def test_a_course_without_its_student_version_says_to_release_it(tmp_path, monkeypatch, capsys):
    """solutions/ but no notebooks/ (a fresh copy, `course release` never run): say so, grade nothing
    有 solutions/ 却没有 notebooks/（从未运行 course release）：说明原因，不评阅"""
    course = course_with_a_submission(tmp_path, release=False)
    status, err = grade(course, monkeypatch, capsys)
    assert status == 2 and "Traceback" not in err, err
    assert f"notebooks/{L01}/{L01}.ipynb" in err and "course release" in err and "学生版" in err, err
    assert_nothing_written(course)


def test_a_late_policy_that_cannot_be_imported_is_refused_before_grading(tmp_path, monkeypatch, capsys):
    """nbgrader_config.py naming a policy by its old place (course.late_policy, before the package had rooms): refused at
    once with the setting and the policy's place now, not a traceback after every kernel ran
    nbgrader_config.py 用旧位置指定迟交政策：立即拒绝并给出设置名与现在的位置，而不是在所有内核运行后才出现回溯"""
    course = course_with_a_submission(tmp_path)
    config = course.config_path.read_text(encoding="utf-8")
    assert "course.gradebook.late_policy.PerDayPenalty" in config
    course.config_path.write_text(config.replace("course.gradebook.late_policy.PerDayPenalty", "course.late_policy.PerDayPenalty"))
    status, err = grade(course, monkeypatch, capsys)
    assert status == 2 and "Traceback" not in err, err
    assert "AssignLatePenalties.plugin_class" in err and "course.late_policy.PerDayPenalty" in err, err
    assert "course.gradebook.late_policy.PerDayPenalty" in err and "迟交" in err, err
    assert_nothing_written(course)


def test_a_lesson_without_observers_grades_nothing_and_says_why(tmp_path, monkeypatch, capsys):
    """The instructor removed a lesson's observers.py: exit 1, the reason once, no grades written
    教师删除了某课的 observers.py：退出状态 1，说明一次原因，不写出成绩"""
    course = course_with_a_submission(tmp_path)
    (course.source_notebook(L01).parent / "observers.py").unlink()
    status, err = grade(course, monkeypatch, capsys)
    assert status == 1 and "Traceback" not in err, err
    assert err.count("nothing was graded") == 1 and "没有评阅任何提交" in err and "observers.py" in err, err
    assert not (course.root / "grades.csv").exists()
