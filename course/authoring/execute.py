"""``course execute``: re-execute solution notebooks to refresh their stored outputs / 重新执行答案笔记本以刷新存储的输出。

The stored outputs are what nbval compares against, so they are produced the way CI runs the
lessons: on the CPU (``COURSE_DEVICE=cpu``), in the lesson's folder, without timing metadata.
Running it twice changes nothing the second time.
存储的输出是 nbval 比较的基准，因此按 CI 的方式生成：在 CPU 上、在该课的目录中运行，不记录时间信息。
"""

import os
import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

# Cells meant to fail carry this tag (nbval's too) / 预期会报错的单元格带有此标签（与 nbval 相同）
RAISES_TAG = "raises-exception"


def sanitize_patterns(sanitize_file: Path) -> list[tuple[re.Pattern, str]]:
    """The (regex, replacement) pairs of an nbval sanitize file, parsed as nbval parses them."""
    text = Path(sanitize_file).read_text(encoding="utf-8")
    pairs = re.findall(r"^regex: (.*)$\n^replace: (.*)$", text, flags=re.MULTILINE)
    return [(re.compile(regex), replacement) for regex, replacement in pairs]


def sanitize_text(text: str, patterns: list[tuple[re.Pattern, str]]) -> str:
    """``text`` with every pattern replaced, in file order (what nbval does before comparing)."""
    for regex, replacement in patterns:
        text = regex.sub(replacement, text)
    return text


def _sanitize_outputs(nb, patterns) -> None:
    """Machine paths, addresses and the like out of every stored output / 从存储的输出中去掉机器路径、内存地址等"""
    def clean(value):
        if isinstance(value, str):
            return sanitize_text(value, patterns)
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            for key in ("text", "evalue", "traceback"):
                if key in output:
                    output[key] = clean(output[key])
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/"):
                    output["data"][mime] = clean(value)


def refresh_outputs(notebook: Path, timeout: int = 600, sanitize_with: Path | None = None) -> None:
    """Execute ``notebook`` top to bottom on the CPU and store its outputs in place.

    With ``sanitize_with`` (the course's nbval sanitize file, ``CourseLayout.sanitize_path``), what
    varies by machine — paths, addresses — is replaced in the stored outputs the way nbval replaces
    it before comparing.

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
    if sanitize_with is not None:
        _sanitize_outputs(nb, sanitize_patterns(sanitize_with))
    nbformat.write(nb, notebook)
