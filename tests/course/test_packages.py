"""Two packages: ``helpers/`` is what a notebook imports, ``course/`` the instructor's tool, kept apart.
两个包：``helpers/`` 是笔记本导入的模块，``course/`` 是教师的工具，二者分开。"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from lesson_cells import LAYOUT, NOTEBOOKS, SOLUTIONS, lesson_notebooks, read

import course
import helpers
from course.kernel.injected.guard import RESTORE_NAME
from course.kernel.sandbox import sandbox_view
from course.layout import CourseLayout
from course.notebook.build import GUARD_SNAPSHOT

# Modules of helpers/ that no lesson imports by name, and why / helpers/ 中不被课程直接导入的模块及原因
NOT_IMPORTED_BY_LESSONS = {"__init__": "the package itself / 包本身",
                           "_graph_layout": "plot_graph's layout, private to helpers.graph / plot_graph 的布局，仅供 helpers.graph 使用"}
# What `course --help` and argument errors must not pay for / `course --help` 与参数错误不应付出的导入代价
HEAVY = ("nbformat", "nbclient", "nbgrader", "nbconvert", "jupyter_client", "torch", "numpy", "matplotlib")
IMPORTED = re.compile(r"^\s*(?:from\s+helpers\.(\w+)\s+import|import\s+helpers\.(\w+)|from\s+helpers\s+import\s+([\w, ]+))", re.M)


def helpers_the_lessons_import() -> set[str]:
    names = set()
    for notebook in lesson_notebooks(SOLUTIONS) + lesson_notebooks(NOTEBOOKS):
        for cell in read(notebook).cells:
            if cell.cell_type == "code":
                for found in IMPORTED.findall(cell.source):
                    names |= {n.strip() for group in found for n in group.split(",") if n.strip()}
    return names


def test_helpers_holds_only_what_the_lessons_import():
    """helpers/ is the learner's library: each module is imported by a lesson (or listed above with a reason)
    helpers/ 是学生端的库：每个模块都被某一课导入（或在上面列出并说明原因）"""
    modules = {p.stem for p in Path(helpers.__file__).parent.glob("*.py")}
    assert modules == helpers_the_lessons_import() | set(NOT_IMPORTED_BY_LESSONS), (
        "helpers/ is for what notebooks import; the instructor's modules go in course/ / "
        "helpers/ 只放笔记本导入的模块；教师端的模块放在 course/"
    )


def test_helpers_never_imports_the_instructor_package():
    """A notebook importing helpers never pulls in course/ (a grading kernel cannot see it) / helpers 从不导入 course"""
    for module in Path(helpers.__file__).parent.glob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+course\b", module.read_text(encoding="utf-8"), re.M), module.name


@pytest.mark.parametrize(
    ("argv", "says"),
    [(["--help"], "usage: course"), (["grade", "--help"], "usage: course grade"), (["grade"], "required: SUBMITTED"),
     (["grade", ".", "--shard", "3/2"], "--shard wants"), (["nonsense"], "invalid choice")],
    ids=["help", "grade-help", "missing-argument", "bad-shard", "unknown-command"],
)
def test_help_and_argument_errors_import_nothing_heavy(argv, says):
    """`course --help` and argument errors answer at once: no nbformat, nbgrader, torch… / 立即响应，不导入重量级模块"""
    script = CourseLayout.tools / "course"
    result = subprocess.run([sys.executable, "-X", "importtime", str(script), *argv], cwd=LAYOUT.root,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode in (0, 2), result.stderr[-2000:]
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))
    assert says in result.stdout + result.stderr


def test_the_layout_is_nbgrader_s():
    """The layout's source and release folders are the ones nbgrader_config.py gives nbgrader / 与 nbgrader 的配置一致"""
    config = LAYOUT.nbgrader_config()
    assert config.CourseDirectory.source_directory == LAYOUT.source_directory
    assert config.CourseDirectory.release_directory == LAYOUT.release_directory


def test_the_layout_finds_the_course_and_its_lessons():
    """Found from any folder inside; lessons are the numbered folders of the source / 从课程内任何目录都能找到课程"""
    lesson = LAYOUT.lessons()[0]
    assert CourseLayout.find(LAYOUT.source_notebook(lesson).parent) == LAYOUT
    assert LAYOUT.source_notebook(lesson) == LAYOUT.source_dir / lesson / f"{lesson}.ipynb"
    assert [p.parent.name for p in lesson_notebooks(SOLUTIONS)] == LAYOUT.lessons()
    assert LAYOUT.sanitize_path.is_file() and LAYOUT.config_path.is_file()
    env = CourseLayout.tools_on_path({"PATH": "/usr/bin"})
    assert env["PATH"].split(":")[0] == str(CourseLayout.tools) and (CourseLayout.tools / "course").is_file()


def test_the_kernel_view_exposes_helpers_but_not_the_instructor_package(tmp_path):
    """A sandboxed kernel gets helpers/, the environment and the interpreter back, read-only; course/ stays covered
    沙箱中的内核只能看到 helpers/、Python 环境与解释器（只读）；course/ 被覆盖"""
    covered, exposed, hidden = sandbox_view(LAYOUT.root, tmp_path / "0", [])
    helpers_dir, course_dir = Path(helpers.__file__).resolve().parent, Path(course.__file__).resolve().parent
    assert set(exposed) == {str(helpers_dir), str(Path(sys.prefix).resolve()), str(Path(sys.base_prefix).resolve())}
    assert any(course_dir == Path(c) or Path(c) in course_dir.parents for c in covered)
    assert not any(course_dir == Path(e) or Path(e) in course_dir.parents for e in exposed)


def test_the_guard_reaches_the_kernel_as_source():
    """The guard cell works where the instructor package cannot be imported, and still undoes a patch
    守护单元格在无法导入教师端包的地方也能运行，并撤销猴子补丁"""
    code = (
        "import math, sys\n"
        "sys.modules['course'] = None  # import course now fails / 之后 import course 会失败\n"
        "namespace = {'assert_close': 'kept'}\n"
        f"exec({GUARD_SNAPSHOT!r}, namespace)\n"
        "sqrt = math.sqrt\n"
        "math.sqrt = lambda x: 0.0\n"
        "namespace['assert_close'] = None\n"
        f"namespace[{RESTORE_NAME!r}]()\n"
        "assert math.sqrt is sqrt and namespace['assert_close'] == 'kept' and '__course_guard__' not in namespace\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
