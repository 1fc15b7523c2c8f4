"""Generate the student notebooks (nbgrader's release) from the solutions / 由答案笔记本生成学生版笔记本。

``solutions/<lesson>/<lesson>.ipynb`` is nbgrader's source; ``notebooks/`` is its release. The
generation runs in a throwaway course folder, so it never touches the course's gradebook, and it
is byte-for-byte reproducible. Used by ``course release`` and by the release check in ``tests/``.
生成过程在临时课程目录中进行，不会改动课程的成绩库，且逐字节可复现。
"""

import shutil
from pathlib import Path

from course.gradebook.store import generate_lessons, scratch_course
from course.layout import CourseLayout


def generate_release(course: CourseLayout, release_dir: Path | None = None) -> list[Path]:
    """Regenerate every lesson's student notebook into ``release_dir`` (default: the course's ``notebooks/``).

    ``release_dir`` ends up holding exactly the generated lessons. Returns the notebooks written.
    将每课的学生版笔记本重新生成到 release_dir（默认是课程的 notebooks/），返回写出的笔记本路径。
    """
    course = CourseLayout(course.root.resolve())
    release_dir = Path(release_dir) if release_dir is not None else course.release_dir
    with scratch_course(course) as scratch:
        generate_lessons(scratch, course.lessons(), scratch.gradebook_url)
        if release_dir.exists():
            shutil.rmtree(release_dir)
        shutil.copytree(scratch.release_dir, release_dir)
    return sorted(release_dir.glob("*/*.ipynb"))

