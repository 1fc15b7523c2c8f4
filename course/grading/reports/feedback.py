"""``course grade --feedback``: nbgrader's HTML feedback, static, with the submission's stamps / 静态的 HTML 反馈及提交的时间戳。"""

import warnings
from pathlib import Path

import nbformat

from course.bilingual import Text, in_language
from course.gradebook.deadlines import due_date
from course.gradebook.store import format_utc
from course.grading.reports.shown import shown_notebook
from course.layout import CourseLayout
from course.results import SubmissionResult
from course.safe_files import read_regular_file


def submission_timing(db_url: str, result: SubmissionResult) -> str:
    """One bilingual line for the feedback: the due date that applied (with an extension), when it was
    submitted and what lateness cost; empty when the lesson has no due date.

    反馈中的一行：适用的截止时间（含延期）、提交时间与迟交的代价；该课没有截止时间时为空。
    """
    due = due_date(db_url, result.lesson, result.student)
    if due is None:
        return ""
    stamp = format_utc(due)
    late = Text(f"{result.seconds_late / 3600:.1f} h", f"{result.seconds_late / 3600:.1f} 小时") if result.seconds_late else Text("no", "否")
    return Text(f"Due {stamp} · submitted {result.submitted_at} · late: {late.en} · late penalty {result.late_penalty:g}",
                f"截止时间 {stamp} · 提交时间 {result.submitted_at} · 迟交：{late.zh} · 迟交罚分 {result.late_penalty:g}")


# Nothing in a feedback page runs or loads from elsewhere: the course's own page is static
# 反馈页面中没有任何内容会运行或从别处加载：课程自己的页面是静态的
FEEDBACK_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; base-uri 'none'; form-action 'none'"


def write_feedback(feedback_dir: Path, course: CourseLayout, db_url: str, result: SubmissionResult, lang: str = "both") -> Path:
    """nbgrader's HTML feedback for one submission: the notebook as a person may see it (``shown_notebook``),
    the scores from the gradebook, and a content security policy under which no script runs.

    生成一份提交的 nbgrader HTML 反馈：供人查看的笔记本、取自成绩库的分数，以及禁止任何脚本运行的内容安全策略。
    """
    import nbgrader
    from nbconvert.exporters import HTMLExporter
    from nbgrader.preprocessors import GetGrades
    from traitlets.config import Config

    student, lesson = result.student, result.lesson
    display = shown_notebook(result, lang)
    timing = submission_timing(db_url, result)
    if timing:  # the learner sees the deadline that applied / 学习者看到适用于自己的截止时间
        display.cells.insert(0, nbformat.v4.new_markdown_cell(in_language(timing, lang), id="course-timing"))
    resources = {"nbgrader": {"db_url": db_url, "assignment": lesson, "notebook": lesson, "student": student}}
    with CourseLayout.environment_tools_on_path(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        display, resources = GetGrades().preprocess(display, resources)
    templates = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"
    config = Config()
    config.HTMLExporter.template_name = "feedback"
    config.HTMLExporter.extra_template_basedirs = [str(templates)]
    # nbgrader's own feedback settings (GenerateFeedback) / 与 nbgrader 的 GenerateFeedback 设置相同
    bootstrap = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "static" / "node_modules" / "bootstrap" / "dist" / "css"
    config.HTMLExporter.extra_template_paths = [str(bootstrap)]
    html, _ = HTMLExporter(config=config).from_notebook_node(display, resources=resources)
    policy = f'<meta http-equiv="Content-Security-Policy" content="{FEEDBACK_POLICY}">'
    html = html.replace("<head>", f"<head>\n{policy}", 1)
    target = CourseLayout.lesson_file(feedback_dir / student, lesson, ".html")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return target


# What `nbgrader submit` stores next to a submission and `nbgrader release_feedback` needs beside the feedback.
# `nbgrader submit` 保存在提交旁、`nbgrader release_feedback` 需要放在反馈旁的文件。
SUBMISSION_STAMPS = ("timestamp.txt", "submission_secret.txt")


def copy_submission_stamps(submission: Path, feedback: Path) -> None:
    """Copy the submission's timestamp and secret beside its feedback, as `nbgrader generate_feedback` does.

    So `nbgrader release_feedback` can return it to the learner's Assignment List (the secret names the file).
    像 `nbgrader generate_feedback` 一样把提交的时间戳与密钥复制到反馈旁，`nbgrader release_feedback` 才能把反馈发回学习者的作业列表。
    """
    for name in SUBMISSION_STAMPS:
        try:  # a link is never followed / 不跟随链接
            (feedback / name).write_bytes(read_regular_file(submission / name, 4095))
        except OSError:  # not an nbgrader submission: no stale stamp of an earlier one / 不是 nbgrader 提交：不留旧的时间戳
            (feedback / name).unlink(missing_ok=True)
