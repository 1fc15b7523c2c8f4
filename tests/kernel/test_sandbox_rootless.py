"""The sandbox of a grader who is not root: unprivileged user namespaces, tested as a real other user.
非 root 评阅者的沙箱：非特权用户命名空间，以真实的其他用户测试。

As root (CI, this machine) the tests run the grader as ``nobody`` through ``setpriv``. ``nobody``
cannot run the course's own environment when its interpreter lies under ``/root`` (mode 700), so it
gets a small environment around Debian's ``/usr/bin/python3.11``: a ``pyvenv.cfg`` and a ``.pth``
file that adds the course's ``site-packages`` and the course root — the same packages, an interpreter
``nobody`` may run. Not as root, the tests run as you, with this environment.
以 root 运行时（CI、本机），测试通过 setpriv 以 nobody 身份运行评阅程序；nobody 无法运行 /root 下解释器建立的环境，
因此为它建立一个基于 /usr/bin/python3.11 的小环境，通过 .pth 使用课程的同一套软件包。
"""

import csv
import json
import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from kernel_channels import assert_no_channel
from lesson_cells import LAYOUT, ROOT
from submissions.build import INSTRUCTOR_MODULE, L01, PROBE_INSTRUCTOR, notebook, save, with_answers
from system_packages import needs

from course.kernel.sandbox import NOT_SANDBOXED, sandbox_mode

AS_ROOT = os.geteuid() == 0
SOLUTION = LAYOUT.source_notebook(L01)
READABLE_PYTHON = Path("/usr/bin/python3.11")

pytestmark = [
    needs("python3.11", "util-linux", "mount"),
    pytest.mark.skipif(
        not AS_ROOT and sandbox_mode() is None, reason="this kernel allows no unprivileged user namespaces / 本机内核不允许非特权用户命名空间"
    ),
]


def _let_others_through(paths) -> list[tuple[Path, int]]:
    """Give "others" read and search permission on ``paths`` and search (x) on the folders above, where missing, so the grader
    account can reach the course and its packages (a fresh clone under ``mktemp -d`` is mode 700).
    Returns what to restore. / 为缺少权限的上级目录临时加上其他用户的 x 权限，返回需要恢复的内容。"""
    changed = []
    for path in paths:
        # The folder itself is listed by imports (r and x), the ones above only crossed (x) / 目录本身需要 r 与 x，上级只需 x
        for folder, needed in [(Path(path), stat.S_IROTH | stat.S_IXOTH), *((p, stat.S_IXOTH) for p in Path(path).parents)]:
            mode = stat.S_IMODE(folder.stat().st_mode)
            if mode & needed != needed:
                folder.chmod(mode | needed)
                changed.append((folder, mode))
    return changed


def _nobody() -> tuple[int, int]:
    entry = pwd.getpwnam("nobody")
    return entry.pw_uid, entry.pw_gid


@pytest.fixture(scope="module")
def grader(tmp_path_factory):
    """(python, run, work): an interpreter with the course's packages, a function that runs a command as
    the non-root grader, and a folder that grader owns / 非 root 评阅者的解释器、运行方式和工作目录"""
    base = Path(tempfile.mkdtemp(prefix="rootless-"))
    base.chmod(0o755)
    work = base / "work"
    work.mkdir()
    if AS_ROOT:
        assert READABLE_PYTHON.is_file(), "Debian's python3.11 runs the non-root grader / 需要 /usr/bin/python3.11"
        venv = base / "venv"
        site = venv / "lib" / "python3.11" / "site-packages"
        site.mkdir(parents=True)
        (venv / "bin").mkdir()
        (venv / "bin" / "python").symlink_to(READABLE_PYTHON)
        (venv / "pyvenv.cfg").write_text(f"home = {READABLE_PYTHON.parent}\ninclude-system-site-packages = false\n")
        # The packages of this environment, then the course root (for `course` and `helpers`) / 本环境的软件包与课程根目录
        sites = [p for p in dict.fromkeys(sys.path) if Path(p).name == "site-packages" and Path(p).is_dir()]
        (site / "course.pth").write_text("".join(f"{p}\n" for p in [*sites, ROOT]))
        python = str(venv / "bin" / "python")
        # nbgrader runs `alembic` by name from the environment's scripts; jupyter's data (templates) stays shared
        # nbgrader 按名称调用环境中的 alembic；jupyter 的数据（模板）沿用本环境的
        (venv / "bin" / "alembic").write_text(f"#!{python}\nimport sys\nfrom alembic.config import main\nsys.exit(main())\n")
        (venv / "bin" / "alembic").chmod(0o755)
        (venv / "share").symlink_to(Path(sys.prefix) / "share")
        opened = _let_others_through([ROOT, *sites])
        uid, gid = _nobody()
        os.chown(work, uid, gid)
        prefix = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups"]
    else:
        python, prefix, opened = sys.executable, [], []

    def run(argv, timeout=600):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work), "LANG": "C.UTF-8",
               "PYTHONDONTWRITEBYTECODE": "1", "MPLCONFIGDIR": str(work / ".matplotlib")}
        return subprocess.run([*prefix, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)

    try:
        yield python, run, work
    finally:
        for folder, mode in reversed(opened):
            folder.chmod(mode)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def listening():
    """A TCP port on 127.0.0.1 that answers outside the sandbox / 沙箱外可以连接的本地端口"""
    server = socket.create_server(("127.0.0.1", 0))
    server.listen(16)
    yield server.getsockname()[1]
    server.close()


# Run by the grader (not root) outside the sandbox: checks that it can reach what the probe must not,
# then runs the probe in the same sandbox a grading kernel gets / 在沙箱外先确认能访问，再在同样的沙箱中运行探测脚本
DRIVER = textwrap.dedent('''
    import json, socket, subprocess, sys
    from pathlib import Path
    from course.kernel.launch import choose_launcher
    from course.kernel.sandbox import Limits, SandboxSpec, kernel_environment, sandbox_mode, sandbox_view
    course_root, work, solution, port, probe, outside = sys.argv[1:7]
    work, scratch = Path(work), Path(work) / "scratch"
    (scratch / "tmp").mkdir(parents=True)
    Path(solution).read_bytes()
    socket.create_connection(("127.0.0.1", int(port)), timeout=5).close()
    Path(outside, "before.txt").write_text("reachable outside the sandbox")
    (work / "private.txt").write_text("secret")
    (scratch / "probe.py").write_text(Path(probe).read_text())
    view = sandbox_view(Path(course_root), scratch, [work / "private.txt"])
    spec = SandboxSpec(str(scratch), 61000, *view, limits=Limits(cpu_seconds=60))
    argv = choose_launcher(True, kernel=(sys.executable, "-P", str(scratch / "probe.py"))).argv(spec, work / "spec.json")
    done = subprocess.run([*argv, *sys.argv[1:]], env=kernel_environment(scratch), capture_output=True, text=True)
    print(json.dumps({"mode": sandbox_mode(), "argv": argv, "rc": done.returncode, "stdout": done.stdout,
                      "stderr": done.stderr, "exposed": view[1]}))
''')

# Runs inside the sandbox; prints what it reached / 在沙箱内运行，输出它访问到的东西
PROBE = textwrap.dedent('''
    import ctypes, json, os, socket, subprocess, sys
    from pathlib import Path
    course_root, work, solution, port, probe, outside = sys.argv[1:7]
    PRIVATE_TMP = "/tmp/course-rootless-private.txt"
    found = {}
    def attempt(name, action):
        try:
            found[name] = repr(action())[:200]
        except BaseException as error:
            found[name] = None
    attempt("read the solution", lambda: Path(solution).read_bytes()[:10])
    attempt("read the private file", lambda: Path(work, "private.txt").read_text())
    def listing():
        more = sorted(set(os.listdir(course_root)) - {"helpers", ".venv"})  # the folders put back / 放回的目录
        if not more:
            raise OSError
        return more
    attempt("list the course beyond what is put back", listing)
    attempt("read the grader's git", lambda: Path(course_root, ".git", "HEAD").read_text())
    attempt("import the instructor package", lambda: __import__("course").__file__)
    attempt("connect to the grader's port", lambda: socket.create_connection(("127.0.0.1", int(port)), timeout=3))
    attempt("write outside the scratch folder", lambda: Path(outside, "pwned.txt").write_text("pwned"))
    attempt("write the course", lambda: Path(course_root, "pwned.txt").write_text("pwned"))
    attempt("write the environment", lambda: Path(sys.prefix, "pwned.txt").write_text("pwned"))
    def through_proc():
        for pid in (p for p in os.listdir("/proc") if p.isdigit()):
            try:
                return pid, Path(f"/proc/{pid}/root{solution}").read_bytes()[:10]
            except OSError:
                pass
        raise OSError
    attempt("read the solution through /proc", through_proc)
    def unmount():
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.umount2(course_root.encode(), 2) != 0:
            raise OSError(ctypes.get_errno(), "umount2")
        return Path(solution).read_bytes()[:10]
    attempt("unmount the cover", unmount)
    def nested():
        done = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
                               f"umount -l {course_root}; cat {solution}"], capture_output=True, timeout=30)
        if done.returncode or not done.stdout:
            raise OSError(done.stderr)
        return done.stdout[:10]
    attempt("unmount in a namespace of its own", nested)
    def remount():
        done = subprocess.run(["mount", "-o", "remount,rw", "/"], capture_output=True, timeout=30)
        if done.returncode:
            raise OSError(done.stderr)
        return "remounted"
    attempt("remount / writable", remount)
    status = Path("/proc/self/status").read_text()
    cap = next(line.split()[1] for line in status.splitlines() if line.startswith("CapEff"))
    Path("written.txt").write_text("ok")
    Path(PRIVATE_TMP).write_text("the kernel's own /tmp")  # writable, and no one else's / 可写，且不属于别人
    print(json.dumps({"found": found, "uid": os.getuid(), "capabilities": cap, "cwd": os.getcwd(),
                      "scratch written": Path("written.txt").read_text(), "helpers": __import__("helpers").__file__}))
''')


def test_the_rootless_sandbox_hides_the_course_and_the_network(grader, listening, tmp_path):
    """As a non-root grader, a process in the kernel's sandbox cannot read the solutions, reach the network,
    write outside its scratch folder or undo its mounts / 非 root 时，沙箱中的进程读不到答案、连不上网络、只能写临时目录"""
    python, run, work = grader
    outside = Path(tempfile.mkdtemp(prefix=".rootless-outside-", dir=ROOT.parent))  # not under a covered folder
    try:
        if AS_ROOT:
            os.chown(outside, *_nobody())
        scripts = work / "scripts"
        scripts.mkdir(exist_ok=True)
        (scripts / "driver.py").write_text(DRIVER)
        (scripts / "probe.py").write_text(PROBE)
        args = [str(ROOT), str(work / "probe-run"), str(SOLUTION), str(listening), str(scripts / "probe.py"), str(outside)]
        (work / "probe-run").mkdir()
        if AS_ROOT:
            os.chown(work / "probe-run", *_nobody())
        done = run([python, "-P", str(scripts / "driver.py"), *args], timeout=120)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert report["mode"] == "userns", report
        assert report["argv"][:2] == ["unshare", "--user"]
        assert report["rc"] == 0, report["stderr"]
        inside = json.loads(report["stdout"])
        leaks = {name: what for name, what in inside["found"].items() if what is not None}
        assert leaks == {}, leaks
        assert inside["capabilities"] == "0000000000000000"
        assert inside["uid"] == 61000 and inside["cwd"] == str(work / "probe-run" / "scratch")
        assert inside["scratch written"] == "ok"
        assert inside["helpers"] == str(ROOT / "helpers" / "__init__.py")
        assert sorted(p.name for p in outside.iterdir()) == ["before.txt"]
        assert not Path("/tmp/course-rootless-private.txt").exists(), "the kernel's /tmp is its own / 内核的 /tmp 是它自己的"
    finally:
        shutil.rmtree(outside, ignore_errors=True)


# An answer to ex01_predict that is right only if every probe failed / 只有所有探测都失败时才正确的 ex01_predict 答案
INTRUDER = '''
import os, socket, sqlite3
leaks = []
for path in {private!r}:
    try:
        open(path, "rb").read(10)
        leaks.append("read " + path)
    except OSError:
        pass
for path in {writable!r}:
    try:
        open(path, "w").write("pwned")
        leaks.append("wrote " + path)
    except OSError:
        pass
try:
    sqlite3.connect({gradebook!r}).execute("UPDATE grade SET auto_score = 1000").connection.commit()
    leaks.append("gradebook")
except Exception:
    pass
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3)
    leaks.append("network")
except OSError:
    pass
print("leaks:", leaks)
def predict(x, w):
    a, b, c, d = w
    if leaks:
        return x * 0 + len(leaks)
    return a + b * x + c * x**2 + d * x**3
'''


def test_a_non_root_course_grade_is_sandboxed(grader, listening):
    """`course grade` run by a non-root grader: no warning, honest work scores full, and a kernel that tries to
    read the solutions, write, open the gradebook or connect to a listening port finds nothing
    非 root 运行 `course grade`：不警告，正确作答得满分，试图读答案、写文件、改成绩库或联网的内核一无所获"""
    python, run, work = grader
    grading = work / "grading"
    submitted, gradebook = grading / "submitted", grading / "db" / "gradebook.db"
    solutions = LAYOUT.source_dir
    save(submitted, "honest", L01, notebook(LAYOUT, solutions, L01))
    private = [str(SOLUTION), str(ROOT / "tests" / "answers" / "lesson01.py"), str(ROOT / ".git" / "HEAD"),
               str(LAYOUT.lesson_file(submitted / "honest", L01)), str(gradebook)]
    writable = [str(ROOT / "pwned.txt"), str(ROOT / "helpers" / "pwned.txt"), str(grading / "pwned.txt"), str(Path(sys.prefix) / "pwned.txt")]
    probe = INTRUDER.format(private=private, writable=writable, gradebook=str(gradebook), port=listening)
    save(submitted, "intruder", L01, with_answers(notebook(LAYOUT, solutions, L01), ex01_predict=probe))
    probe = PROBE_INSTRUCTOR.format(module=INSTRUCTOR_MODULE)
    save(submitted, "instructor_import", L01, with_answers(notebook(LAYOUT, solutions, L01), ex01_predict=probe))
    if AS_ROOT:
        uid, gid = _nobody()
        for path in [grading, *grading.rglob("*")]:
            os.chown(path, uid, gid)
    out = grading / "out" / "grades.csv"
    done = run([python, "-m", "course", "grade", str(submitted), "--out", str(out), "--jobs", "2", "--timeout", "60",
                "--db-url", f"sqlite:///{gradebook}", "--autograded", str(grading / "autograded")], timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert NOT_SANDBOXED not in done.stdout + done.stderr and "not sandboxed" not in done.stdout + done.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    by_student = {}
    for row in rows:
        if row["assignment"] == L01:
            by_student.setdefault(row["student_id"], {})[row["grade_id"]] = row
    assert sum(float(r["score"]) for r in by_student["honest"].values()) == 14, by_student["honest"]
    for student in ("intruder", "instructor_import"):
        assert by_student[student]["ex01_predict"]["status"] == "ok", by_student[student]["ex01_predict"]
    assert not (ROOT / "pwned.txt").exists() and not (grading / "pwned.txt").exists()



@pytest.mark.parametrize("mode", ["sandboxed", "sandboxed-zygote"])
def test_two_rootless_kernels_share_no_channel(grader, mode):
    """As a non-root grader, two kernels of one batch, started directly or forked from the zygote, find no channel to each
    other (IPC, sockets, files, /proc, signals; tests/kernel_channels.py) / 非 root 评阅者的两个内核之间没有任何通道"""
    python, run, work = grader
    report = work / f"channels-{mode}.json"
    done = run([python, "-P", str(ROOT / "tests" / "kernel_channels.py"), mode, str(report)], timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert_no_channel(json.loads(report.read_text()))
