"""Start and stop a JupyterLab server for tests / 为测试启动和停止 JupyterLab 服务器。"""

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.request

TOKEN = "course-test-token"



def api(base: str, path: str, method: str = "GET", body=None):
    """JSON from the server's REST API (None for an empty reply) / 服务器 REST API 返回的 JSON。"""
    request = urllib.request.Request(
        f"{base}{path}{'&' if '?' in path else '?'}token={TOKEN}",
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
    return json.loads(text) if text else None


@contextlib.contextmanager
def running_lab(command: list[str], cwd, port: int, env=None, wait: float = 120):
    """Run ``command`` (a JupyterLab listening on ``port``) until the block ends; yield its base URL."""
    server = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                api(base, "/api/status")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    os.killpg(server.pid, signal.SIGKILL)
                    output = server.stdout.read().decode(errors="replace")
                    raise RuntimeError(f"JupyterLab did not serve on port {port} / JupyterLab 未能在端口 {port} 上提供服务\n{output}") from None
                time.sleep(0.5)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
