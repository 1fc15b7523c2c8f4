"""A learner's submitted notebook, read safely and checked against its lesson.
安全读取学生提交的笔记本，并对照其所属课程检查。
"""

import json
from pathlib import Path

import nbformat

from course.bilingual import Text
from course.errors import CourseError
from course.notebook.cells import nbgrader_meta
from course.notebook.lesson import Lesson
from course.safe_files import read_regular_file

MAX_NOTEBOOK_BYTES = 200 * 1024 * 1024


class InvalidSubmission(CourseError, ValueError):
    """A submission that cannot be graded at all; the message is bilingual / 无法评阅的提交，信息为双语。"""


class LinkedSubmission(InvalidSubmission):
    """The submitted notebook, or a folder on its way, is a link: never followed, never graded.

    提交的笔记本（或其所在目录）是一个链接：不跟随，不评分。
    """


LINKED_MESSAGE = Text("the submitted notebook is a link, which is never followed", "提交的笔记本是一个链接，评阅程序不会跟随链接")


def read_submission(path: Path, lesson: Lesson, all_exercise_ids: set[str]) -> nbformat.NotebookNode:
    """The submitted notebook, or ``InvalidSubmission`` saying why not (``LinkedSubmission`` for a link).
    The file is only read, and a link is never followed.

    读取提交的笔记本；无法评阅时抛出 InvalidSubmission 并说明原因（链接则抛出 LinkedSubmission）。文件只读不写，不跟随链接。
    """
    if Path(path).is_symlink():
        raise LinkedSubmission(LINKED_MESSAGE)
    try:
        data = read_regular_file(path, MAX_NOTEBOOK_BYTES + 1)
    except OSError as error:
        if Path(path).is_symlink():  # swapped for a link after the first look / 在检查之后被换成了链接
            raise LinkedSubmission(LINKED_MESSAGE) from None
        raise InvalidSubmission(Text(f"the notebook cannot be read ({error})", f"无法读取笔记本（{error}）")) from None
    size = len(data)
    if size == 0:
        raise InvalidSubmission(Text("the notebook file is empty", "笔记本文件是空的"))
    if size > MAX_NOTEBOOK_BYTES:
        raise InvalidSubmission(Text(f"the notebook is over the {MAX_NOTEBOOK_BYTES // 2**20} MB limit",
                                     f"笔记本超过了 {MAX_NOTEBOOK_BYTES // 2**20} MB 的上限"))
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidSubmission(Text(f"not valid JSON ({error})", f"不是有效的 JSON（{error}）")) from None
    if not isinstance(raw, dict) or raw.get("nbformat") != 4:
        version = raw.get("nbformat") if isinstance(raw, dict) else None
        raise InvalidSubmission(Text(f"not an nbformat 4 notebook (nbformat {version}); save it with JupyterLab 4",
                                     f"不是 nbformat 4 格式的笔记本（nbformat {version}）；请用 JupyterLab 4 保存"))
    try:
        nb = nbformat.from_dict(raw)
        cells = [c for c in nb.cells if isinstance(c, dict) and isinstance(c.get("source", ""), str | list)]
    except (AttributeError, TypeError) as error:
        raise InvalidSubmission(Text(f"not a readable notebook ({error})", f"无法读取的笔记本（{error}）")) from None
    ids = {nbgrader_meta(c).get("grade_id") for c in cells if isinstance(nbgrader_meta(c), dict)}
    ours = ids & set(lesson.exercises)
    others = sorted((ids & all_exercise_ids) - set(lesson.exercises) - {None})
    if not ours and others:
        raise InvalidSubmission(Text(f"this is not lesson {lesson.name}'s notebook (it holds {', '.join(others[:3])})",
                                     f"这不是第 {lesson.name} 课的笔记本（其中是 {'、'.join(others[:3])}）"))
    for cell in nb.cells:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    return nb
