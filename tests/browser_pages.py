"""Driving JupyterLab pages in the system Chromium / 在系统 Chromium 中操作 JupyterLab 页面。"""

import os
import time
import uuid

import nbformat
from lab_server import TOKEN
from lesson_cells import LAYOUT, ROOT
from system_packages import chromium, needs

from course.layout import CourseLayout
from course.notebook.cells import nbgrader_meta

CHROMIUM = chromium()
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
needs_chromium = needs("chromium")


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


def validate(page):
    """Press nbgrader's Validate button (it saves the notebook first) and return the dialog's text.
    按下 Validate（它会先保存笔记本）并返回对话框文字。"""
    page.locator(".jp-Toolbar").get_by_text("Validate", exact=True).click()
    dialog = page.wait_for_selector(".jp-Dialog", timeout=120_000)
    text = dialog.inner_text()
    return text


def close_dialog(page):
    page.keyboard.press("Escape")
    page.wait_for_selector(".jp-Dialog", state="detached", timeout=10_000)


def type_solution(page, notebook, grade_id):
    """Type the solution of ``grade_id`` into its cell of the open ``notebook``, as a learner would; save.
    像学习者一样把 ``grade_id`` 的答案输入到打开的笔记本中对应的单元格，并保存。"""
    lesson = notebook.stem
    # The released notebook has the same cells; the open one may be being saved / 发布版的单元格相同；打开的文件可能正在保存
    cells = nbformat.read(LAYOUT.release_notebook(lesson), as_version=4).cells
    index = next(i for i, c in enumerate(cells) if nbgrader_meta(c).get("grade_id") == grade_id)
    solution = next(c.source for c in nbformat.read(LAYOUT.source_notebook(lesson), as_version=4).cells
                    if nbgrader_meta(c).get("grade_id") == grade_id)
    answer = "\n".join(line for line in solution.splitlines() if "### " not in line)
    editor = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell").nth(index).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(answer)
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 15
    while saved_source(notebook, index) != answer:
        assert time.monotonic() < deadline, "the typed answer was not saved / 输入的答案没有保存"
        time.sleep(0.2)
    return index


def saved_source(notebook, index):
    """The cell's source on disk; None while the server is still writing the file (it writes in place).
    磁盘上该单元格的源代码；服务器仍在写文件时（原地写入）返回 None。"""
    try:
        return nbformat.read(notebook, as_version=4).cells[index].source
    except (ValueError, IndexError):  # NotJSONError is a ValueError / NotJSONError 是 ValueError
        return None


def assignment_list(page):
    """Open nbgrader's Assignment List (Nbgrader → Assignment List) / 打开 nbgrader 的作业列表"""
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
    panel = page.locator(".jp-MainAreaWidget:visible #assignments")
    panel.locator("#course_list_default", has_text="pytorch-bilingual").wait_for(timeout=30_000)
    return panel


def fetch(panel, lesson):
    """Press Fetch on a released lesson and wait until it is listed as fetched / 下载已发布的课程并等待其出现在已下载列表中"""
    panel.locator("#released_assignments_list .list_item", has_text=lesson).get_by_role("button", name="Fetch").click()
    fetched = panel.locator("#fetched_assignments_list .list_item", has_text=lesson).first
    fetched.get_by_role("button", name="Submit").wait_for(timeout=30_000)


def open_fetched(page, panel, lesson):
    """Open the fetched lesson's notebook from the Assignment List / 从作业列表打开已下载课程的笔记本"""
    panel.locator("#fetched_assignments_list a.assignment-notebooks-link", has_text=lesson).click()
    panel.locator("#fetched_assignments_list .nested_list_item a", has_text=lesson).click()
    page.wait_for_selector(".jp-NotebookPanel:visible .jp-Cell", timeout=90_000)


def submit(page, panel, lesson):
    """Back to the Assignment List's tab, Submit, wait until it is listed as submitted / 回到作业列表提交并等待完成"""
    page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="Assignments").click()
    panel.locator("#fetched_assignments_list .list_item", has_text=lesson).first.get_by_role("button", name="Submit").click()
    panel.locator("#submitted_assignments_list .list_item", has_text=lesson).first.wait_for(timeout=30_000)


def read_feedback(page, panel, lesson) -> str:
    """Fetch Feedback once it is released, open the feedback page, return its text / 获取已发布的反馈，打开并返回其文字"""
    submitted = panel.locator("#submitted_assignments_list .list_item", has_text=lesson).first
    panel.locator("#refresh_assignments_list").click()
    submitted.get_by_text("feedback available to fetch").wait_for(timeout=30_000)
    submitted.get_by_role("button", name="Fetch Feedback").click()
    submitted.get_by_text("view feedback").click()
    page.locator(".jp-DirListing-item", has_text=f"{lesson}.html").dblclick()
    feedback = page.frame_locator(".jp-MainAreaWidget:visible iframe")
    # the viewer fills its frame after opening / 查看器打开后才填充内容
    feedback.get_by_text(f"{lesson} (Score:").wait_for(timeout=30_000)
    return feedback.locator("body").inner_text()
