"""Two grading kernels of one batch, side by side: one publishes a token on every channel it can, the other looks for it.
同一批次的两个评阅内核并排运行：一个在它能用的每个通道上发布令牌，另一个去寻找它。

Channels: System V shared memory, message queues and semaphores, POSIX shared memory and message
queues, an abstract Unix socket, a TCP port on 127.0.0.1, files in every folder anyone may write
(and the other kernel's scratch folder), ``/proc`` (the publisher names its process), and signals
(the reader signals the publisher's pid as the host sees it). The publisher reports which channels it
did open, so a reader that finds nothing proves something; unsandboxed, the reader finds them.

    python tests/kernel_channels.py MODE REPORT.json   # MODE: sandboxed, sandboxed-zygote or unsandboxed

Used by tests/kernel/test_kernel_channels.py (as root) and tests/kernel/test_sandbox_rootless.py (as a non-root grader).
通道：System V 共享内存、消息队列与信号量，POSIX 共享内存与消息队列，抽象 Unix 套接字，127.0.0.1 上的 TCP 端口，
任何人都可写的目录中的文件（以及另一个内核的临时目录），/proc 与信号。发布者报告它打开了哪些通道，读取者一无所获才有意义。
"""

import contextlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course.kernel import zygote  # noqa: E402
from course.kernel.runner import prepare_scratch, run_cells  # noqa: E402
from course.kernel.sandbox import FIRST_UID, is_root, kernel_environment, sandbox_view  # noqa: E402
from course.server.testing import free_port  # noqa: E402

TOKEN = "course-channel-4242"
# The publisher's process name, as /proc/<pid>/comm shows it (15 bytes at most) / 发布者的进程名
NAME = "cchan4242"
# Folders anyone may write on a Debian machine, where they exist / Debian 上任何人都可写的目录
SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue", "/run/lock", "/var/lock", "/var/crash")

COMMON = '''
import ctypes, json, os, signal, socket, threading, time
from multiprocessing import shared_memory
from pathlib import Path
TOKEN, NAME, KEY, PORT, FOLDERS = {token!r}, {name!r}, 0x4242, {port}, {folders!r}
libc = ctypes.CDLL(None, use_errno=True)
for function, result, arguments in (("shmget", ctypes.c_int, [ctypes.c_int, ctypes.c_size_t, ctypes.c_int]),
                                    ("shmat", ctypes.c_void_p, [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]),
                                    ("msgget", ctypes.c_int, [ctypes.c_int, ctypes.c_int]),
                                    ("semget", ctypes.c_int, [ctypes.c_int, ctypes.c_int, ctypes.c_int]),
                                    ("mq_open", ctypes.c_int, [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p])):
    getattr(libc, function).restype, getattr(libc, function).argtypes = result, arguments
class Message(ctypes.Structure):
    _fields_ = [("mtype", ctypes.c_long), ("mtext", ctypes.c_char * 64)]
'''

PUBLISH = COMMON + '''
report = {{"published": [], "received": []}}
libc.prctl(15, NAME.encode(), 0, 0, 0)  # PR_SET_NAME
report["published"].append("proc")
signal.signal(signal.SIGUSR1, lambda *args: report["received"].append("SIGUSR1"))
segment = libc.shmget(KEY, 4096, 0o1666)
if segment >= 0:
    ctypes.memmove(libc.shmat(segment, None, 0), TOKEN.encode() + b"\\0", len(TOKEN) + 1)
    report["published"].append("sysv shared memory")
queue = libc.msgget(KEY, 0o1666)
if queue >= 0 and libc.msgsnd(queue, ctypes.byref(Message(1, TOKEN.encode())), 64, 0) == 0:
    report["published"].append("sysv message queue")
if libc.semget(KEY, 1, 0o1666) >= 0:
    report["published"].append("sysv semaphore")
try:
    posix = shared_memory.SharedMemory(name=NAME + "-shm", create=True, size=64)
    posix.buf[: len(TOKEN)] = TOKEN.encode()
    report["published"].append("posix shared memory")
except Exception as error:
    report["posix shared memory"] = repr(error)
mqueue = libc.mq_open(("/" + NAME).encode(), os.O_CREAT | os.O_RDWR, 0o666, None)
if mqueue >= 0 and libc.mq_send(mqueue, TOKEN.encode(), len(TOKEN), 0) == 0:
    report["published"].append("posix message queue")
def serve(server):
    while True:
        connection, _ = server.accept()
        report["received"].append("connection")
        connection.sendall(TOKEN.encode())
        connection.close()
for label, family, address in (("abstract socket", socket.AF_UNIX, "\\0" + NAME), ("tcp on 127.0.0.1", socket.AF_INET, ("127.0.0.1", PORT))):
    try:
        server = socket.socket(family, socket.SOCK_STREAM)
        server.bind(address)
        server.listen(4)
        threading.Thread(target=serve, args=(server,), daemon=True).start()
        report["published"].append(label)
    except OSError as error:
        report[label] = repr(error)
for folder in FOLDERS:
    try:
        Path(folder, NAME).write_text(TOKEN)
        report["published"].append("file in " + folder)
    except OSError:
        pass
Path("ready").write_text(TOKEN)
'''

WAIT_AND_CLEAN = '''
deadline = time.monotonic() + 120
while not os.path.exists("reader-done") and time.monotonic() < deadline:
    time.sleep(0.05)
time.sleep(0.3)
# What could outlive this kernel when it is not in namespaces of its own / 没有独立命名空间时可能比内核活得更久的东西
for remove in (lambda: libc.shmctl(segment, 0, None), lambda: libc.msgctl(queue, 0, None),
               lambda: libc.semctl(libc.semget(KEY, 1, 0), 0, 0), lambda: posix.unlink(), lambda: libc.mq_unlink(("/" + NAME).encode())):
    try:
        remove()
    except Exception:
        pass
for folder in FOLDERS:
    try:
        Path(folder, NAME).unlink()
    except OSError:
        pass
Path("report.json").write_text(json.dumps(report))
'''

READ = COMMON + '''
found = {{}}
def attempt(label, action):
    try:
        value = action()
    except Exception:
        return
    if value:
        found[label] = repr(value)[:120]
def sysv_memory():
    segment = libc.shmget(KEY, 0, 0)
    return ctypes.string_at(libc.shmat(segment, None, 0o10000)) if segment >= 0 else None
def sysv_queue():
    queue, message = libc.msgget(KEY, 0), Message()
    return message.mtext if queue >= 0 and libc.msgrcv(queue, ctypes.byref(message), 64, 0, 0o4000) >= 0 else None
def posix_queue():
    queue, buffer = libc.mq_open(("/" + NAME).encode(), os.O_RDONLY | os.O_NONBLOCK, 0, None), ctypes.create_string_buffer(8192)
    return buffer.value if queue >= 0 and libc.mq_receive(queue, buffer, 8192, None) >= 0 else ("opened" if queue >= 0 else None)
def connect(family, address):
    client = socket.socket(family, socket.SOCK_STREAM)
    client.settimeout(3)
    client.connect(address)
    return client.recv(64)
attempt("sysv shared memory", sysv_memory)
attempt("sysv message queue", sysv_queue)
attempt("sysv semaphore", lambda: libc.semget(KEY, 0, 0) >= 0)
def posix_memory():
    memory = shared_memory.SharedMemory(name=NAME + "-shm")
    value = bytes(memory.buf[: len(TOKEN)])
    memory.close()
    return value
attempt("posix shared memory", posix_memory)
attempt("posix message queue", posix_queue)
attempt("abstract socket", lambda: connect(socket.AF_UNIX, "\\0" + NAME))
attempt("tcp on 127.0.0.1", lambda: connect(socket.AF_INET, ("127.0.0.1", PORT)))
for folder in [*FOLDERS, {publisher_scratch!r}]:
    attempt("file in " + folder, lambda folder=folder: Path(folder, NAME).read_text() if folder in FOLDERS else Path(folder, "ready").read_text())
def named_process():
    named = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:  # a process may end between the listing and the read / 进程可能在列出与读取之间结束
            if Path("/proc", pid, "comm").read_text().strip() == NAME:
                named.append(pid)
        except OSError:
            pass
    return named
attempt("proc", named_process)
def signal_publisher():
    os.kill({publisher_pid}, signal.SIGUSR1)
    return "sent"
attempt("signal", signal_publisher)
found["processes seen"] = sorted(int(pid) for pid in os.listdir("/proc") if pid.isdigit())
Path("report.json").write_text(json.dumps(found))
'''


# What the publisher can open inside any sandbox: its IPC, its abstract socket, its own /tmp and /dev/shm, its process
# 发布者在任何沙箱中都能打开的通道：它自己的 IPC、抽象套接字、/tmp 与 /dev/shm，以及它的进程
OPENED_INSIDE = {"proc", "sysv shared memory", "sysv message queue", "sysv semaphore", "posix shared memory", "posix message queue",
                 "abstract socket", "file in /tmp", "file in /dev/shm"}  # fmt: skip


def assert_no_channel(reports: dict) -> None:
    """The publisher opened every channel it could, and the reader found none of them / 发布者打开了所有通道，读取者一个也没找到"""
    publisher, reader = reports["publisher"], reports["reader"]
    assert OPENED_INSIDE <= set(publisher.get("published", [])), publisher
    found = {label: value for label, value in reader.items() if label != "processes seen"}
    assert found == {}, found
    assert publisher["received"] == [], publisher["received"]
    assert reports["host pid"] not in reader["processes seen"], reader["processes seen"]


def host_pid_named(name: str, cwd: Path, timeout: float = 30) -> int:
    """The pid, as this process sees it, of the process called ``name`` working in ``cwd`` (not one of an earlier run)
    名为 name、工作目录为 cwd 的进程在本进程看来的 pid（而不是之前某次运行留下的）。"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            with contextlib.suppress(OSError):
                if entry.name.isdigit() and (entry / "comm").read_text().strip() == name and os.readlink(entry / "cwd") == str(cwd):
                    return int(entry.name)
        time.sleep(0.05)
    raise TimeoutError(f"no process named {name}")


def two_kernels(mode: str) -> dict:
    """Run the publisher and the reader as ``course grade`` runs kernels in ``mode``; return both reports.

    以 course grade 在该模式下运行内核的方式运行发布者与读取者，返回两份报告。
    """
    sandboxed, forked = mode != "unsandboxed", mode.endswith("zygote")
    base = Path(tempfile.mkdtemp(prefix="channels-", dir="/run" if is_root() else None))
    base.chmod(0o711)
    folders = [f for f in SHARED_FOLDERS if Path(f).is_dir() and not Path(f).is_symlink()]
    port = free_port()
    publisher, reader = base / "publisher", base / "reader"
    view = sandbox_view(ROOT, publisher, []) if sandboxed else ((), (), ())
    home = base / "home"
    home.mkdir()
    runner = zygote.running(base, kernel_environment(home)) if forked else contextlib.nullcontext(None)
    with runner as socket_path:
        for i, scratch in enumerate((publisher, reader)):
            scratch.mkdir()
            prepare_scratch(scratch, FIRST_UID + i if sandboxed else None)

        def run(scratch: Path, uid: int, *sources: str) -> None:
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
            problems = run_cells(nb, scratch, timeout=120, uid=uid, view=view, sandboxed=sandboxed, zygote=socket_path)
            if problems:
                (scratch / "problems.json").write_text(json.dumps({k: str(v) for k, v in problems.items()}))

        common = {"token": TOKEN, "name": NAME, "port": port, "folders": folders}
        first = threading.Thread(target=run, args=(publisher, FIRST_UID, PUBLISH.format(**common), WAIT_AND_CLEAN.format(**common)))
        first.start()
        deadline = time.monotonic() + 120
        while not (publisher / "ready").exists() and first.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        pid = host_pid_named(NAME, publisher)
        run(reader, FIRST_UID + 1, READ.format(**common, publisher_scratch=str(publisher), publisher_pid=pid))
        (publisher / "reader-done").write_text("done")
        os.chmod(publisher / "reader-done", 0o644)
        first.join(timeout=150)
    reports = {}
    for role, scratch in (("publisher", publisher), ("reader", reader)):
        report = scratch / "report.json"
        reports[role] = json.loads(report.read_text()) if report.exists() else {"problems": (scratch / "problems.json").read_text()}
    reports["host pid"] = pid
    shutil.rmtree(base, ignore_errors=True)
    return reports


if __name__ == "__main__":
    mode, out = sys.argv[1:3]
    Path(out).write_text(json.dumps(two_kernels(mode)))
