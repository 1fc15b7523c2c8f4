"""The `course` command: release and execute, with clear errors / `course` 命令：发布与执行，出错时信息清楚。"""

import re

import nbformat
import pytest
from lesson_cells import LAYOUT, copy_course
from nbclient.exceptions import CellExecutionError

from course.authoring.execute import refresh_outputs
from course.cli import main


def small_notebook(path, *sources, tags=()):
    cells = [nbformat.v4.new_code_cell(s) for s in sources]
    for cell, tag in zip(cells, tags, strict=False):
        if tag:
            cell.metadata["tags"] = [tag]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_release_from_a_course_folder(tmp_path, monkeypatch, capsys):
    """`course release` writes notebooks/ for a course found from any sub-folder / 在任意子目录运行都能找到课程并写出 notebooks/"""
    copy = copy_course(tmp_path)
    monkeypatch.chdir(copy.source_dir)
    assert main(["release"]) == 0
    written = sorted(p.relative_to(copy.root) for p in copy.release_dir.glob("*/*.ipynb"))
    assert written == sorted(p.relative_to(LAYOUT.root) for p in LAYOUT.release_dir.glob("*/*.ipynb"))
    assert "已写出" in capsys.readouterr().out


def test_outside_a_course_says_so(tmp_path, monkeypatch, capsys):
    """Run outside a course, the command explains what it looked for / 在课程之外运行时说明它在找什么"""
    monkeypatch.chdir(tmp_path)
    assert main(["release"]) == 2
    assert re.search("No course found .* / .*没有找到课程", capsys.readouterr().err)


def test_execute_rejects_an_unknown_lesson(monkeypatch, capsys):
    """A misspelt lesson is named, with the known ones / 拼错的课程名会被指出，并列出已有课程"""
    monkeypatch.chdir(LAYOUT.root)
    assert main(["execute", "01_numpy"]) == 2
    err = capsys.readouterr().err
    assert "unknown lesson(s) 01_numpy" in err and "01_numpy_gradient_descent" in err and "未知的课程" in err


def test_execute_says_which_lesson_failed_and_shows_the_error_once(tmp_path, monkeypatch, capsys):
    """A lesson whose cell raises: exit 1, the lesson named in both languages, the cell's error shown once, the file kept
    某课的单元格报错：退出状态 1，用两种语言指出该课，错误只显示一次，文件不变"""
    course = copy_course(tmp_path)
    lesson = LAYOUT.lessons()[0]
    nb = nbformat.read(course.source_notebook(lesson), as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell("raise ZeroDivisionError('a planted failure')"))
    nbformat.write(nb, course.source_notebook(lesson))
    before = course.source_notebook(lesson).read_bytes()
    monkeypatch.chdir(course.root)
    assert main(["execute", lesson]) == 1
    err = capsys.readouterr().err
    assert f"{lesson} failed, its file is unchanged" in err and "执行失败" in err, err
    assert err.count("An error occurred while executing the following cell") == 1, err
    assert course.source_notebook(lesson).read_bytes() == before


def test_refresh_outputs_is_idempotent_and_allows_tagged_errors(tmp_path):
    """Executing twice changes nothing; a tagged error is kept as output / 执行两次结果不变；带标签的错误保留为输出"""
    notebook = small_notebook(tmp_path / "n.ipynb", "print(1 / 3)", "1 / 0", tags=(None, "raises-exception"))
    refresh_outputs(notebook)
    first = notebook.read_bytes()
    refresh_outputs(notebook)
    assert notebook.read_bytes() == first
    nb = nbformat.read(notebook, as_version=4)
    assert nb.cells[0].outputs[0].text == "0.3333333333333333\n"
    assert nb.cells[1].outputs[0].ename == "ZeroDivisionError"


def test_refresh_outputs_stores_no_machine_path(tmp_path):
    """`course execute` stores outputs without the machine's paths, as nbval sanitizes them / 存储的输出不含本机路径"""
    notebook = small_notebook(
        tmp_path / "n.ipynb", "import os, torch; print(torch.__file__, os.__file__)", "import helpers.checks as m; m.__file__"
    )
    refresh_outputs(notebook, sanitize_with=LAYOUT.sanitize_path)
    nb = nbformat.read(notebook, as_version=4)
    assert nb.cells[0].outputs[0].text == "SITE_PACKAGES/torch/__init__.py PYTHON_LIB/os.py\n"
    assert nb.cells[1].outputs[0].data["text/plain"] == "'COURSE/helpers/checks.py'"


def test_refresh_outputs_leaves_the_file_alone_on_an_unexpected_error(tmp_path):
    """An untagged error stops, and the notebook on disk is unchanged / 未加标签的错误会中止，磁盘上的笔记本不变"""
    notebook = small_notebook(tmp_path / "n.ipynb", "1 / 0")
    before = notebook.read_bytes()
    with pytest.raises(CellExecutionError):
        refresh_outputs(notebook)
    assert notebook.read_bytes() == before


def test_the_grading_summary_counts_only_lessons_someone_submitted():
    """Lesson 02 not collected yet: not 'missing' for everyone; a student without lesson 01 is missing once"""
    from course.cli import grading_summary
    from course.results import ExerciseResult, Status, SubmissionResult

    def result(lesson, status, student, notebook):
        return SubmissionResult(lesson, [ExerciseResult("ex", status, 0.0, 1.0, "")], notebook=notebook, student=student)

    graded = [result("01", Status.OK, "ada", {}), result("01", Status.MISSING, "bo", None),
              result("02", Status.MISSING, "ada", None), result("02", Status.MISSING, "bo", None)]  # fmt: skip
    line = grading_summary(graded, 1.0)
    assert "graded 1 submissions of 1 lesson(s)" in line and "(1 missing)" in line, line
    assert "{'ok': 1, 'missing': 1}" in line and "缺交 1 份" in line, line
