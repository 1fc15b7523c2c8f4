"""notebooks/ is exactly what nbgrader generates from solutions/ / notebooks/ 与 nbgrader 由 solutions/ 生成的结果完全一致。"""

import pytest
from lesson_cells import LAYOUT, NOTEBOOKS, copy_course, lesson_notebooks, nbgrader_meta, read

from course.authoring.release import generate_release
from course.gradebook.store import ReleaseError


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory):
    """notebooks/ regenerated into a temporary folder, by the code `course release` runs."""
    out = tmp_path_factory.mktemp("release") / LAYOUT.release_directory
    generate_release(LAYOUT, out)
    return out


def files_under(folder):
    return {p.relative_to(folder): p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def test_every_lesson_has_a_student_notebook():
    """Each lesson of solutions/ is released / solutions/ 中的每一课都已发布"""
    lessons = LAYOUT.lessons()
    assert lessons, "no lesson found in solutions/ / solutions/ 中没有找到任何课程"
    assert [p.parent.name for p in lesson_notebooks(NOTEBOOKS)] == lessons


def test_committed_notebooks_match_a_fresh_release(fresh_release):
    """Run `course release` (or `make release`) after editing solutions/ / 修改 solutions/ 后请运行 `course release`"""
    fresh, committed = files_under(fresh_release), files_under(NOTEBOOKS)
    assert sorted(committed) == sorted(fresh), "notebooks/ has missing or extra files; run `course release` / notebooks/ 中缺少或多出文件，请运行 `course release`"
    stale = [str(name) for name, path in fresh.items() if path.read_bytes() != committed[name].read_bytes()]
    assert not stale, f"stale student notebooks, run `course release` / 学生版笔记本已过期，请运行 `course release`: {stale}"


def test_release_is_reproducible(fresh_release, tmp_path):
    """Generating twice gives identical bytes / 两次生成的结果逐字节相同"""
    again = tmp_path / LAYOUT.release_directory
    generate_release(LAYOUT, again)
    first, second = files_under(fresh_release), files_under(again)
    assert sorted(first) == sorted(second)
    assert all(first[name].read_bytes() == second[name].read_bytes() for name in first)


@pytest.mark.parametrize("notebook", lesson_notebooks(NOTEBOOKS), ids=lambda p: p.parent.name)
def test_student_notebooks_hold_no_answers_and_no_outputs(notebook):
    """Student notebooks have no solutions, no hidden tests and no outputs / 学生版不含答案、隐藏测试和输出"""
    nb = read(notebook)
    text = notebook.read_text(encoding="utf-8")
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text, f"{marker} left in {notebook.name}"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"cell {cell.id} has outputs / 单元格有输出"
    # Every exercise is left for the learner to do / 每个练习都留给学生完成
    answers = [c for c in nb.cells if nbgrader_meta(c).get("solution")]
    assert answers and all("raise NotImplementedError()" in c.source for c in answers if c.cell_type == "code")
    # A written answer starts from the course's text stub / 书面答案从课程的文字占位开始
    stub = LAYOUT.nbgrader_config().ClearSolutions.text_stub
    assert all(c.source == stub for c in answers if c.cell_type == "markdown")


def test_release_refuses_a_broken_source(tmp_path):
    """A solution notebook nbgrader rejects gives a clear error, and notebooks/ is left alone.
    nbgrader 拒绝的答案笔记本会给出清楚的错误，且 notebooks/ 保持不变。"""
    course = copy_course(tmp_path / "course")
    course.release_dir.mkdir()
    (course.release_dir / "keep.txt").write_text("unchanged")
    lesson = LAYOUT.lessons()[0]
    broken = course.source_notebook(lesson)
    # A solution region that never ends / 一个没有结束标记的答案区域
    broken.write_text(broken.read_text(encoding="utf-8").replace("### END SOLUTION", "", 1), encoding="utf-8")
    with pytest.raises(ReleaseError, match=lesson):
        generate_release(course)
    assert (course.release_dir / "keep.txt").read_text() == "unchanged"
