"""Where everything of a course lies / 课程各部分的位置。

``CourseLayout`` is the one place that knows the course's paths, as nbgrader's
``CourseDirectory.format_path`` is there: the root, nbgrader's source (``solutions/``) and release
(``notebooks/``), the lessons, the file of a lesson in any folder laid out like nbgrader's
(``<folder>/<lesson>/<lesson>.ipynb``: source, release, ``submitted/<student>``, feedback, views),
the nbval sanitize file, and the environment the tools run in (its scripts first on ``PATH``).
Nothing else assembles these paths. Importing this module imports only the standard library.
CourseLayout 是唯一知道课程路径的地方（如同 nbgrader 的 CourseDirectory.format_path）：根目录、source 与 release、
各课、任意按 nbgrader 方式组织的目录中某课的文件、nbval 的清理规则文件，以及工具运行的环境。
"""

import contextlib
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

# Numbered slugs: 01_numpy_gradient_descent / 编号加名称，例如 01_numpy_gradient_descent
LESSON_NAME = re.compile(r"^\d\d_[a-z0-9_]+$")


@dataclass(frozen=True)
class CourseLayout:
    """The folders and files of the course rooted at ``root`` / 以 root 为根的课程的目录与文件。"""

    root: Path
    # nbgrader's CourseDirectory.source_directory and release_directory, as nbgrader_config.py sets them
    # (tests/course/test_packages.py checks that they agree) / 与 nbgrader_config.py 中的设置一致（有测试检查）
    source_directory: ClassVar[str] = "solutions"
    release_directory: ClassVar[str] = "notebooks"
    config_file: ClassVar[str] = "nbgrader_config.py"
    # The one file saying what legitimately varies between runs and machines (nbval reads it too)
    # 唯一说明不同运行、不同机器之间哪些内容合理变化的文件（nbval 也读取它）
    sanitize_file: ClassVar[Path] = Path("tests") / "nbval_sanitize.cfg"
    # This environment's scripts (``jupyter``, ``alembic``, ``course``) / 当前环境的脚本目录
    tools: ClassVar[Path] = Path(sys.executable).parent

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    @classmethod
    def find(cls, start: Path) -> "CourseLayout":
        """The course at or above ``start``: the nearest folder holding ``nbgrader_config.py`` and ``solutions/``.

        Raises ``NoCourseError`` with a bilingual message when there is none / 找不到时抛出带双语信息的 NoCourseError。
        """
        start = Path(start)
        for folder in (start, *start.parents):
            if (folder / cls.config_file).is_file() and (folder / cls.source_directory).is_dir():
                return cls(folder)
        from course.errors import NoCourseError

        raise NoCourseError(
            f"No course found at or above {start} (looked for {cls.config_file} and {cls.source_directory}/) / "
            f"在 {start} 及其上级目录中没有找到课程（需要 {cls.config_file} 和 {cls.source_directory}/）"
        )

    @property
    def source_dir(self) -> Path:
        return self.root / self.source_directory

    @property
    def release_dir(self) -> Path:
        return self.root / self.release_directory

    @property
    def config_path(self) -> Path:
        return self.root / self.config_file

    @property
    def sanitize_path(self) -> Path:
        return self.root / self.sanitize_file

    @property
    def autograded_dir(self) -> Path:
        """``autograded/``, nbgrader's ``CourseDirectory.autograded_directory``: graded notebooks formgrader opens / 已评分的笔记本。"""
        return self.root / "autograded"

    @property
    def gradebook_path(self) -> Path:
        """``gradebook.db`` in the root, nbgrader's default gradebook / nbgrader 默认的成绩库文件。"""
        return self.root / "gradebook.db"

    @property
    def gradebook_url(self) -> str:
        """The default gradebook as nbgrader's default ``db_url`` / 默认成绩库的 URL。"""
        return f"sqlite:///{self.gradebook_path}"

    def nbgrader_config(self, db_url: str | None = None):
        """nbgrader's configuration of this course (its ``nbgrader_config.py``), rooted here, with ``db_url`` if given.

        本课程的 nbgrader 配置（nbgrader_config.py），以课程目录为根；给出 db_url 时使用它。
        """
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader(self.config_file, path=str(self.root)).load_config()
        config.CourseDirectory.root = str(self.root)
        if db_url is not None:
            config.CourseDirectory.db_url = db_url
        return config

    @staticmethod
    def lesson_file(folder: Path, lesson: str, suffix: str = ".ipynb") -> Path:
        """``<folder>/<lesson>/<lesson><suffix>``: how every folder of the course holds a lesson.

        ``folder`` is the source, the release, ``SUBMITTED/<student>``, a feedback folder's ``<student>``
        or a view. / 课程中任何目录存放某课的方式。
        """
        return Path(folder) / lesson / f"{lesson}{suffix}"

    def source_notebook(self, lesson: str) -> Path:
        """``solutions/<lesson>/<lesson>.ipynb``: the instructor's notebook / 教师版笔记本。"""
        return self.lesson_file(self.source_dir, lesson)

    def release_notebook(self, lesson: str) -> Path:
        """``notebooks/<lesson>/<lesson>.ipynb``: the learner's notebook / 学生版笔记本。"""
        return self.lesson_file(self.release_dir, lesson)

    def lessons(self) -> list[str]:
        """The lessons in ``solutions/``: numbered folders holding a notebook of the same name.

        solutions/ 中的各课：带编号、且包含同名笔记本的文件夹。
        """
        return sorted(
            folder.name
            for folder in self.source_dir.iterdir()
            if folder.is_dir() and LESSON_NAME.match(folder.name) and self.lesson_file(self.source_dir, folder.name).is_file()
        )

    @classmethod
    def tools_on_path(cls, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """``env`` (default: this process's environment) with this environment's scripts first on ``PATH``,
        as if it were activated: nbgrader runs ``alembic`` by name.

        返回把当前环境的脚本目录放在 PATH 最前面的环境变量（相当于激活了环境）：nbgrader 会按名称调用 ``alembic``。
        """
        env = dict(os.environ if env is None else env)
        env["PATH"] = os.pathsep.join([str(cls.tools), *filter(None, [env.get("PATH", "")])])
        return env

    @classmethod
    @contextlib.contextmanager
    def environment_tools_on_path(cls) -> Iterator[None]:
        """This process, for the duration, with the environment's scripts first on ``PATH`` / 临时把脚本目录放在 PATH 最前面。"""
        previous = os.environ.get("PATH", "")
        os.environ["PATH"] = cls.tools_on_path({"PATH": previous})["PATH"]
        try:
            yield
        finally:
            os.environ["PATH"] = previous
