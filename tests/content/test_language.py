"""One language at a time: language views, graded like the bilingual notebooks, and feedback in one language.
一次只读一种语言：单语言版本的评分与双语版本相同，反馈也可以只用一种语言。"""

import csv
import subprocess
import sys

import nbformat
import pytest
from lesson_cells import LAYOUT, NOTEBOOKS, ROOT, SOLUTIONS, lesson_notebooks

from course.authoring.views import language_view, write_views
from course.bilingual import in_language, split_message
from course.cli import main
from course.layout import CourseLayout

L01 = "01_numpy_gradient_descent"


def code_cells(nb):
    return [(c.get("id"), c.source, c.metadata) for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("notebook", lesson_notebooks(NOTEBOOKS), ids=lambda p: p.stem)
def test_a_view_keeps_one_language_and_every_code_cell(notebook, lang):
    """Only the other language's Markdown goes; code, nbgrader metadata and ids stay / 只删去另一种语言的 Markdown"""
    nb = nbformat.read(notebook, as_version=4)
    view = language_view(nb, lang)
    # A written answer is the learner's, in either language: every view keeps it / 书面答案属于学生，任一语言的版本都保留它
    written = [c.id for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")]
    markdown = [c for c in view.cells if c.cell_type == "markdown" and c.id not in written]
    assert markdown and all(c.metadata["tags"] == [lang] for c in markdown)
    assert len(markdown) * 2 + len(written) == sum(c.cell_type == "markdown" for c in nb.cells)
    assert [c.id for c in view.cells if c.id in written] == written
    assert code_cells(view) == code_cells(nb)


def test_writing_views_twice_changes_nothing(tmp_path):
    """Views are reproducible, byte for byte / 单语言版本逐字节可复现"""
    first = {p.name: p.read_bytes() for p in write_views(LAYOUT, "zh", out=tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in write_views(LAYOUT, "zh", out=tmp_path / "a")}
    assert first == second and len(first) == len(lesson_notebooks(NOTEBOOKS))


def test_html_views_show_demo_outputs_in_one_language(tmp_path):
    """The Chinese HTML of lesson 01 has Chinese headings, no English ones, and the printed losses / 中文 HTML 含输出"""
    (html,) = [p for p in write_views(LAYOUT, "zh", to="html", out=tmp_path) if L01 in p.name]
    text = html.read_text(encoding="utf-8")
    assert "用 NumPy 实现梯度下降" in text and "Gradient descent with NumPy" not in text
    assert "1999" in text and "11.1030" in text


@pytest.mark.parametrize(
    ("message", "english", "chinese"),
    [
        ("w has the wrong shape: expected (4,), got (3,) / w 的形状不对：应为 (4,)，实际为 (3,)",
         "w has the wrong shape: expected (4,), got (3,)", "w 的形状不对：应为 (4,)，实际为 (3,)"),
        ("losses[0] (the loss at w0 / w0 处的损失) is wrong / losses[0] (the loss at w0 / w0 处的损失) 的值不对",
         "losses[0] (the loss at w0 / w0 处的损失) is wrong", "losses[0] (the loss at w0 / w0 处的损失) 的值不对"),
        ("English only", "English only", "English only"),
    ],
    ids=["plain", "name-with-slash", "one-language"],
)
def test_messages_split_into_their_languages(message, english, chinese):
    """`English / 中文` splits at the right separator / 在正确的分隔符处拆分"""
    assert in_language(message, "en") == english and in_language(message, "zh") == chinese
    assert in_language(message, "both") == message
    assert (split_message(message) is None) == (english == chinese)


def test_one_language_notebooks_grade_like_bilingual_ones(tmp_path):
    """A zh view of the solution scores full marks, an en view of the stub 0; --lang zh leaves no English / 单语言笔记本同样评分"""
    submitted = tmp_path / "submitted"
    for student, source, lang in (("zh_reader", SOLUTIONS, "zh"), ("en_reader", NOTEBOOKS, "en")):
        target = CourseLayout.lesson_file(submitted / student, L01)
        target.parent.mkdir(parents=True)
        view = language_view(nbformat.read(CourseLayout.lesson_file(source, L01), as_version=4), lang)
        nbformat.write(view, target)
    out, feedback = tmp_path / "grades.csv", tmp_path / "feedback"
    command = [sys.executable, "-m", "course", "grade", str(submitted), "--lang", "zh", "--out", str(out),
               "--feedback", str(feedback), "--db-url", f"sqlite:///{tmp_path / 'gradebook.db'}", "--autograded", str(tmp_path / "autograded")]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    rows = [r for r in csv.DictReader(out.open(encoding="utf-8")) if r["assignment"] == L01]
    scores = {s: sum(float(r["score"]) for r in rows if r["student_id"] == s) for s in ("zh_reader", "en_reader")}
    assert scores == {"zh_reader": 14, "en_reader": 0}
    messages = {r["message"] for r in rows if r["student_id"] == "en_reader"}
    assert messages == {"尚未作答（NotImplementedError）"}
    html = CourseLayout.lesson_file(feedback / "en_reader", L01, ".html").read_text(encoding="utf-8")
    assert "尚未作答" in html and "not answered yet" not in html


def test_course_check_follows_course_lang(monkeypatch, capsys):
    """COURSE_LANG=en prints English only / COURSE_LANG=en 时只打印英文"""
    monkeypatch.setenv("COURSE_LANG", "en")
    assert main(["check", str(LAYOUT.release_notebook(L01))]) == 1
    printed = capsys.readouterr().out
    assert "not answered yet" in printed and "尚未作答" not in printed and "exercises pass" in printed and "个练习" not in printed
