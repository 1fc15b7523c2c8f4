"""Every lesson in solutions/ opens and runs all its cells in JupyterLab in Chromium.
solutions/ 中的每一课都能在 Chromium 的 JupyterLab 中打开并运行全部单元格。

The run is JupyterLab's own "Run All Cells" command, awaited until the kernel has run every cell;
the outputs are read from the notebook JupyterLab saved, not from the rendered page.
使用 JupyterLab 自己的“运行全部单元格”命令，并等待内核运行完每个单元格；输出从 JupyterLab 保存的笔记本中读取，而非渲染的页面。
"""

import pytest
from browser_pages import ARTIFACTS, close_notebook, needs_chromium, open_notebook, open_page, run_command
from lab_server import api
from lesson_cells import LAYOUT

from course.authoring.execute import RAISES_TAG

pytestmark = needs_chromium
LESSONS = LAYOUT.lessons()
RUN_ALL_SECONDS = 240


def run_all_cells(page, timeout_s):
    """Run → Run All Cells, then wait until the kernel has run every cell; "timeout" if not in time.

    The command returns at the first error, even in a cell tagged raises-exception, while the kernel
    still runs the later cells; an empty request queued behind them finishes only after they have.
    运行全部单元格，并等待内核运行完每个单元格：该命令遇到第一个错误就返回（即使该单元格标记了
    raises-exception），而内核仍在运行后面的单元格；排在它们之后的空请求只会在它们之后完成。
    """
    return page.evaluate(
        """async (ms) => {
            const app = window.jupyterapp;
            const kernel = app.shell.currentWidget.context.sessionContext.session.kernel;
            const timer = new Promise(resolve => setTimeout(() => resolve("timeout"), ms));
            if (await Promise.race([app.commands.execute("notebook:run-all-cells"), timer]) === "timeout") return "timeout";
            const behind = kernel.requestExecute({code: "", silent: true, store_history: false}).done;
            if (await Promise.race([behind, timer]) === "timeout") return "timeout";
            await new Promise(resolve => setTimeout(resolve, 500));  // the last outputs on IOPub / 最后的输出
            return "done";
        }""",
        timeout_s * 1000,
    )


@pytest.fixture(scope="module")
def page(lab, browser):
    """One JupyterLab page for every lesson: the app loads once / 所有课程共用一个 JupyterLab 页面：应用只加载一次"""
    base, _ = lab
    page = open_page(browser, base)
    yield page
    page.close()


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_runs_all_cells_in_the_browser(lab, page, lesson):
    """Run All Cells executes every code cell; only cells tagged raises-exception show an error / 只有标记为 raises-exception 的单元格报错"""
    base, _ = lab
    path = LAYOUT.source_notebook(lesson).relative_to(LAYOUT.root).as_posix()
    open_notebook(page, path)
    try:
        finished = run_all_cells(page, RUN_ALL_SECONDS)
        page.screenshot(path=ARTIFACTS / f"run-all-{lesson}.png")
        assert finished == "done", f"{lesson}: Run All did not finish in {RUN_ALL_SECONDS} s / 未在 {RUN_ALL_SECONDS} 秒内运行完"
        run_command(page, "docmanager:save", 30)
        cells = api(base, f"/api/contents/{path}")["content"]["cells"]
    finally:
        close_notebook(page)  # and its kernel, before the next lesson / 在下一课之前关闭笔记本及其内核
    code = [(i, c) for i, c in enumerate(cells) if c["cell_type"] == "code"]
    for i, cell in code:
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        if RAISES_TAG not in cell["metadata"].get("tags", []):
            assert not errors, f"{lesson} cell {i}: {errors[0]['ename']}: {errors[0]['evalue']}"
        elif cell["execution_count"] is not None:
            assert errors, f"{lesson} cell {i} is tagged raises-exception but ran cleanly / 标记为 raises-exception 却没有报错"
    not_run = [i for i, c in code if c["source"].strip() and c["execution_count"] is None]
    assert not not_run, f"{lesson}: cells {not_run} did not run / 这些单元格没有运行"
