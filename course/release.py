"""Generate the student notebooks (nbgrader's release) from the solutions / 由答案笔记本生成学生版笔记本。

``solutions/<lesson>/<lesson>.ipynb`` is nbgrader's source; ``notebooks/`` is its release. The
generation runs in a throwaway course folder, so it never touches the course's gradebook, and it
is byte-for-byte reproducible. Used by ``course release`` and by the release check in ``tests/``.
生成过程在临时课程目录中进行，不会改动课程的成绩库，且逐字节可复现。
"""

import contextlib
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"
SOURCE_DIR = "solutions"
RELEASE_DIR = "notebooks"
# Numbered slugs: 01_numpy_gradient_descent / 编号加名称，例如 01_numpy_gradient_descent
LESSON_NAME = re.compile(r"^\d\d_[a-z0-9_]+$")


class ReleaseError(RuntimeError):
    """nbgrader could not generate a lesson's student version / nbgrader 无法生成某课的学生版。"""


def find_lessons(course_root: Path) -> list[str]:
    """The lessons in ``solutions/``: numbered folders holding a notebook of the same name.

    solutions/ 中的各课：带编号、且包含同名笔记本的文件夹。
    """
    source = Path(course_root) / SOURCE_DIR
    return sorted(
        folder.name
        for folder in source.iterdir()
        if folder.is_dir() and LESSON_NAME.match(folder.name) and (folder / f"{folder.name}.ipynb").is_file()
    )


def generate_release(course_root: Path, release_dir: Path | None = None) -> list[Path]:
    """Regenerate every lesson's student notebook into ``release_dir`` (default: the course's ``notebooks/``).

    ``release_dir`` ends up holding exactly the generated lessons. Returns the notebooks written.
    将每课的学生版笔记本重新生成到 release_dir（默认是课程的 notebooks/），返回写出的笔记本路径。
    """
    course_root = Path(course_root).resolve()
    release_dir = Path(release_dir) if release_dir is not None else course_root / RELEASE_DIR
    with _scratch_course(course_root) as scratch:
        _generate(scratch, find_lessons(course_root), f"sqlite:///{scratch / 'gradebook.db'}")
        if release_dir.exists():
            shutil.rmtree(release_dir)
        shutil.copytree(scratch / RELEASE_DIR, release_dir)
    return sorted(release_dir.glob("*/*.ipynb"))


def record_lessons(course_root: Path, db_url: str, lessons: list[str]) -> None:
    """Record ``lessons`` (their graded cells and points) in the gradebook at ``db_url``, as
    ``nbgrader generate_assignment`` does; the course's files are left alone.

    像 nbgrader generate_assignment 一样把各课（评分单元格与分值）记录到成绩库中，不改动课程文件。
    """
    with _scratch_course(Path(course_root).resolve()) as scratch:
        _generate(scratch, lessons, db_url)


@contextlib.contextmanager
def _scratch_course(course_root: Path):
    with tempfile.TemporaryDirectory(prefix="course-release-") as scratch:
        scratch = Path(scratch)
        shutil.copy2(course_root / CONFIG_FILE, scratch / CONFIG_FILE)
        shutil.copytree(
            course_root / SOURCE_DIR,
            scratch / SOURCE_DIR,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
        )
        yield scratch


def _generate(scratch: Path, lessons: list[str], db_url: str) -> None:
    api = NbGraderAPI(config=_load_config(scratch, db_url))
    for lesson in lessons:
        with environment_tools_on_path():
            result = api.generate_assignment(lesson, force=True)
        if not result["success"]:
            raise ReleaseError(f"nbgrader could not generate lesson {lesson} / nbgrader 无法生成第 {lesson} 课：\n{result['log']}")


@contextlib.contextmanager
def environment_tools_on_path():
    """Put this environment's scripts first on PATH: nbgrader runs ``alembic`` by name.

    把当前环境的脚本目录放在 PATH 最前面：nbgrader 会按名称调用 ``alembic``。
    """
    previous = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), previous])
    try:
        yield
    finally:
        os.environ["PATH"] = previous


def _load_config(course_root: Path, db_url: str):
    config = PyFileConfigLoader(CONFIG_FILE, path=str(course_root)).load_config()
    config.CourseDirectory.root = str(course_root)
    config.CourseDirectory.db_url = db_url
    return config
