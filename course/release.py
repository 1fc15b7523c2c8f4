"""Generate the student notebooks (nbgrader's release) from the solutions / 由答案笔记本生成学生版笔记本。

``solutions/<lesson>/<lesson>.ipynb`` is nbgrader's source; ``notebooks/`` is its release. The
generation runs in a throwaway course folder, so it never touches the course's gradebook, and it
is byte-for-byte reproducible. Used by ``course release`` and by the release check in ``tests/``.
生成过程在临时课程目录中进行，不会改动课程的成绩库，且逐字节可复现。
"""

import contextlib
import shutil
import tempfile
from pathlib import Path

from course.gradebook import stamp_without_subprocess
from course.layout import CourseLayout


class ReleaseError(RuntimeError):
    """nbgrader could not generate a lesson's student version / nbgrader 无法生成某课的学生版。"""


def generate_release(course: CourseLayout, release_dir: Path | None = None) -> list[Path]:
    """Regenerate every lesson's student notebook into ``release_dir`` (default: the course's ``notebooks/``).

    ``release_dir`` ends up holding exactly the generated lessons. Returns the notebooks written.
    将每课的学生版笔记本重新生成到 release_dir（默认是课程的 notebooks/），返回写出的笔记本路径。
    """
    course = CourseLayout(course.root.resolve())
    release_dir = Path(release_dir) if release_dir is not None else course.release_dir
    with _scratch_course(course) as scratch:
        _generate(scratch, course.lessons(), scratch.gradebook_url)
        if release_dir.exists():
            shutil.rmtree(release_dir)
        shutil.copytree(scratch.release_dir, release_dir)
    return sorted(release_dir.glob("*/*.ipynb"))


def record_lessons(course: CourseLayout, db_url: str, lessons: list[str]) -> None:
    """Record ``lessons`` (their graded cells and points) in the gradebook at ``db_url``, as
    ``nbgrader generate_assignment`` does; the course's files are left alone.

    像 nbgrader generate_assignment 一样把各课（评分单元格与分值）记录到成绩库中，不改动课程文件。
    """
    with _scratch_course(CourseLayout(course.root.resolve())) as scratch:
        _generate(scratch, lessons, db_url)


@contextlib.contextmanager
def _scratch_course(course: CourseLayout):
    """A throwaway course holding the configuration and the source only / 只含配置与源笔记本的临时课程。"""
    with tempfile.TemporaryDirectory(prefix="course-release-") as folder:
        scratch = CourseLayout(Path(folder))
        shutil.copy2(course.config_path, scratch.config_path)
        shutil.copytree(course.source_dir, scratch.source_dir, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        yield scratch


def _generate(scratch: CourseLayout, lessons: list[str], db_url: str) -> None:
    from nbgrader.apps import (
        NbGraderAPI,  # a second or two: only where lessons are generated / 只在生成时导入
    )

    stamp_without_subprocess()
    api = NbGraderAPI(config=load_config(scratch, db_url))
    for lesson in lessons:
        with CourseLayout.environment_tools_on_path():
            result = api.generate_assignment(lesson, force=True)
        if not result["success"]:
            raise ReleaseError(f"nbgrader could not generate lesson {lesson} / nbgrader 无法生成第 {lesson} 课：\n{result['log']}")


def load_config(course: CourseLayout, db_url: str):
    """nbgrader's configuration of ``course`` (its ``nbgrader_config.py``), rooted there, with ``db_url``.

    课程的 nbgrader 配置（nbgrader_config.py），以课程目录为根，使用 db_url。
    """
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(course.config_file, path=str(course.root)).load_config()
    config.CourseDirectory.root = str(course.root)
    config.CourseDirectory.db_url = db_url
    return config
