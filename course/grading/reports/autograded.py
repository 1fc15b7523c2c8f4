"""``course grade --autograded``: nbgrader's ``autograded/`` copy, for formgrader / 供 formgrader 使用的 autograded/ 副本。"""

from pathlib import Path

import nbformat

from course.grading.reports.shown import shown_notebook
from course.layout import CourseLayout
from course.results import SubmissionResult


def write_autograded(folder: Path, result: SubmissionResult) -> Path:
    """The executed graded notebook, as a person may see it, at ``folder/<student>/<lesson>/<lesson>.ipynb``
    (where ``nbgrader autograde`` leaves it), so formgrader opens it for manual review; returns its folder.

    把供人查看的执行后笔记本写到 nbgrader autograde 放置的位置，formgrader 可据此人工批阅；返回其所在目录。
    """
    target = CourseLayout.lesson_file(folder / result.student, result.lesson)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(shown_notebook(result), target)
    return target.parent
