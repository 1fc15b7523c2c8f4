"""Re-execute solution notebooks to refresh their stored outputs / 重新执行答案笔记本以刷新存储的输出。

The stored outputs are what nbval compares against, so they are produced the way CI runs the
lessons: on the CPU (``COURSE_DEVICE=cpu``), in the lesson's folder, without timing metadata.
Running it twice changes nothing the second time.
存储的输出是 nbval 比较的基准，因此按 CI 的方式生成：在 CPU 上、在该课的目录中运行，不记录时间信息。
"""

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

# Cells meant to fail carry this tag (nbval's too) / 预期会报错的单元格带有此标签（与 nbval 相同）
RAISES_TAG = "raises-exception"


def refresh_outputs(notebook: Path, timeout: int = 600) -> None:
    """Execute ``notebook`` top to bottom on the CPU and store its outputs in place.

    Raises ``nbclient.exceptions.CellExecutionError`` for an error in a cell not tagged
    ``raises-exception``; the file is then left as it was.
    在 CPU 上从头到尾执行笔记本并原地保存输出；未标记 raises-exception 的单元格出错时抛出异常，文件保持不变。
    """
    notebook = Path(notebook)
    nb = nbformat.read(notebook, as_version=nbformat.NO_CONVERT)
    previous = os.environ.get("COURSE_DEVICE")
    os.environ["COURSE_DEVICE"] = "cpu"  # stored outputs are CPU outputs / 存储的是 CPU 上的输出
    try:
        NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(notebook.parent)}},
            record_timing=False,
        ).execute()
    finally:
        if previous is None:
            del os.environ["COURSE_DEVICE"]
        else:
            os.environ["COURSE_DEVICE"] = previous
    # One stdout block per cell instead of chunks cut by timing / 每个单元格一个 stdout 块，而非按时间切开的片段
    CoalesceStreamsPreprocessor().preprocess(nb, {})
    nbformat.write(nb, notebook)
