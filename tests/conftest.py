"""Shared fixtures: JupyterLab on a copy of the course and the system Chromium (browser tests), a clean matplotlib.
共享夹具：在课程副本上运行的 JupyterLab 与系统自带的 Chromium（浏览器测试），以及干净的 matplotlib 状态。
"""

import os
import shutil
import sys

import pytest
from browser_pages import ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, course_environment
from lab_server import TOKEN, running_lab
from lesson_cells import ROOT, copy_course
from system_packages import pytest_terminal_summary  # noqa: F401 — the run ends listing what the system lacked / 结束时列出系统缺少的软件包

from course.server.testing import free_port

# Small notebooks the grading steps are tested on, not lessons for nbval to run / 评阅步骤的测试用小笔记本，不交给 nbval 运行
collect_ignore_glob = ["fixtures/*"]

# The modules that take longest, longest first (measured on a 2-core machine; tests/system/test_suite_order.py checks they
# exist). xdist hands a worker one module at a time in collection order (``--no-loadscope-reorder``): started first,
# they end beside the short ones instead of after them.
# 耗时最长的模块，按耗时从长到短（在 2 核机器上测得）。xdist 按收集顺序把模块逐个分给工作进程：先开始的长模块与短模块一同结束。
LONGEST_FIRST = (
    "tests/system/test_browser_lessons.py",
    "tests/server/test_hub.py",
    "tests/server/test_hub_classes.py",
    "tests/grading/test_course_grade.py",
    "tests/system/test_browser.py",
    "tests/grading/test_autograde.py",
    "tests/grading/test_course_grade_controls.py",
    "tests/gradebook/test_term.py",
    "tests/grading/test_course_grade_postgres.py",
    "tests/content/test_language.py",
    "tests/helpers/test_explain.py",
    "solutions/08_custom_modules/08_custom_modules.ipynb",
)


@pytest.fixture
def short_folder():
    """A new folder with a short path (a Unix socket's path has at most 107 bytes), removed afterwards
    路径较短的新目录（Unix 套接字路径最多 107 字节），结束后删除"""
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="t-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# Each folder's tier (``make test-fast`` leaves out all but the unit tests) / 各目录的层级（make test-fast 只运行单元测试）
TIERS = {"content": ("content",), "system": ("system",), "solutions": ("content", "system")}
# Modules that start processes wherever their folder is / 无论在哪个目录都会启动进程的模块
SYSTEM_MODULES = ("test_browser", "test_browser_lessons", "test_lab", "test_hub", "test_hub_classes", "test_course_grade",
                  "test_course_grade_controls", "test_course_grade_postgres", "test_autograde", "test_term", "test_zygote",
                  "test_sandbox_rootless", "test_kernel_channels", "test_class_limits", "test_explain", "test_language",
                  "test_graders", "test_autograd_errors", "test_environment")  # fmt: skip
BROWSER_MODULES = ("test_browser", "test_browser_lessons", "test_hub")


def pytest_collection_modifyitems(items):
    """Markers by folder and module; the longest modules first, the rest in their usual order
    按目录与模块加标记；最长的模块排在最前，其余保持原有顺序"""
    for item in items:
        path = item.nodeid.split("::")[0]
        folder, module = path.split("/")[-2], path.split("/")[-1].removesuffix(".py")
        marks = set(TIERS.get(path.split("/")[0], ())) | set(TIERS.get(folder, ()))
        marks |= {"system"} if module in SYSTEM_MODULES else set()
        marks |= {"browser"} if module in BROWSER_MODULES else set()
        for mark in sorted(marks):
            item.add_marker(mark)
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


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
    copy_course(course, release=True)
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


@pytest.fixture
def system_cjk_fonts_hidden(monkeypatch, fresh_matplotlib):
    """Matplotlib sees no CJK font of the system, as on a fresh machine; the course's pip font stays
    matplotlib 看不到系统的 CJK 字体（如同全新的机器）；课程通过 pip 安装的字体仍在"""
    from matplotlib import font_manager

    from helpers.plotting import CJK_FONTS

    def of_the_system(entry) -> bool:
        return (entry.name in CJK_FONTS or "CJK" in entry.name) and "site-packages" not in entry.fname

    monkeypatch.setattr(font_manager.fontManager, "ttflist", [e for e in font_manager.fontManager.ttflist if not of_the_system(e)])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    font_manager.fontManager._findfont_cached.cache_clear()
    yield
    font_manager.fontManager._findfont_cached.cache_clear()


@pytest.fixture
def no_cjk_font(system_cjk_fonts_hidden, monkeypatch):
    """No CJK font at all: a broken install without the course's pip font either / 完全没有 CJK 字体：连课程的 pip 字体也缺失"""
    from matplotlib import font_manager

    from helpers import plotting

    monkeypatch.setattr(plotting, "BUNDLED_CJK_FONT", ("course_no_such_font_package", "fonts/none.otf"))
    # nor the pip font an earlier test of this process registered / 也去掉本进程中先前测试注册的 pip 字体
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [e for e in font_manager.fontManager.ttflist if "CJK" not in e.name])
