"""Shared fixtures: JupyterLab on a copy of the course and the system Chromium (browser tests), a clean matplotlib.
共享夹具：在课程副本上运行的 JupyterLab 与系统自带的 Chromium（浏览器测试），以及干净的 matplotlib 状态。
"""

import os
import shutil
import sys

import pytest
from browser_pages import ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, course_environment
from lab_server import TOKEN, running_lab
from lesson_cells import LAYOUT, ROOT

from course.hub import free_port
from course.layout import CourseLayout

# Small notebooks the grading steps are tested on, not lessons for nbval to run / 评阅步骤的测试用小笔记本，不交给 nbval 运行
collect_ignore_glob = ["fixtures/*"]


@pytest.fixture(scope="session", autouse=True)
def short_lived_check_zygotes():
    """The parent `course check` leaves behind for the next check exits soon after the tests / 测试结束后 course check 的常驻父进程很快退出"""
    previous = os.environ.get("COURSE_ZYGOTE_LINGER")
    os.environ["COURSE_ZYGOTE_LINGER"] = "20"
    yield
    if previous is None:
        os.environ.pop("COURSE_ZYGOTE_LINGER", None)
    else:
        os.environ["COURSE_ZYGOTE_LINGER"] = previous


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a copy of the course, with its own settings, exchange and assignments / 在课程副本上运行的 JupyterLab

    Yields (base URL, course folder). The app is exposed in the page (``window.jupyterapp``) so a test
    can run JupyterLab's own commands and wait for them to finish.
    """
    course = tmp_path_factory.mktemp("browser-course")
    copy = CourseLayout(course)
    shutil.copytree(LAYOUT.release_dir, copy.release_dir)
    shutil.copytree(LAYOUT.source_dir, copy.source_dir)
    shutil.copy(LAYOUT.config_path, copy.config_path)
    (course / "assignments").mkdir()
    shutil.copy(ROOT / "assignments" / "nbgrader_config.py", course / "assignments")
    (course / "exchange").mkdir()
    port = free_port()
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
               f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={course}",
               f"--LabApp.user_settings_dir={course / '.settings'}", f"--LabApp.workspaces_dir={course / '.workspaces'}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.expose_app_in_browser=True"]
    command += ["--allow-root"] if os.geteuid() == 0 else []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_lab(command, course, port, env=course_environment(course)) as base:
        yield base, course


@pytest.fixture(scope="module")
def browser():
    """The system Chromium driven by Playwright (no browser download) / 由 Playwright 驱动的系统 Chromium"""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def fresh_matplotlib():
    """Matplotlib's default settings and no cached font answer, before and after a test / 测试前后恢复 matplotlib 默认设置"""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.plotting import find_cjk_font

    find_cjk_font.cache_clear()
    with plt.rc_context():
        yield
    plt.close("all")
    find_cjk_font.cache_clear()
