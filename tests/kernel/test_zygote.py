"""Kernels forked from the pre-imported parent (course.kernel.zygote): fresh, sandboxed, and gone when done.
由预先导入的父进程派生的内核：全新、带沙箱，结束后不留痕迹。
"""

import ast
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from lesson_cells import LAYOUT

from course.kernel import zygote
from course.kernel.runner import prepare_scratch, run_cells
from course.kernel.sandbox import (
    FIRST_UID,
    Limits,
    is_root,
    kernel_environment,
    sandbox_available,
    sandbox_mode,
    sandbox_view,
)

# A sleep no other process on this machine runs / 本机上不会有其他进程运行的 sleep
MARKER_SECONDS = "4242.125"


def processes_with(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.fixture(scope="module")
def parent():
    """One zygote, as `course grade` starts it, and a way to run cells in a kernel it forks / 一个父进程及在其派生的内核中运行单元格的方法"""
    base = Path(tempfile.mkdtemp(prefix="zygote-test-", dir="/run" if is_root() else None))
    base.chmod(0o711)
    home = base / "home"
    home.mkdir()
    sandboxed = sandbox_available()
    view = sandbox_view(LAYOUT.root, base / "0", []) if sandboxed else ((), (), ())
    runs = iter(range(100))
    with zygote.running(base, {**kernel_environment(home), "MPLCONFIGDIR": str(base / "mpl")}) as socket_path:

        def run(*sources: str) -> list[str]:
            i = next(runs)
            scratch = base / str(i)
            scratch.mkdir()
            prepare_scratch(scratch, FIRST_UID + i if sandboxed else None)
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
            problems = run_cells(nb, scratch, timeout=60, uid=FIRST_UID + i, view=view, sandboxed=sandboxed, zygote=socket_path)
            assert not problems, problems
            return ["".join(o.get("text", "") or f"{o.get('ename')}: {o.get('evalue')}" for o in c.outputs).strip() for c in nb.cells]

        yield run, socket_path, sandboxed
    shutil.rmtree(base)
    assert not processes_with(socket_path), "the zygote outlived its batch / 父进程在批次结束后仍在运行"


def test_nothing_of_one_kernel_reaches_the_next(parent):
    """Module state a kernel changes is not seen by the next kernel forked from the same parent / 前一个内核的改动不会出现在下一个内核中"""
    run, _, _ = parent
    first = run("import numpy, builtins, torch\nnumpy.leak = builtins.leak = 1\ntorch.manual_seed(7)\nprint(os.getpid() if False else 'set')")
    assert first == ["set"]
    second = run("import numpy, builtins\nprint(hasattr(numpy, 'leak'), hasattr(builtins, 'leak'))")
    assert second == ["False False"]


def test_a_forked_kernel_is_a_fresh_kernel_of_its_own(parent):
    """It runs in its scratch folder with the clean environment, and cannot import the instructor's package / 工作目录与环境变量正确，无法导入教师端的包"""
    run, _, sandboxed = parent
    out = run(
        "import os, sys\nprint(os.getcwd() == os.environ['HOME'], os.environ.get('OMP_NUM_THREADS'), 'GRADER_SECRET' in os.environ)",
        "import matplotlib\nprint(matplotlib.get_backend())",
        # A figure shows as a PNG, as in a kernel started from scratch (feedback keeps it) / 图以 PNG 显示（反馈中保留）
        "import matplotlib.pyplot as plt\nfigure = plt.figure()\nplt.plot([0, 1])\nprint(sorted(get_ipython().display_formatter.format(figure)[0]))\nplt.close(figure)",
        "try:\n    import course.notebook\n    print('imported')\nexcept ImportError:\n    print('refused')",
    )
    assert out[0] == "True 1 False" and out[1] == "module://matplotlib_inline.backend_inline"
    assert out[2] == "['image/png', 'text/plain']", out[2]
    if sandboxed:
        assert out[3] == "refused"


@pytest.mark.skipif(not sandbox_available(), reason="no sandbox here: neither root nor user namespaces / 本机无法建立沙箱")
def test_a_forked_kernel_is_sandboxed(parent):
    """Its own uid (as root), no course files, no network, like a kernel started from scratch / 独立 uid、看不到课程、没有网络"""
    run, _, _ = parent
    out = run(
        "import os\nprint(os.getuid())",
        f"import os\nprint(os.path.exists({str(LAYOUT.source_dir)!r}), os.listdir({str(LAYOUT.root)!r}))",
        "import socket\ntry:\n    socket.create_connection(('127.0.0.1', 22), timeout=1)\n    print('connected')\nexcept OSError:\n    print('no network')",
        "import resource\nprint(resource.getrlimit(resource.RLIMIT_NPROC))",
    )
    # A fork bomb is refused at the sandbox's process limit / 派生炸弹在沙箱的进程数上限处被拒绝
    assert out[3] == str((Limits().processes,) * 2), out[3]
    if sandbox_mode() == "root":
        assert int(out[0]) >= FIRST_UID
    # Only what the view puts back shows in the course folder: helpers/ and the environment / 课程目录中只有放回的部分
    exposed = {Path(p).relative_to(LAYOUT.root).parts[0] for p in sandbox_view(LAYOUT.root, Path("/run/x"), [])[1]
               if Path(p).is_relative_to(LAYOUT.root)}  # fmt: skip
    visible = ast.literal_eval(out[1].split(" ", 1)[1])
    assert out[1].startswith("False ") and set(visible) == exposed and "solutions" not in visible, out[1]
    assert out[2] == "no network"


def test_no_process_of_a_kernel_outlives_it(parent):
    """A process the learner's kernel started ends with the kernel / 学生内核启动的进程随内核一起结束"""
    run, _, _ = parent
    out = run(f"import subprocess\nchild = subprocess.Popen(['sleep', '{MARKER_SECONDS}'])\nprint('started')")
    assert out == ["started"]
    # The parent ends the kernel's process group as soon as it sees the client go / 父进程一发现客户端退出就结束内核的进程组
    deadline = time.monotonic() + 10
    while processes_with(f"sleep {MARKER_SECONDS}") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not processes_with(f"sleep {MARKER_SECONDS}")


def test_the_client_alone_cannot_be_misused(tmp_path):
    """The kernel spec's client without a zygote exits with an error, not a hang / 没有父进程时客户端报错退出而不是挂起"""
    request = tmp_path / "request.json"
    request.write_text('{"mode": null, "spec": {}}')
    with pytest.raises(OSError):
        zygote.connect(str(tmp_path / "no.sock"), str(request), str(tmp_path / "connection.json"))
    assert zygote.main(["nonsense"]) == 2
    assert os.path.exists(request)


def _check_in(path: str, folder: Path) -> list:
    """A one-cell check through a lingering zygote, unsandboxed as `course check` runs it / 经常驻父进程的单格检查"""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    problems = run_cells(nb, Path(tempfile.mkdtemp(prefix="check-", dir=folder)), timeout=120, uid=None, sandboxed=False, zygote=path)
    return [problems, [o.get("text") for o in nb.cells[0].outputs]]


def test_a_held_zygote_stays_past_its_linger_then_leaves(monkeypatch, short_folder):
    """A check that found the lingering zygote keeps it until the check ends, however slow the check; then it leaves
    找到常驻父进程的检查在结束前一直保有它（无论检查多慢），之后父进程才退出"""
    runtime = short_folder
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("COURSE_ZYGOTE_LINGER", "1")
    with zygote.shared() as path:
        assert path is not None and _check_in(path, runtime) == [{}, ["42\n"]]
    with zygote.shared() as again:
        assert again == path  # found, not started anew / 找到已有的，而非新启动
        time.sleep(2.5)  # longer than the linger: a busy machine between finding it and asking / 比空闲时限更长
        assert _check_in(path, runtime) == [{}, ["42\n"]]
    deadline = time.monotonic() + 30
    while processes_with(path) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not processes_with(path) and not os.path.exists(path)


def test_a_zygote_that_left_is_replaced_and_a_silent_client_stalls_nothing(monkeypatch, short_folder):
    """A socket whose zygote is gone is replaced by a new zygote; a client that connects and says nothing does not
    stop the zygote answering others / 父进程已不在的套接字会被新父进程取代；连上却不说话的客户端不会让父进程停止应答"""
    runtime = short_folder
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("COURSE_ZYGOTE_LINGER", "30")
    with zygote.shared() as path:
        first = processes_with(path)
        os.kill(first[0], signal.SIGKILL)
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with zygote.shared() as again:
        assert again == path and processes_with(path) != first
        silent.connect(path)  # never sends a request / 从不发送请求
        started = time.monotonic()
        assert _check_in(path, runtime) == [{}, ["42\n"]]
        assert time.monotonic() - started < zygote.REQUEST_SECONDS - 5  # not held up by the silent one / 没有被沉默的客户端拖住
    silent.close()
    for pid in processes_with(path):
        os.kill(pid, signal.SIGTERM)


def test_the_socket_appears_only_once_it_listens(tmp_path):
    """A command that finds the socket can connect at once, however slow the zygote between taking its address and
    listening (the window in which `course check` found a socket that refused it, under load)
    找到套接字的命令可以立即连接，无论父进程在绑定地址与开始监听之间多慢（负载下 course check 曾找到拒绝连接的套接字）"""
    path = str(tmp_path / "z.sock")
    slow_listen = ("import socket, sys, time\nlisten = socket.socket.listen\n"
                   "socket.socket.listen = lambda self, *a: (time.sleep(2), listen(self, *a))[1]\n"
                   "from course.kernel import zygote\nzygote.serve(sys.argv[1], 1)")  # fmt: skip
    server = subprocess.Popen([sys.executable, "-c", slow_listen, path], cwd=LAYOUT.root)
    try:
        deadline = time.monotonic() + 60
        while not os.path.exists(path) and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(path)
        assert [p.name for p in tmp_path.iterdir()] == ["z.sock"], "no other name left behind / 不留下其他名字"
    finally:
        server.kill()
        server.wait()
