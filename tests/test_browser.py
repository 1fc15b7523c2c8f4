"""The learner's path in a real browser: JupyterLab in the system Chromium, driven by Playwright.
学习者在真实浏览器中的使用路径：由 Playwright 驱动系统 Chromium 中的 JupyterLab。

Screenshots of each step go to artifacts/browser/ (ignored by git); a few are copied to docs/.
"""

import os
import shutil
import sys

import nbformat
import pytest
from lab_server import TOKEN, api, free_port, running_lab
from lesson_cells import ROOT, SOLUTIONS

from helpers.grading import nbgrader_meta

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium found (Debian: apt-get install chromium; .ci/run installs it) / 未找到 Chromium"
)
ARTIFACTS = ROOT / "artifacts" / "browser"
L01 = "01_numpy_gradient_descent"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a copy of the course, with its own settings (the test switches languages) / 在课程副本上运行的 JupyterLab"""
    course = tmp_path_factory.mktemp("browser-course")
    for folder in ("notebooks", "solutions"):
        shutil.copytree(ROOT / folder, course / folder)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    port = free_port()
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
               f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={course}",
               f"--LabApp.user_settings_dir={course / '.settings'}", f"--LabApp.workspaces_dir={course / '.workspaces'}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    command += ["--allow-root"] if os.geteuid() == 0 else []
    env = {**os.environ, "COURSE_DEVICE": "cpu", "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_lab(command, course, port, env=env) as base:
        yield base, course


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def open_notebook(browser, base, path):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    # ?reset: a fresh workspace, so no tab of an earlier test is restored / ?reset：使用新的工作区，不恢复之前测试的标签页
    page.goto(f"{base}/lab/tree/{path}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-NotebookPanel:visible .jp-Cell", timeout=90_000)
    wait_idle(page, 90_000)
    return page


def wait_idle(page, timeout):
    page.wait_for_selector(".jp-NotebookPanel:visible .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=timeout)


def menus(page):
    return page.locator(".lm-MenuBar-itemLabel").all_inner_texts()


def set_locale(base, locale):
    api(base, "/lab/api/settings/@jupyterlab/translation-extension:plugin", "PUT", {"raw": f'{{"locale": "{locale}"}}'})


def test_the_interface_switches_to_chinese(lab, browser):
    """Lesson 01 opens with English menus, then with Chinese ones after Settings → Language / 切换语言后菜单变为中文"""
    base, _ = lab
    page = open_notebook(browser, base, f"notebooks/{L01}/{L01}.ipynb")
    assert {"File", "Edit", "Run", "Kernel", "Nbgrader"} <= set(menus(page))
    assert page.get_by_text("Jupyter news").count() == 0, "the news pop-up should be off / 新闻弹窗应当关闭"
    page.screenshot(path=ARTIFACTS / "lesson01-en.png")
    try:
        set_locale(base, "zh_CN")
        page.reload()
        page.wait_for_selector(".jp-NotebookPanel:visible .jp-Cell", timeout=90_000)
        page.wait_for_timeout(1000)
        assert {"文件", "编辑", "运行", "内核", "设置"} <= set(menus(page)), menus(page)
        page.screenshot(path=ARTIFACTS / "lesson01-zh.png")
    finally:
        set_locale(base, "en")
        page.close()


def validate(page):
    """Press nbgrader's Validate button and return the dialog's text / 按下 Validate 并返回对话框文字"""
    page.keyboard.press("Control+s")
    page.wait_for_timeout(500)
    page.locator(".jp-Toolbar").get_by_text("Validate", exact=True).click()
    dialog = page.wait_for_selector(".jp-Dialog", timeout=120_000)
    text = dialog.inner_text()
    return text


def close_dialog(page):
    page.keyboard.press("Escape")
    page.wait_for_selector(".jp-Dialog", state="detached", timeout=10_000)


def test_validate_reports_the_empty_exercise_then_the_next(lab, browser):
    """Validate fails on predict(); after typing it in the page, the first failure is the next exercise / 填写后失败的是下一个练习"""
    base, course = lab
    path = f"notebooks/{L01}/{L01}.ipynb"
    page = open_notebook(browser, base, path)
    first = validate(page)
    assert "failed" in first and "predict() evaluates" in first, first
    page.screenshot(path=ARTIFACTS / "validate-dialog.png")
    close_dialog(page)
    cells = nbformat.read(course / path, as_version=4).cells
    index = next(i for i, c in enumerate(cells) if nbgrader_meta(c).get("grade_id") == "ex01_predict")
    solution = next(c.source for c in nbformat.read(SOLUTIONS / L01 / f"{L01}.ipynb", as_version=4).cells
                    if nbgrader_meta(c).get("grade_id") == "ex01_predict")
    answer = "\n".join(line for line in solution.splitlines() if "### " not in line)
    editor = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell").nth(index).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(answer)
    second = validate(page)
    assert "predict() evaluates" not in second and "sum_squared_error() returns" in second, second
    page.screenshot(path=ARTIFACTS / "validate-after-typing.png")
    close_dialog(page)
    saved = nbformat.read(course / path, as_version=4).cells[index].source
    assert "return a + b * x" in saved
    page.close()
