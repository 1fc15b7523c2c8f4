"""The learner's path in a real browser: JupyterLab in the system Chromium, driven by Playwright.
学习者在真实浏览器中的使用路径：由 Playwright 驱动系统 Chromium 中的 JupyterLab。

Screenshots of each step go to artifacts/browser/ (ignored by git); a few are copied to docs/.
每一步的截图保存在 artifacts/browser/（git 忽略）；其中几张复制到 docs/。
"""

import html
import re
import subprocess
import sys

from browser_pages import (
    ARTIFACTS,
    assignment_list,
    close_dialog,
    course_environment,
    fetch,
    needs_chromium,
    open_fetched,
    open_notebook,
    open_page,
    read_feedback,
    submit,
    type_solution,
    validate,
)
from lab_server import TOKEN, api
from lesson_cells import LAYOUT
from submissions.build import L04, WRONG_01, notebook, save, with_answers
from submissions.trust import SCRIPT_MARKDOWN, SCRIPT_OUTPUTS

from course.notebook.cells import nbgrader_meta

pytestmark = needs_chromium
L01 = "01_numpy_gradient_descent"
# Where the learner's notebook lies in any copy of the course / 学生版笔记本在课程副本中的位置
L01_RELEASE = LAYOUT.release_notebook(L01).relative_to(LAYOUT.root).as_posix()


def menus(page):
    return page.locator(".lm-MenuBar-itemLabel").all_inner_texts()


def set_locale(base, locale):
    api(base, "/lab/api/settings/@jupyterlab/translation-extension:plugin", "PUT", {"raw": f'{{"locale": "{locale}"}}'})


def test_the_interface_switches_to_chinese(lab, browser):
    """Lesson 01 opens with English menus, then with Chinese ones after Settings → Language / 切换语言后菜单变为中文"""
    base, _ = lab
    page = open_notebook(open_page(browser, base), L01_RELEASE)
    assert {"File", "Edit", "Run", "Kernel", "Nbgrader"} <= set(menus(page))
    assert page.get_by_text("Jupyter news").count() == 0, "the news pop-up should be off / 新闻弹窗应当关闭"
    page.screenshot(path=ARTIFACTS / "lesson01-en.png")
    try:
        set_locale(base, "zh_CN")
        page.reload()
        page.wait_for_selector(".jp-NotebookPanel:visible .jp-Cell", timeout=90_000)
        # English menus until the language bundle arrives / 语言包加载前菜单仍是英文
        page.locator(".lm-MenuBar-itemLabel", has_text="文件").wait_for(timeout=30_000)
        assert {"文件", "编辑", "运行", "内核", "设置"} <= set(menus(page)), menus(page)
        page.screenshot(path=ARTIFACTS / "lesson01-zh.png")
    finally:
        set_locale(base, "en")
        page.close()


def test_validate_reports_the_empty_exercise_then_the_next(lab, browser):
    """Validate fails on predict(); after typing it in the page, the first failure is the next exercise / 填写后失败的是下一个练习"""
    base, course = lab
    path = L01_RELEASE
    page = open_notebook(open_page(browser, base), path)
    first = validate(page)
    assert "failed" in first and "predict() evaluates" in first, first
    page.screenshot(path=ARTIFACTS / "validate-dialog.png")
    close_dialog(page)
    type_solution(page, course / path, "ex01_predict")
    second = validate(page)
    assert "predict() evaluates" not in second and "sum_squared_error() returns" in second, second
    page.screenshot(path=ARTIFACTS / "validate-after-typing.png")
    close_dialog(page)
    page.close()


def instructor(course, *command):
    """An instructor's command in the course folder, as the README gives it / 按 README 在课程目录中运行教师的命令"""
    result = subprocess.run([sys.executable, "-m", *command], cwd=course, env=course_environment(course),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{command} failed / 失败:\n{result.stdout}\n{result.stderr}"
    return result


def test_fetch_submit_grade_and_read_feedback(lab, browser):
    """Fetch lesson 01 in the Assignment List, answer predict(), submit; collect, course grade, release; the feedback shows it
    在作业列表中下载第 01 课、完成 predict() 并提交；教师收集、评分、发布后，学习者看到反馈"""
    base, course = lab
    instructor(course, "nbgrader", "release_assignment", L01)
    page = open_page(browser, base)
    panel = assignment_list(page)
    fetch(panel, L01)
    notebook = LAYOUT.lesson_file(course / "assignments", L01)
    assert notebook.is_file(), "Fetch puts the lesson in assignments/ / Fetch 应把课程放到 assignments/"
    page.screenshot(path=ARTIFACTS / "assignment-list-fetched.png")

    open_fetched(page, panel, L01)
    type_solution(page, notebook, "ex01_predict")
    submit(page, panel, L01)
    page.screenshot(path=ARTIFACTS / "assignment-list-submitted.png")

    instructor(course, "nbgrader", "collect", L01)
    instructor(course, "course", "grade", "submitted", "--feedback", "feedback", "--out", "grades.csv")
    # formgrader (served by the same lab) opens what `course grade` left in autograded/ / formgrader 打开 course grade 的结果
    listed = page.request.get(f"{base}/formgrader/api/submitted_notebooks/{L01}/{L01}")
    assert listed.ok, listed.status
    (submission,) = listed.json()  # the one learner of this lab / 本实验环境中唯一的学习者
    review = page.request.get(f"{base}/formgrader/submissions/{submission['id']}")
    # The page's text, code highlighting stripped / 页面文字（去掉代码高亮标记）
    shown = html.unescape(re.sub(r"<[^>]+>", "", review.text()))
    # The tests that ran (the released ones) and each hidden check by its verdict / 运行过的（发布版）测试与每个隐藏检查的结论
    assert review.ok and "def predict(x, w)" in shown and "hidden check of ex01_predict: confirmed" in shown, (review.status, shown[:500])
    assert "BEGIN HIDDEN TESTS" not in shown
    instructor(course, "nbgrader", "release_feedback", L01)

    text = read_feedback(page, panel, L01)
    page.screenshot(path=ARTIFACTS / "assignment-list-feedback.png")
    # predict() typed in the page earns its 2 points, the untouched exercises none / 页面中完成的 predict() 得 2 分
    assert f"{L01} (Score: 2.0 / 14.0)" in text, text[:500]
    assert "Score: 2.0 / 2.0" in text and "not answered yet" in text, text[:2000]
    assert "HIDDEN TESTS" not in text, "hidden tests stay hidden / 隐藏测试不应显示"
    page.close()


def not_run(page) -> dict:
    """What the page's scripts did: the learner's marker and the title / 页面脚本的痕迹：学习者的标记与标题"""
    page.wait_for_timeout(1000)  # handlers of images that fail to load fire by then / 加载失败的图片的处理器此时已触发
    return page.evaluate("() => ({marker: window.__pwned === undefined ? null : window.__pwned, title: document.title})")


def test_a_learners_outputs_run_no_script_in_feedback_or_formgrader(lab, browser):
    """Outputs and a written answer that try to run script (tests/submissions/trust.py) run none in the learner's feedback
    page nor in formgrader opened as the instructor; the plot and the table still show
    试图运行脚本的输出与书面答案（tests/submissions/trust.py）在学习者的反馈页面和教师打开的 formgrader 中都不会运行；图与表格仍然显示"""
    base, course = lab
    wrong = dict(WRONG_01, ex01_predict=SCRIPT_OUTPUTS + WRONG_01["ex01_predict"])
    # Graded from a folder of its own, so the earlier learner's work is not graded again / 单独的目录：不重新评阅之前学习者的作业
    save(course / "attacks", "mallory", L01, with_answers(notebook(LAYOUT, LAYOUT.release_dir, L01), **wrong))
    written = notebook(LAYOUT, LAYOUT.release_dir, L04)
    for cell in written.cells:
        if cell.cell_type == "markdown" and nbgrader_meta(cell).get("solution") and nbgrader_meta(cell).get("grade"):
            cell.source = SCRIPT_MARKDOWN
    save(course / "attacks", "mallory", L04, written)
    instructor(course, "course", "grade", "attacks", "--feedback", "feedback")
    page = browser.new_page()
    try:
        for lesson in (L01, L04):
            page.goto((course / "feedback" / "mallory" / lesson / f"{lesson}.html").as_uri())
            assert not_run(page) == {"marker": None, "title": lesson}, lesson
        page.goto((course / "feedback" / "mallory" / L01 / f"{L01}.html").as_uri())
        assert page.get_by_role("cell", name="table cell kept").is_visible() and page.locator("b", has_text="bold text kept").is_visible()
        plots = page.evaluate("() => [...document.images].filter(i => i.src.startsWith('data:image/png') && i.naturalWidth > 100).length")
        assert plots >= 1, "the plot shows / 图仍然显示"
        page.screenshot(path=ARTIFACTS / "feedback-inert.png", full_page=True)
        open_page(browser, base).close()  # the token's cookie, for formgrader / formgrader 所需的登录 cookie
        for lesson in (L01, L04):
            listed = page.request.get(f"{base}/formgrader/api/submitted_notebooks/{lesson}/{lesson}?token={TOKEN}").json()
            submission = next(s for s in listed if s["student"] == "mallory")
            page.goto(f"{base}/formgrader/submissions/{submission['id']}/?token={TOKEN}")
            page.wait_for_load_state("load")
            assert not_run(page)["marker"] is None, lesson
            assert "pwned" not in not_run(page)["title"], lesson
        page.screenshot(path=ARTIFACTS / "formgrader-inert.png", full_page=True)
    finally:
        page.close()
