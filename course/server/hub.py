"""A class on one server: the class environment, the server's folders and JupyterHub (``deploy/hub``).

``course hub env`` builds the environment every learner's server and kernel runs in, from
``/usr/bin/python3.11`` under ``/opt/course/env`` (the course's pinned packages, JupyterHub and its
idle culler, configurable-http-proxy, and the course's ``helpers`` and ``course`` packages installed —
not linked — so learners need nothing of the instructor's checkout). ``course hub up`` prepares the
server's folders and starts JupyterHub with ``deploy/hub/jupyterhub_config.py``:

- ``<home>/grader/<course id>/``: the course, owned by the grader account, readable by the
  instructors' group only (learners cannot read ``solutions/``); formgrader runs there.
- the exchange (``<home>/exchange``): every account may write, none may remove another's
  files (mode 1777), as nbgrader documents for several users.
- ``<home>/hub/``: JupyterHub's database, cookie secret and the API token of ``course hub`` (root
  only); ``<home>/jupyter/`` (readable): the global nbgrader configuration and the servers' settings.

The proxy runs apart from JupyterHub and learners' servers outlive it, so the hub restarts without costing
anyone their kernels; ``course hub stop`` ends what a stopped hub left running and ``course hub down``
takes a class away (accounts, groups, folders), its grades and submissions kept in an archive. Each
learner's server runs in their control group (``course.server.class_limits``). Accounts come from the roster
(``course.server.accounts``). Only root can do any of this.
课堂服务器：课堂环境、服务器上的目录与 JupyterHub。只有 root 可以执行这些操作。
"""

import contextlib
import fcntl
import grp
import hashlib
import io
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from course.errors import CourseError
from course.layout import CourseLayout
from course.server import class_limits, processes

# The interpreter every account may run (pyenv's and anything under /root are mode 700 here)
# 所有账户都能运行的解释器（本机上 pyenv 的解释器与 /root 下的一切权限为 700）
PYTHON = Path("/usr/bin/python3.11")
PROXY = "configurable-http-proxy@5.3.0"
DEPLOY = Path("deploy") / "hub"
LAB_OVERRIDES = Path("deploy") / "jupyterlab" / "overrides.json"
# What the environment's packages and the course's installed copy depend on / 环境与课程安装副本所依赖的文件
PACKAGE_FILES = ("requirements.txt", str(DEPLOY / "requirements.txt"))
COURSE_PACKAGES = ("helpers", "course")


class HubError(CourseError):
    """What stops a class server's command, said in both languages / 使课堂服务器命令无法继续的原因（双语）。"""

    exit_status = 2  # as the command always answered / 与命令一贯的退出状态相同


@dataclass(frozen=True)
class Site:
    """One class on this server: where its parts lie, its accounts' groups, its ports.

    ``name`` prefixes the groups and the grader account (``<name>-instructors``, ``<name>-learners``,
    ``<name>-grader``), so two classes (or a test) can share a server. Saved in ``<home>/hub/site.json``
    by ``course hub up``; the other commands read it there. / 服务器上的一个班级：各部分的位置、账户组与端口。
    """

    home: Path = Path("/srv/course")
    name: str = "course"
    course_id: str = "pytorch-bilingual"
    env: Path = Path("/opt/course/env")
    exchange: Path = Path("/srv/course/exchange")
    ip: str = "127.0.0.1"
    port: int = 8000
    hub_port: int = 8081
    proxy_api_port: int = 8001
    formgrader_port: int = 9999
    idle_timeout: int = 3600
    cull_every: int = 300
    # Each learner's server and all it starts / 每位学生的服务器及其启动的一切
    mem_limit: str = "2G"
    cpu_limit: float = 1.0
    # Extra options of every learner's server (tests expose the app to the page) / 学生服务器的额外参数
    server_args: tuple[str, ...] = field(default=())

    @classmethod
    def defaults(cls, name: str = "course") -> dict:
        """Where a class named ``name`` lives unless told: ``/srv/<name>``, its exchange inside, so two classes
        share nothing / 班级默认的位置：/srv/<name>，交换目录在其中，两个班级互不共享"""
        home = Path("/srv") / name
        return {"name": name, "home": home, "exchange": home / "exchange"}

    @property
    def instructors(self) -> str:
        return f"{self.name}-instructors"

    @property
    def learners(self) -> str:
        return f"{self.name}-learners"

    @property
    def removed(self) -> str:
        """Accounts taken out of the class: kept, locked, and not brought back by a roster / 已移出班级的账户"""
        return f"{self.name}-removed"

    @property
    def grader(self) -> str:
        return f"{self.name}-grader"

    @property
    def state(self) -> Path:
        return self.home / "hub"

    @property
    def jupyter_config(self) -> Path:
        """The global nbgrader configuration every server reads (readable by all) / 所有服务器读取的全局 nbgrader 配置目录"""
        return self.home / "jupyter"

    @property
    def grader_home(self) -> Path:
        return self.home / "grader"

    @property
    def course_dir(self) -> Path:
        return self.grader_home / self.course_id

    @property
    def profile_script(self) -> Path:
        """Puts the class environment first on ``PATH`` in its members' login shells (JupyterLab's terminals are
        ones: Debian's /etc/profile resets ``PATH``) / 在成员的登录 shell 中把课堂环境放在 PATH 最前面"""
        return Path("/etc/profile.d") / f"course-{self.name}.sh"

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.ip in ("", "0.0.0.0") else self.ip
        return f"http://{host}:{self.port}"

    def save(self) -> None:
        data = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}
        (self.state / "site.json").write_text(json.dumps(data, indent=1) + "\n")

    @classmethod
    def load(cls, home: Path) -> "Site":
        path = Path(home) / "hub" / "site.json"
        try:
            data = json.loads(path.read_text())
            types = {f.name: f.type for f in fields(cls)}
            return cls(**{k: Path(v) if types[k] is Path else tuple(v) if k == "server_args" else v for k, v in data.items()})
        except FileNotFoundError:
            raise HubError(f"no class server at {home} (run `course hub up` first) / {home} 处没有课堂服务器（请先运行 course hub up）") from None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise HubError(f"cannot read {path}: {error!r} / 无法读取 {path}：{error!r}") from error

    def environment(self) -> dict[str, str]:
        """The ``COURSE_HUB_*`` settings ``deploy/hub/jupyterhub_config.py`` reads / 配置文件读取的设置。"""
        settings = {
            "ENV": self.env, "STATE": self.state, "COURSE_ID": self.course_id, "COURSE_DIR": self.course_dir,
            "GRADER": self.grader, "INSTRUCTORS": self.instructors, "LEARNERS": self.learners, "EXCHANGE": self.exchange,
            "IP": self.ip, "PORT": self.port, "HUB_PORT": self.hub_port, "PROXY_API_PORT": self.proxy_api_port,
            "FORMGRADER_PORT": self.formgrader_port, "IDLE_TIMEOUT": self.idle_timeout, "CULL_EVERY": self.cull_every,
            "SERVER_ARGS": json.dumps(list(self.server_args)), "JUPYTER_CONFIG": self.jupyter_config, "NAME": self.name,
            "MEM_LIMIT": self.mem_limit, "CPU_LIMIT": self.cpu_limit,
        }  # fmt: skip
        return {f"COURSE_HUB_{k}": str(v) for k, v in settings.items()}

    def grader_environment(self) -> dict[str, str]:
        """What the grader's commands run with, as the formgrader service does / 评阅账户运行命令时的环境（与 formgrader 服务相同）"""
        return {
            "PATH": f"{self.env / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.grader_home),
            "JUPYTER_CONFIG_PATH": str(self.jupyter_config),
            "COURSE_EXCHANGE": str(self.exchange),
            "COURSE_ID": self.course_id,
            "LANG": "C.UTF-8",
        }


def internal_ports(port: int) -> dict[str, int]:
    """The loopback ports beside the hub's ``port``: JupyterHub's own defaults for 8000 (proxy API 8001, hub
    8081) and nbgrader's documented formgrader port (9999); another class on the same server takes another
    ``--port`` / 与 hub 端口对应的内部端口（8000 时即 JupyterHub 与 nbgrader 文档的默认值）"""
    if not 1024 <= port <= 65535 - 1999:
        raise HubError(f"--port must lie in 1024..{65535 - 1999} (the internal ports follow it) / --port 必须在 1024..{65535 - 1999} 之间")
    return {"proxy_api_port": port + 1, "hub_port": port + 81, "formgrader_port": port + 1999}


def check_ports_free(site: Site) -> None:
    """Each of the class's ports free on loopback, or one message naming the taken ones / 班级的端口都必须空闲"""
    # The class's own proxy, left running by an earlier `course hub up`, holds two of them / 本班之前留下的代理占用其中两个
    own = {site.port, site.proxy_api_port} if _proxy_pid(site) is not None else set()
    taken = [port for port in (site.port, site.proxy_api_port, site.hub_port, site.formgrader_port) if port not in own and _listening(port)]
    if taken:
        raise HubError(f"ports in use: {taken} (another class? use another --port, 100 apart) / "
                       f"端口已被占用：{taken}（另一个班级？请换一个相差 100 的 --port）")  # fmt: skip


def require_root() -> None:
    if os.geteuid() != 0:
        raise HubError("a class server is set up by root (accounts, folders, ports) / 课堂服务器需要由 root 建立（账户、目录、端口）")


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """``command``, its output kept for the error message when it fails / 运行命令，失败时在错误信息中给出其输出"""
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise HubError(f"{' '.join(command)} failed / 失败 ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


def as_grader(site: Site, command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """``command`` in the course folder as the grader account, with the formgrader's environment / 以评阅账户在课程目录中运行"""
    return run(["runuser", "-u", site.grader, "--", "env", "-i", *(f"{k}={v}" for k, v in site.grader_environment().items()),
                *command], cwd=site.course_dir, **kwargs)  # fmt: skip


def _digest(root: Path, paths: list[Path]) -> str:
    """What the files hold, named relative to the course (any checkout of the same files agrees) / 文件内容的摘要"""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _course_sources(root: Path) -> list[Path]:
    return sorted([root / "pyproject.toml", *(p for package in COURSE_PACKAGES for p in (root / package).rglob("*.py"))])


def build_environment(root: Path, env: Path, say=print) -> None:
    """Build or bring up to date the class environment at ``env`` from the course at ``root``.

    Each part is redone only when what it depends on changed (recorded in ``env/.course-*``): the
    packages (``requirements.txt`` and ``deploy/hub/requirements.txt``, about two minutes the first
    time), configurable-http-proxy (npm), and the course's own packages (seconds).
    建立或更新课堂环境；各部分只在其依赖变化时重做。
    """
    require_root()
    if not PYTHON.is_file():
        raise HubError(f"{PYTHON} is missing (Debian: apt-get install python3.11 python3.11-venv) / 缺少 {PYTHON}")
    if not env.parent.exists():
        env.parent.mkdir(parents=True)
        env.parent.chmod(0o755)  # every account runs what lies below / 所有账户都要运行其中的程序
    # One build at a time (two test suites, or two admins, on one server): the second finds the first's work done
    # 同一时间只建立一次（一台服务器上的两套测试或两位管理员）：后来者会发现前者已完成
    with open(env.parent / f".{env.name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _build_environment(root, env, say)


def _build_environment(root: Path, env: Path, say) -> None:
    parts = [
        (".course-packages", _digest(root, [root / p for p in PACKAGE_FILES]), lambda: _install_packages(root, env)),
        (".course-proxy", PROXY, lambda: _install_proxy(env)),
        (".course-source", _digest(root, _course_sources(root) + [root / LAB_OVERRIDES]), lambda: _install_course(root, env)),
    ]
    for stamp, wanted, install in parts:
        if (env / stamp).is_file() and (env / stamp).read_text() == wanted:
            continue
        say(f"class environment {env}: installing ({stamp[8:]}) / 课堂环境 {env}：正在安装（{stamp[8:]}）")
        install()
        (env / stamp).write_text(wanted)


def _install_packages(root: Path, env: Path) -> None:
    if not (env / "bin" / "python").exists():
        run([str(PYTHON), "-m", "venv", str(env)])
    run([str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", *(a for p in PACKAGE_FILES for a in ("-r", str(root / p)))])


def _install_proxy(env: Path) -> None:
    if shutil.which("npm") is None:
        raise HubError("npm is missing (Debian: apt-get install npm) / 缺少 npm")
    run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(env / "proxy"), PROXY])


def _install_course(root: Path, env: Path) -> None:
    """Install (not link) ``helpers`` and ``course``, from a copy holding only them / 安装（而非链接）课程的两个包"""
    with tempfile.TemporaryDirectory(prefix="course-hub-") as folder:
        build = Path(folder)
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(root / name, build / name)
        for package in COURSE_PACKAGES:
            shutil.copytree(root / package, build / package, ignore=shutil.ignore_patterns("__pycache__"))
        run([str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
             "--force-reinstall", str(build)])  # fmt: skip
    overrides = env / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    overrides.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / LAB_OVERRIDES, overrides)


def course_id(root: Path) -> str:
    """The course id of nbgrader's configuration at ``root`` / 课程目录中 nbgrader 配置的课程 id"""
    return CourseLayout(root).nbgrader_config().CourseDirectory.course_id


def tracked_files(root: Path) -> list[str]:
    """The course's files as git tracks them (a copy without git: everything but set-up and state) / git 跟踪的课程文件"""
    if (root / ".git").exists():
        listed = run(["git", "-C", str(root), "ls-files", "-z"]).stdout
        return [p for p in listed.split("\0") if p and (root / p).is_file()]
    skip = {".venv", ".git", "artifacts", "views", "exchange", "submitted", "autograded", "feedback", "__pycache__"}
    return [p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.is_file() and not skip & set(p.relative_to(root).parts) and p.suffix not in (".db", ".pyc")]  # fmt: skip


def _ensure_group(name: str) -> None:
    run(["groupadd", "--force", name])


def account_exists(name: str) -> bool:
    return _exists(pwd.getpwnam, name)


def group_exists(name: str) -> bool:
    return _exists(grp.getgrnam, name)


def _exists(lookup, name: str) -> bool:
    try:
        lookup(name)
        return True
    except KeyError:
        return False


def prepare(site: Site, root: Path, say=print) -> None:
    """Groups, the grader account, the course folder, the exchange and the hub's state folder / 准备服务器上的组、账户与目录"""
    require_root()
    for group in (site.instructors, site.learners, site.removed):
        _ensure_group(group)
    site.home.mkdir(parents=True, exist_ok=True)
    site.home.chmod(0o755)
    if not account_exists(site.grader):
        run(["useradd", "--system", "--create-home", "--home-dir", str(site.grader_home), "--gid", site.instructors,
             "--shell", "/bin/bash", "--comment", "course grader / 课程评阅账户", site.grader])  # fmt: skip
    site.grader_home.chmod(0o2750)
    shutil.chown(site.grader_home, site.grader, site.instructors)
    _install_course_folder(site, root)
    prepare_exchange(site)
    site.state.mkdir(parents=True, exist_ok=True)
    site.state.chmod(0o700)  # the hub's database and secrets: root only / hub 的数据库与密钥：仅 root
    shutil.copy(root / DEPLOY / "jupyterhub_config.py", site.state / "jupyterhub_config.py")
    for token in (site.state / "admin-token", site.state / "proxy-token"):
        if not token.is_file():
            token.touch(mode=0o600)
            token.write_text(secrets.token_hex(32) + "\n")
    _write_profile_script(site)
    jupyter = site.jupyter_config
    jupyter.mkdir(exist_ok=True)
    jupyter.chmod(0o755)
    for config in ("nbgrader_config.py", "jupyter_server_config.py"):
        shutil.copy(root / DEPLOY / config, jupyter / config)
        (jupyter / config).chmod(0o644)
    learners_lab = jupyter / "learners" / "labconfig"
    learners_lab.mkdir(parents=True, exist_ok=True)
    for folder in (learners_lab.parent, learners_lab):
        folder.chmod(0o755)
    shutil.copy(root / DEPLOY / "learners_page_config.json", learners_lab / "page_config.json")
    (learners_lab / "page_config.json").chmod(0o644)
    site.save()
    say(f"class server prepared in {site.home}, course in {site.course_dir} / 课堂服务器已在 {site.home} 准备好")
    if (exposed := _readable_by_others(root / "solutions")) is not None:
        say(f"WARNING: {exposed} can be read by every account on this machine, learners included: "
            f"chmod o-rx {exposed} / 警告：本机所有账户（包括学生）都能读取 {exposed}：请运行 chmod o-rx {exposed}")  # fmt: skip
    say(class_limits.describe(class_limits.detect(site.name), site.mem_limit, site.cpu_limit))
    if not _proc_hides_processes():
        say("learners can list every account's processes and command lines: as root, `mount -o remount,hidepid=invisible /proc` "
            "(and the same option in /etc/fstab) hides them / 学生能看到所有账户的进程及其命令行：以 root 运行 "
            "`mount -o remount,hidepid=invisible /proc`（并在 /etc/fstab 中加同一选项）即可隐藏")  # fmt: skip


def _proc_hides_processes() -> bool:
    """/proc mounted with ``hidepid`` (each account sees only its own processes) / /proc 是否以 hidepid 挂载"""
    for line in Path("/proc/self/mounts").read_text().splitlines():
        device, mountpoint, kind, options, *_ = line.split()
        if mountpoint == "/proc" and kind == "proc":
            return any(o.startswith("hidepid=") and o not in ("hidepid=0", "hidepid=off") for o in options.split(","))
    return False


def _readable_by_others(solutions: Path) -> Path | None:
    """The folder on the way to ``solutions`` (or it) that lets any account through, if all of them do / 所有账户都能进入时返回"""
    path = solutions.resolve()
    chain = [path, *path.parents]
    if all(p.stat().st_mode & stat.S_IXOTH for p in chain) and path.stat().st_mode & stat.S_IROTH:
        return path
    return None


def _write_profile_script(site: Site) -> None:
    site.profile_script.write_text(
        f"# Written by `course hub up` for the class {site.name}: its environment first on PATH in its members' login shells\n"
        f"# 由 course hub up 为班级 {site.name} 写入：在其成员的登录 shell 中把课堂环境放在 PATH 最前面\n"
        f'case " $(id -Gn 2>/dev/null) " in\n'
        f'  *" {site.learners} "*|*" {site.instructors} "*) PATH="{site.env / "bin"}:$PATH"; export PATH ;;\n'
        f"esac\n"
    )
    site.profile_script.chmod(0o644)


def _install_course_folder(site: Site, root: Path) -> None:
    """Copy the course's tracked files into the grader's course folder; its working state (gradebook,
    submissions, feedback) is never touched. ``tar`` unpacks them *as the grader*, so nothing the grader
    account placed there (a link to a system file) can make root write elsewhere.
    以评阅账户身份解包课程文件，评阅账户放置的任何链接都不能让 root 写到别处；不动其中的工作状态。"""
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        folders = {site.course_id}
        for relative in tracked_files(root):
            parts = Path(site.course_id, relative).parts
            folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
        for folder in sorted(folders):
            info = tarfile.TarInfo(folder)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o2750, time.time()
            tar.addfile(info)
        for relative in tracked_files(root):
            data = (root / relative).read_bytes()
            info = tarfile.TarInfo(f"{site.course_id}/{relative}")
            info.size, info.mode, info.mtime = len(data), 0o640, (root / relative).stat().st_mtime
            tar.addfile(info, io.BytesIO(data))
    result = subprocess.run(["runuser", "-u", site.grader, "--", "tar", "--extract", "--no-same-owner", "--preserve-permissions",
                             "--directory", str(site.grader_home)], input=archive.getvalue(), capture_output=True)  # fmt: skip
    if result.returncode != 0:
        raise HubError(f"cannot copy the course into {site.course_dir} / 无法把课程复制到 {site.course_dir}:\n"
                       f"{result.stderr.decode(errors='replace')}")  # fmt: skip


def prepare_exchange(site: Site) -> None:
    """The shared exchange (1777) and the course's folder in it, the grader's, made before any learner can
    claim the name: ``outbound`` 755, ``inbound`` 2733 as nbgrader's release makes them.
    共享交换目录及其中的课程目录（归评阅账户所有），在学生能抢先建立同名目录之前建好。"""
    site.exchange.mkdir(parents=True, exist_ok=True)
    site.exchange.chmod(0o1777)
    grader = pwd.getpwnam(site.grader)
    course = site.exchange / site.course_id
    for folder, mode in [(course, 0o755), (course / "outbound", 0o755), (course / "inbound", 0o2733)]:
        try:
            folder.mkdir(mode=0o700)
            # Through the folder itself, never a link put in its place / 通过目录本身操作，绝不经由替换它的链接
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
            try:
                os.fchown(fd, grader.pw_uid, grader.pw_gid)
                os.fchmod(fd, mode)
            finally:
                os.close(fd)
        except FileExistsError:
            held = os.lstat(folder)
            if not stat.S_ISDIR(held.st_mode) or held.st_uid != grader.pw_uid:
                raise HubError(f"{folder} exists and is not the grader's ({site.grader}): someone made it first; "
                               f"check and remove it / {folder} 已存在且不属于评阅账户：有人抢先建立了它，请检查后删除") from None  # fmt: skip


def admin_token(site: Site) -> str:
    return (site.state / "admin-token").read_text().strip()


def api(site: Site, path: str, method: str = "GET", body=None, timeout: float = 30):
    """JSON from the hub's REST API with the token of ``course hub`` (None for an empty reply) / 用 course hub 的令牌调用 hub REST API"""
    request = urllib.request.Request(
        f"{site.url}/hub/api{path}", method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {admin_token(site)}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=timeout) as response:
        text = response.read()
    return json.loads(text) if text else None


def hub_command(site: Site) -> list[str]:
    return [str(site.env / "bin" / "jupyterhub"), "-f", str(site.state / "jupyterhub_config.py")]


def hub_process_environment(site: Site) -> dict[str, str]:
    return {"PATH": f"{site.env / 'bin'}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", **site.environment()}


def wait_until_serving(site: Site, process: subprocess.Popen | None = None, wait: float = 120) -> None:
    """Until the hub answers at its public address / 等待 hub 在其公开地址上应答"""
    deadline = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(f"{site.url}/hub/api/", timeout=5):
                return
        except (urllib.error.URLError, OSError):
            if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
                raise HubError(f"JupyterHub did not start on {site.url} / JupyterHub 没有在 {site.url} 上启动") from None
            time.sleep(0.3)


def proxy_command(site: Site) -> list[str]:
    """configurable-http-proxy as JupyterHub would start it, public on ``site.ip``, its API on loopback / 代理的启动命令"""
    hub = f"http://127.0.0.1:{site.hub_port}"
    return [str(site.env / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"), "--ip", site.ip, "--port", str(site.port),
            "--api-ip", "127.0.0.1", "--api-port", str(site.proxy_api_port), "--default-target", hub,
            "--error-target", f"{hub}/hub/error"]  # fmt: skip


def _proxy_pid(site: Site) -> int | None:
    """The class's proxy if it runs (its pid file names a live configurable-http-proxy) / 班级的代理在运行时返回其 pid"""
    try:
        pid = int((site.state / "proxy.pid").read_text())
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return None
    return pid if str(site.proxy_api_port).encode() in command and any(b"configurable-http-proxy" in a for a in command) else None


def start_proxy(site: Site) -> int:
    """The class's proxy, started apart from the hub unless it already runs; learners' servers stay reachable
    while the hub restarts / 独立于 hub 启动班级的代理（已在运行则沿用）；hub 重启期间学生仍能访问自己的服务器"""
    if (pid := _proxy_pid(site)) is not None:
        return pid
    log = open(site.state / "proxy.log", "ab")  # noqa: SIM115 — the proxy keeps it / 由代理持有
    environment = {"PATH": f"{site.env / 'bin'}:/usr/local/bin:/usr/bin:/bin",
                   "CONFIGPROXY_AUTH_TOKEN": (site.state / "proxy-token").read_text().strip()}  # fmt: skip
    process = subprocess.Popen(proxy_command(site), cwd=site.state, env=environment, stdin=subprocess.DEVNULL, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    log.close()
    (site.state / "proxy.pid").write_text(f"{process.pid}\n")
    deadline = time.monotonic() + 30
    while not _listening(site.proxy_api_port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise HubError(f"the proxy did not start (see {site.state / 'proxy.log'}) / 代理没有启动（见 {site.state / 'proxy.log'}）")
        time.sleep(0.1)
    return process.pid


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def hub_running(site: Site) -> bool:
    return _listening(site.hub_port)


def stop_class(site: Site) -> list[str]:
    """Stop what the hub leaves running (JupyterHub must be stopped): the proxy, every learner's server and all
    their processes. Returns what was stopped / 停止 hub 留下的一切：代理、每位学生的服务器及其所有进程"""
    if hub_running(site):
        raise HubError(f"JupyterHub of {site.name} still runs on port {site.hub_port}: stop `course hub up` first (Ctrl-C) / "
                       f"{site.name} 的 JupyterHub 仍在运行：请先停止 course hub up（Ctrl-C）")  # fmt: skip
    stopped = []
    if (pid := _proxy_pid(site)) is not None:
        end_process_group(pid)
        stopped.append("the proxy / 代理")
    with contextlib.suppress(FileNotFoundError):
        (site.state / "proxy.pid").unlink()
    stopped += [account for account in sorted(members(site)) if end_processes(site, account)]
    groups = class_limits.detect(site.name)
    if groups is not None:
        groups.remove()
    return stopped


def end_processes(site: Site, account: str) -> bool:
    """End every process of ``account`` (its control group, then anything else it runs); True if any ran
    结束该账户的所有进程（先是其控制组，再是其余进程）；有进程在运行时返回 True"""
    groups = class_limits.detect(site.name)
    ran = bool(groups is not None and groups.processes(account))
    if groups is not None:
        groups.end(account)
    return subprocess.run(["pkill", "-KILL", "-u", account], capture_output=True).returncode == 0 or ran


def members(site: Site) -> set[str]:
    """Every account of the class: its groups' members and its grader / 班级的所有账户"""
    found = {site.grader} if account_exists(site.grader) else set()
    for group in (site.instructors, site.learners, site.removed):
        with contextlib.suppress(KeyError):
            found |= set(grp.getgrnam(group).gr_mem)
    return found


@dataclass
class RunningHub:
    """JupyterHub of a class, run by ``running`` / 由 running 运行的班级 JupyterHub"""

    site: Site
    log: Path | None
    process: subprocess.Popen | None = None

    def start(self) -> None:
        output = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115 — the hub keeps it / 由 hub 持有
        self.process = subprocess.Popen(hub_command(self.site), cwd=self.site.state, env=hub_process_environment(self.site),
                                        stdout=output, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        if self.log:
            output.close()
        wait_until_serving(self.site, self.process)

    def stop(self) -> None:
        """The hub and its services; learners' servers and the proxy keep running / 停止 hub 及其服务；学生服务器与代理继续运行"""
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        # The hub asks its services to stop but need not wait for them / hub 请求其服务停止，但不一定等待它们结束
        end_process_group(self.process.pid)

    def restart(self) -> None:
        self.stop()
        self.start()


@contextlib.contextmanager
def running(site: Site, log: Path | None = None) -> Iterator[RunningHub]:
    """The class server for ``site`` (proxy, JupyterHub) until the block ends; then everything of it stops:
    the hub, the proxy, every learner's server and process / 在代码块期间运行课堂服务器；结束时其一切都停止。"""
    check_ports_free(site)
    start_proxy(site)
    hub = RunningHub(site, log)
    try:
        hub.start()
        yield hub
    finally:
        if hub.process is not None:
            hub.stop()
        stop_class(site)


def end_process_group(group: int, grace: float = 10) -> None:
    """SIGTERM every process left in ``group``, then SIGKILL what is still there after ``grace`` seconds; return once
    none is left. An ended process its parent has not reaped yet (the proxy is a child of `course hub up`) is gone:
    waiting for it would cost the whole grace.
    先向进程组发送 SIGTERM，宽限期后仍在的发送 SIGKILL；全部结束后返回。已结束但尚未被父进程回收的进程不算仍在。"""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while processes.alive_in_group(group):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        else:
            return


def serve(site: Site) -> int:
    """Start the proxy (unless it runs) and run JupyterHub in the foreground; Ctrl-C stops the hub only
    启动代理（若未运行）并在前台运行 JupyterHub；Ctrl-C 只停止 hub"""
    if hub_running(site):
        raise HubError(f"JupyterHub of {site.name} already runs on port {site.hub_port} / {site.name} 的 JupyterHub 已在运行")
    start_proxy(site)
    print(f"JupyterHub for {site.course_id} at {site.url}/hub/login. Ctrl-C stops the hub only: learners' servers and the "
          f"proxy keep running, `course hub up` again brings the hub back, `course hub stop --name {site.name}` ends them / "
          f"{site.course_id} 的 JupyterHub：{site.url}/hub/login。Ctrl-C 只停止 hub：学生的服务器与代理继续运行，"
          f"再次运行 course hub up 即恢复 hub，course hub stop --name {site.name} 结束它们", flush=True)  # fmt: skip
    os.chdir(site.state)
    # Ctrl-C stops the hub even when this was started where SIGINT is ignored (a background job)
    # 即使从忽略 SIGINT 的环境（后台任务）启动，Ctrl-C 也能停止 hub
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.execve(hub_command(site)[0], hub_command(site), hub_process_environment(site))
    return 0  # not reached / 不会执行到这里


ARCHIVES = Path("/srv/course-archives")
# What of a class is kept when it is taken down: grades and everything learners submitted / 撤下班级时保留的内容
KEPT = ("gradebook.db", "submitted", "autograded", "feedback", "release")


def take_down(site: Site, archive_to: Path | None = ARCHIVES, say=print) -> Path | None:
    """Stop the class and remove it: its accounts (members and grader, homes included), groups, control groups,
    profile script, folders and exchange. Unless ``archive_to`` is None, the gradebook and the submissions
    are first kept in ``<archive_to>/<name>-<UTC time>.tar.gz`` (root only), whose path is returned.
    停止并删除班级：账户（含主目录）、组、控制组、profile 脚本、目录与交换目录；除非不要归档，先把成绩库与提交保存到归档文件中。"""
    stop_class(site)
    archive = None
    if archive_to is not None:
        archive_to.mkdir(parents=True, exist_ok=True)
        archive_to.chmod(0o700)
        archive = archive_to / f"{site.name}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            for kept in KEPT:
                if (site.course_dir / kept).exists():
                    tar.add(site.course_dir / kept, arcname=f"{site.name}/course/{kept}")
            if (site.exchange / site.course_id).is_dir():
                tar.add(site.exchange / site.course_id, arcname=f"{site.name}/exchange")
        archive.chmod(0o600)
        say(f"kept in {archive} / 已保存到 {archive}")
    accounts = members(site) | {u.pw_name for u in pwd.getpwall() if u.pw_name.startswith(f"{site.name}-")}
    for account in sorted(accounts):
        for _ in range(50):  # until its processes are gone and userdel succeeds / 直到进程结束、userdel 成功
            subprocess.run(["pkill", "-KILL", "-u", account], capture_output=True)
            if subprocess.run(["userdel", "--remove", account], capture_output=True).returncode in (0, 6):
                break
            time.sleep(0.1)
    for group in (site.instructors, site.learners, site.removed):
        subprocess.run(["groupdel", group], capture_output=True)
    with contextlib.suppress(FileNotFoundError):
        site.profile_script.unlink()
    shutil.rmtree(site.exchange / site.course_id, ignore_errors=True)
    if site.exchange.is_dir() and site.exchange.is_relative_to(site.home):
        shutil.rmtree(site.exchange, ignore_errors=True)
    shutil.rmtree(site.home, ignore_errors=True)
    say(f"class {site.name} taken down: {len(accounts)} accounts removed / 班级 {site.name} 已撤下：删除了 {len(accounts)} 个账户")
    return archive
