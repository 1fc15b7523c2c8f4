"""A parent that has paid Python, torch and matplotlib start-up once, and forks a fresh kernel per submission.
预先完成 Python、torch 与 matplotlib 启动的父进程，为每份提交派生一个全新的内核。

``course grade`` starts one zygote per batch (``running``); ``course check`` keeps one per user that
lingers for a while after its last kernel (``shared``), so a learner's second check starts at once. A
check holds the lingering zygote (a connection it keeps open, answered ``held``) from before it asks
for a kernel until it ends: a zygote never leaves while a command that found it still needs it. It imports what every lesson's
set-up imports, then waits on a Unix socket in the batch's private scratch folder. A kernel spec's
command is the small client of this module (``python -P -m course.kernel.zygote connect SOCKET REQUEST
CONNECTION_FILE``): it asks the zygote for a kernel and lives as long as that kernel, so
jupyter_client manages it as it would the kernel itself (killing the client kills the kernel).

For each request the zygote forks; the child enters the same sandbox ``course.kernel.sandbox`` builds for
a kernel started from scratch — new mount, network, PID and IPC namespaces (and a user namespace when
the grader is not root), the built view of the file system, limits, its own uid — then becomes an
IPython kernel with the submission's clean environment. The zygote itself never runs learner code,
so nothing of one submission reaches the next: each kernel is a fresh process with its own
namespaces, uid and limits. This module imports only the standard library at the top.
每份提交仍是全新的进程（独立的命名空间、uid 与资源限制）；父进程从不运行学生代码，所以提交之间互不可见。
"""

import contextlib
import ctypes
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

# What the lessons' set-up cells import, loaded once / 各课准备单元格导入的模块，只加载一次
PRELOAD = (
    "numpy", "torch", "matplotlib", "matplotlib.pyplot", "matplotlib_inline.backend_inline",
    "IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell",
    # and what a kernel's start imports (its debugger, history, help) / 以及内核启动时导入的模块（调试器、历史、帮助）
    "ipykernel.debugger", "IPython.core.history", "IPython.extensions.storemagic", "pdb", "pydoc", "code", "mimetypes",
    "faulthandler", "xmlrpc.client", "http.server",
)  # fmt: skip
# Longest path a Unix socket may have on Linux (108 bytes with its final NUL) / Linux 上 Unix 套接字路径的最大长度
MAX_SOCKET_PATH = 107
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x08000000, 0x10000000, 0x20000000, 0x40000000
PR_SET_PDEATHSIG = 1
# A client has this long to send its request line / 客户端须在此时间内发完请求行
REQUEST_SECONDS = 30
PENDING = "request pending"
# The backend ipykernel registers, set before matplotlib is imported / ipykernel 注册的后端，须在导入 matplotlib 之前设置
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _die_with_parent(sig: int = signal.SIGKILL) -> None:
    _libc().prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)


def _unshare(flags: int) -> None:
    if _libc().unshare(flags) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"unshare: {os.strerror(error)}")


# --- the zygote / 父进程 ---


def serve(socket_path: str, linger: float | None = None) -> None:
    """Listen first (clients queue while the imports run), import, then fork a kernel per request.

    With ``linger`` (``course check``), outlive the command that started it and exit after that many idle
    seconds; without, end with the grader that started it. 先监听再导入，然后为每个请求派生内核；linger 时空闲后退出。
    """
    if linger is None:
        _die_with_parent(signal.SIGTERM)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # Bound and listening under a passing name, then linked to its own: a command that finds the socket can connect
    # (bound but not yet listening, it would be refused); as with bind, a name another zygote holds is not taken.
    # The passing name is no longer than the real one.
    # 先以临时名字绑定并监听，再链接到正式名字：找到套接字的命令一定能连上（已绑定但未监听时连接会被拒绝）；
    # 与 bind 一样，不会占用另一个父进程已有的名字
    passing = os.path.join(os.path.dirname(socket_path), f".z{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(passing)
    listener.bind(passing)
    os.chmod(passing, 0o600)
    listener.listen(256)
    try:
        os.link(passing, socket_path)
    finally:
        os.unlink(passing)
    import importlib

    import helpers

    for name in PRELOAD:
        importlib.import_module(name)
    for entry in sorted(Path(helpers.__file__).parent.glob("*.py")):
        if entry.stem != "__init__":
            importlib.import_module(f"helpers.{entry.stem}")
    import course.kernel.sandbox  # noqa: F401 — the child builds its sandbox with it / 子进程用它建立沙箱

    children: dict[int, socket.socket] = {}
    holders: set[socket.socket] = set()  # commands that will ask for kernels / 之后还会请求内核的命令

    def stop(signum, frame):  # the grader is done: no kernel outlives it / 评阅结束：内核不得比它活得更久
        for pid in children:
            _kill(pid)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    # Connections whose request line is still arriving, read as it comes so a slow or silent client stalls no one
    # 请求行尚未读完的连接：随到随读，慢或沉默的客户端不会阻塞其他人
    pending: dict[socket.socket, tuple[float, bytes]] = {}
    idle_since = time.monotonic()
    while True:
        if children or holders or pending:
            idle_since = time.monotonic()
        elif linger is not None and time.monotonic() - idle_since > linger:
            # Gone from the folder first: a command that connected before this is refused, not left waiting
            # 先从目录中移除：在此之前连接的命令会被拒绝，而不是一直等待
            with contextlib.suppress(OSError):
                os.unlink(socket_path)
            return
        for connection in [c for c, (since, _) in pending.items() if time.monotonic() - since > REQUEST_SECONDS]:
            selector.unregister(connection)
            del pending[connection]
            connection.close()
        for key, _ in selector.select(timeout=0.05):
            if key.fileobj is listener:
                connection, _ = listener.accept()
                connection.setblocking(False)
                pending[connection] = (time.monotonic(), b"")
                selector.register(connection, selectors.EVENT_READ, PENDING)
            elif key.data is PENDING:
                connection = key.fileobj
                since, data = pending.pop(connection)
                with contextlib.suppress(OSError):
                    chunk = connection.recv(65536)
                    data += chunk
                    if chunk and not data.endswith(b"\n") and len(data) < 2**20:
                        pending[connection] = (since, data)  # more to come / 还有后续
                        continue
                selector.unregister(connection)
                request = _parse_request(data)
                if request is None:
                    connection.close()
                    continue
                connection.setblocking(True)
                if request.get("hold"):
                    with contextlib.suppress(OSError):
                        connection.sendall(b"held\n")
                        holders.add(connection)
                        selector.register(connection, selectors.EVENT_READ, None)
                    continue
                pid = os.fork()
                if pid == 0:
                    _child(request, [listener, connection, *children.values(), *holders, *pending], connection)
                children[pid] = connection
                connection.sendall(f"started {pid}\n".encode())
                selector.register(connection, selectors.EVENT_READ, pid)
            else:  # the client went away: its kernel goes too / 客户端退出：其内核随之结束
                with contextlib.suppress(OSError):
                    if key.fileobj.recv(1):
                        continue
                selector.unregister(key.fileobj)
                if key.data is None:  # a command's hold ended / 命令的保持结束
                    holders.discard(key.fileobj)
                    key.fileobj.close()
                else:
                    _kill(key.data)
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            connection = children.pop(pid, None)
            if connection is not None:
                with contextlib.suppress(OSError):
                    connection.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
                with contextlib.suppress(KeyError, ValueError):
                    selector.unregister(connection)
                connection.close()


def _kill(pid: int) -> None:
    """End a child's whole process group (it made itself a session leader); in a sandbox its kernel is
    PID 1 of its namespace, so every process there ends with it / 结束子进程的整个进程组；沙箱中内核是其 PID 命名空间的 1 号进程。"""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _parse_request(data: bytes) -> dict | None:
    """A request line as a dict; None for a broken or incomplete one / 请求行；损坏或不完整时返回 None。"""
    if not data.endswith(b"\n"):
        return None
    try:
        request = json.loads(data)
    except ValueError:
        return None
    return request if isinstance(request, dict) else None


def _child(request: dict, inherited: list, connection: socket.socket) -> None:
    """In the forked child: the sandbox, then the kernel; never returns / 子进程：先进入沙箱，再成为内核；不会返回。"""
    status = 1
    try:
        for sock in inherited:
            with contextlib.suppress(OSError):
                sock.close()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.setsid()
        mode, spec = request.get("mode"), request.get("spec")
        if mode is not None:
            status = _sandboxed(mode, spec, request)
        else:
            _kernel(request)
            status = 0
    except BaseException as error:  # say why on stderr, which the grader keeps / 原因写到 stderr
        with contextlib.suppress(Exception):
            print(f"zygote: the kernel could not start / 内核未能启动: {error!r}", file=sys.stderr, flush=True)
    os._exit(status)


def _sandboxed(mode: str, spec_fields: dict, request: dict) -> int:
    """New namespaces as ``unshare`` would make them, then a child that is PID 1 there and runs the kernel."""
    from course.kernel.sandbox import Limits, SandboxSpec, enter_sandbox, mount

    outer_uid, outer_gid = os.geteuid(), os.getegid()
    if mode == "root":
        _unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC)
    else:
        _unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC)
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"0 {outer_uid} 1\n")
        Path("/proc/self/gid_map").write_text(f"0 {outer_gid} 1\n")
    pid = os.fork()
    if pid:  # stays outside as the kernel's parent, as ``unshare --fork --kill-child`` does / 如 unshare --fork 一样留在外面
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status)
    try:
        _die_with_parent()
        # ``unshare --mount-proc``: a /proc of this PID namespace only / 只含本 PID 命名空间的 /proc
        mount("--make-rprivate", "/")
        mount("-t", "proc", "proc", "/proc")
        spec = SandboxSpec(**{**spec_fields, "limits": Limits(**spec_fields["limits"]), "rootless": mode != "root"})
        parent = os.getppid()
        enter_sandbox(spec)
        _die_with_parent()  # a change of user cleared it / 切换用户会清除此设置
        if os.getppid() != parent:
            os._exit(1)
        _kernel(request)
        os._exit(0)
    except BaseException as error:
        with contextlib.suppress(Exception):
            print(f"zygote: the sandbox could not be built / 无法建立沙箱: {error!r}", file=sys.stderr, flush=True)
        os._exit(1)


def _kernel(request: dict) -> None:
    """Become an IPython kernel with the submission's environment, as ``python -m ipykernel_launcher`` would.

    以提交的环境成为 IPython 内核，与 ``python -m ipykernel_launcher`` 相同。
    """
    import tempfile

    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    tempfile.tempdir = None  # found again from TMPDIR / 按 TMPDIR 重新确定
    sys.path[0:0] = [request["cwd"]]  # as ``-m`` puts the working folder first / 与 -m 相同，工作目录在最前
    for name in [n for n in sys.modules if n == "course" or n.startswith("course.")]:
        del sys.modules[name]  # the instructor's package stays out of the kernel's reach / 内核无法导入教师端的包
    sys.argv = ["ipykernel_launcher", "-f", request["connection_file"]]
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(["-f", request["connection_file"]])
    # matplotlib's inline backend was imported before any shell existed, so it could not register its figure formats (a
    # PNG for each figure) then: done now, as importing pyplot in a fresh kernel does / 内联后端在 shell 存在之前就已导入，现在注册图像格式
    from IPython.core.pylabtools import activate_matplotlib
    from matplotlib_inline.backend_inline import configure_inline_support

    activate_matplotlib(INLINE_BACKEND)
    configure_inline_support(app.shell, INLINE_BACKEND)
    app.start()


# --- the client, a kernel spec's command / 客户端：内核描述中的命令 ---


def connect(socket_path: str, request_path: str, connection_file: str) -> int:
    """Ask the zygote for a kernel and wait until it exits; return its exit code. Killing this process
    (as jupyter_client does at shutdown) closes the socket, and the zygote kills the kernel.

    向父进程请求一个内核并等待它退出；杀死本进程会关闭套接字，父进程随即杀死内核。
    """
    request = json.loads(Path(request_path).read_text())
    request.update(connection_file=os.path.abspath(connection_file), cwd=os.getcwd(), env=dict(os.environ))
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(socket_path)
    client.sendall(json.dumps(request).encode() + b"\n")
    reader = client.makefile("r")
    for line in reader:
        word, _, value = line.partition(" ")
        if word == "exit":
            return int(value)
    return 1


def _start(path: str, env: dict[str, str], *linger: str, **popen) -> subprocess.Popen:
    """Start a zygote serving ``path`` and wait (at most 30 s) until it listens; it imports afterwards.

    启动一个在 path 上提供服务的父进程，并等待它开始监听（最多 30 秒）；导入在此之后进行。
    """
    process = subprocess.Popen(
        [sys.executable, "-P", "-m", "course.kernel.zygote", "serve", path, *linger],
        # PYDEVD_...: the kernel debugger's notice on frozen modules, once per zygote / 调试器关于冻结模块的提示
        env={**env, "MPLBACKEND": INLINE_BACKEND, "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, **popen,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not os.path.exists(path) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return process


@contextlib.contextmanager
def running(folder: Path, env: dict[str, str]) -> Iterator[str]:
    """A zygote for the duration, listening in ``folder``; yields its socket path. ``env`` is the kernels'
    environment (torch reads its thread count, Python its hash seed, at start-up).

    在 folder 中运行一个父进程，返回其套接字路径；env 为内核的环境变量（部分设置只在启动时读取）。
    """
    path = str(folder / "zygote.sock")
    process = _start(path, env)
    try:
        yield path
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def shared(matplotlib_cache: Path | None = None, lang: str | None = None) -> Iterator[str | None]:
    """This user's lingering zygote for ``course check``, started if none answers, held for the duration; yields its
    socket, or None where no private folder can be had for it (kernels then start from scratch). Its name changes
    with the interpreter, the files it preloads and the language (``lang``) its kernels speak, so an edited ``helpers/``,
    a new environment or another language gets a new zygote.

    course check 使用的常驻父进程（没有则启动），在此期间保持它不退出；返回其套接字，无法获得私有目录时返回 None。
    解释器或预加载的文件改变时换用新的父进程。
    """
    import hashlib

    import helpers

    folder = Path(os.environ.get("XDG_RUNTIME_DIR") or "/tmp") / f"course-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    info = os.lstat(folder)
    if not Path(folder).is_dir() or folder.is_symlink() or info.st_uid != os.getuid() or info.st_mode & 0o077:
        yield None  # someone else's, or open to others / 属于他人或对他人开放
        return
    from course.kernel.sandbox import kernel_environment

    home = folder / "home"
    home.mkdir(mode=0o700, exist_ok=True)
    env = {**kernel_environment(home, lang), **({"MPLCONFIGDIR": str(matplotlib_cache)} if matplotlib_cache else {})}
    # Idle seconds before it exits (tests shorten it) / 空闲多少秒后退出（测试中会缩短）
    linger = float(os.environ.get("COURSE_ZYGOTE_LINGER", "900"))
    stamp = hashlib.sha256(f"{sys.executable}:{lang}".encode())  # a zygote's kernels speak its language / 父进程派生的内核使用其语言
    for source in sorted([*Path(helpers.__file__).parent.glob("*.py"), Path(__file__), Path(__file__).with_name("sandbox.py")]):
        stamp.update(f"{source}:{source.stat().st_mtime_ns}".encode())
    path = str(folder / f"z-{stamp.hexdigest()[:12]}.sock")
    if len(path.encode()) > MAX_SOCKET_PATH:
        yield None
        return
    hold = _hold(path)
    if hold is None:  # none there, or one that was just leaving: start one / 没有，或正要退出：启动一个
        with contextlib.suppress(OSError):
            os.unlink(path)
        # Outlives this command: its own session, no terminal, no working folder held / 比本命令活得久：独立会话，不占用终端与工作目录
        _start(path, env, str(linger), stderr=subprocess.DEVNULL, start_new_session=True, cwd="/")
        hold = _hold(path)
    try:
        yield path if hold is not None else None
    finally:
        if hold is not None:
            hold.close()


def _hold(path: str, timeout: float = 120) -> socket.socket | None:
    """A connection that keeps the zygote at ``path`` from leaving while it is open, once the zygote has answered
    (a new one answers when its imports are done); None if no zygote answers / 保持父进程不退出的连接；无应答时返回 None。"""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(timeout)
    try:
        client.connect(path)
        client.sendall(b'{"hold": true}\n')
        if client.makefile("rb").readline() == b"held\n":
            client.settimeout(None)
            return client
    except OSError:
        pass
    client.close()
    return None


def main(argv: list[str]) -> int:
    if argv[:1] == ["serve"] and len(argv) in (2, 3):
        serve(argv[1], float(argv[2]) if len(argv) == 3 else None)
        return 0
    if argv[:1] == ["connect"] and len(argv) == 4:
        return connect(*argv[1:])
    print("usage: python -P -m course.kernel.zygote serve SOCKET [LINGER] | connect SOCKET REQUEST.json CONNECTION_FILE", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
