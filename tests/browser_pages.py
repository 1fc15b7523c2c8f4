"""Driving JupyterLab pages in the system Chromium / 在系统 Chromium 中操作 JupyterLab 页面。"""

import os
import shutil
import uuid

import pytest
from lab_server import TOKEN
from lesson_cells import ROOT

from course.layout import CourseLayout

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium found (Debian: apt-get install chromium; .ci/run installs it) / 未找到 Chromium"
)


def course_environment(course) -> dict[str, str]:
    """The environment of the test's JupyterLab and of the instructor's commands beside it.

    nbgrader keeps the learner's submission cache in Jupyter's data folder: one per course copy.
    One thread per kernel: two pytest workers already share the two cores.
    nbgrader 把学习者的提交缓存放在 Jupyter 数据目录中：每个课程副本一个。每个内核一个线程。
    """
    return CourseLayout.tools_on_path(
        {**os.environ, "COURSE_DEVICE": "cpu", "JUPYTER_DATA_DIR": str(course / ".jupyter-data"), "OMP_NUM_THREADS": "1"}
    )


def open_page(browser, base):
    """A JupyterLab page in a workspace of its own (no tab of an earlier test restored), the app started.

    Not ``?reset``: it stays in the address and resets the page again whenever the hash changes
    (nbgrader's Assignment List links change it).
    在独立工作区中打开的 JupyterLab 页面（不恢复之前测试的标签页），应用已启动。
    """
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    workspace = f"test-{uuid.uuid4().hex[:12]}"
    page.goto(f"{base}/lab/workspaces/{workspace}?token={TOKEN}")
    page.wait_for_function("window.jupyterapp && window.jupyterapp.started", timeout=90_000)
    return page


def open_notebook(page, path):
    """Open a notebook in ``page`` and wait until its kernel is started and idle; returns the page.
    在 ``page`` 中打开笔记本，并等待其内核启动并空闲；返回该页面。"""
    page.evaluate(
        """async (path) => {
            const app = window.jupyterapp, deadline = Date.now() + 90000;
            const widget = await app.commands.execute("docmanager:open", {path, factory: "Notebook"});
            app.shell.activateById(widget.id);
            await widget.context.ready;
            await widget.sessionContext.ready;
            while (widget.sessionContext.session?.kernel?.status !== "idle") {
                if (Date.now() > deadline) throw new Error("the kernel did not start / 内核没有启动");
                await new Promise(resolve => setTimeout(resolve, 100));
            }
        }""",
        path,
    )
    page.wait_for_selector(".jp-NotebookPanel:visible .jp-Cell", timeout=90_000)
    return page


def close_notebook(page):
    """Shut the current notebook's kernel down and close it (it was saved) / 关闭当前笔记本及其内核（已保存）"""
    page.evaluate(
        """async () => {
            const widget = window.jupyterapp.shell.currentWidget;
            await widget.sessionContext.shutdown();
            widget.dispose();
        }"""
    )


def run_command(page, command, timeout_s, args=None):
    """Run a JupyterLab command in the page and wait for it to finish; "timeout" if it did not in time.
    在页面中执行 JupyterLab 命令并等待完成；超时则返回 "timeout"。"""
    return page.evaluate(
        """async ([command, args, ms]) => {
            const timer = new Promise(resolve => setTimeout(() => resolve("timeout"), ms));
            return await Promise.race([window.jupyterapp.commands.execute(command, args), timer]);
        }""",
        [command, args or {}, int(timeout_s * 1000)],
    )
