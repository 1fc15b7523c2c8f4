"""nbgrader's gradebook, opened the way every course command opens it / 每个课程命令打开 nbgrader 成绩库的方式。

A new gradebook is stamped with the newest revision of nbgrader's database scripts. nbgrader finds it by
running ``alembic heads`` in a subprocess (two to three CPU seconds, and ``alembic`` must be on ``PATH``);
``schema_head`` reads the same revision from the same scripts' ``revision`` / ``down_revision`` lines.
新建的成绩库要记录 nbgrader 数据库脚本的最新版本号。nbgrader 为此在子进程中运行 ``alembic heads``（两三秒 CPU）；
``schema_head`` 直接从同一批脚本的 revision / down_revision 行读出同一个版本号。
"""

import contextlib
import functools
import re
import warnings
from pathlib import Path

# `revision = 'e43177bfe90b'` and `down_revision = None` in each script / 每个脚本中的这两行
REVISION_LINE = re.compile(r"^(revision|down_revision)\s*=\s*(?:'([0-9a-f]+)'|\"([0-9a-f]+)\"|None)\s*$", re.MULTILINE)


@functools.cache
def schema_head() -> str | None:
    """The one revision no script revises, or None when the scripts do not say it plainly / 无法明确读出时为 None"""
    from nbgrader.dbutil import ALEMBIC_DIR

    revisions, revised = set(), set()
    for script in Path(ALEMBIC_DIR, "versions").glob("*.py"):
        found = {m[1]: m[2] or m[3] for m in REVISION_LINE.finditer(script.read_text(encoding="utf-8"))}
        if "revision" not in found or "down_revision" not in found:
            return None
        revisions.add(found["revision"])
        revised.add(found["down_revision"])
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None


def stamp_without_subprocess() -> None:
    """New gradebooks in this process stamped with ``schema_head``; nbgrader's subprocess where it is None.

    本进程中新建的成绩库使用 schema_head；读不出时仍用 nbgrader 的子进程。
    """
    import nbgrader.api

    if schema_head() is not None:
        nbgrader.api.get_alembic_version = schema_head


@contextlib.contextmanager
def open_gradebook(db_url: str):
    """nbgrader's Gradebook, stamped without a subprocess, its SQLAlchemy notices quiet / 打开 nbgrader 成绩库。"""
    from nbgrader.api import Gradebook

    from course.layout import CourseLayout

    stamp_without_subprocess()
    # nbgrader's own subprocess, where it is still used, runs `alembic` by name / nbgrader 的子进程按名称调用 alembic
    with CourseLayout.environment_tools_on_path(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(db_url) as gradebook:
            yield gradebook
