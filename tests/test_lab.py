"""`make lab` serves the course with nbgrader's lab extension / `make lab` 提供带 nbgrader 扩展的课程。"""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest
from lesson_cells import NOTEBOOKS, ROOT, lesson_notebooks

TOKEN = "course-test-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def lab_url():
    """`make lab` with extra options, exactly as the README says / 与 README 所写完全相同的 `make lab` 用法"""
    port = free_port()
    args = f"--no-browser --port={port} --ServerApp.ip=127.0.0.1 --IdentityProvider.token={TOKEN}"
    server = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"ARGS={args}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                get_json(f"{base}/api/status?token={TOKEN}")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read().decode(errors="replace") if server.poll() is not None else ""
                    pytest.fail(f"`make lab` did not serve on port {port} / `make lab` 未能在端口 {port} 上提供服务\n{output}")
                time.sleep(0.5)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_lab_serves_every_student_notebook(lab_url):
    """Each lesson's student notebook is served / 每课的学生版笔记本都能打开"""
    for notebook in lesson_notebooks(NOTEBOOKS):
        path = notebook.relative_to(ROOT).as_posix()
        model = get_json(f"{lab_url}/api/contents/{path}?token={TOKEN}")
        assert model["type"] == "notebook" and model["content"]["cells"]


def test_nbgrader_lab_extension_is_enabled(lab_url):
    """nbgrader's toolbar and menus load in JupyterLab / nbgrader 的工具栏与菜单在 JupyterLab 中加载"""
    extensions = get_json(f"{lab_url}/lab/api/extensions?token={TOKEN}")
    nbgrader = [e for e in extensions if "nbgrader" in e["name"]]
    assert nbgrader and all(e["enabled"] and e.get("status", "ok") == "ok" for e in nbgrader), nbgrader


def test_nbgrader_formgrader_answers(lab_url):
    """nbgrader's formgrader page responds / nbgrader 的评分器页面能够响应"""
    with urllib.request.urlopen(f"{lab_url}/formgrader?token={TOKEN}", timeout=10) as response:
        assert response.status == 200
