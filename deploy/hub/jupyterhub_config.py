"""JupyterHub for a class taking the course / 课程的 JupyterHub 配置。

`course hub up` (or `make hub`) starts JupyterHub with this file and sets the ``COURSE_HUB_*``
variables below; every variable has the default a class server uses. The proxy is not the hub's to start:
`course hub up` starts it (``course.server.hub.proxy_command``) before the hub, and leaves it running when the hub stops.
`course hub up`（或 `make hub`）用本文件启动 JupyterHub 并设置下面的 COURSE_HUB_* 变量；每个变量都有课堂服务器的默认值。
代理不由 hub 启动：course hub up 在 hub 之前启动它，hub 停止时代理继续运行。

- Login: real Unix accounts through PAM; members of the learners' or instructors' group may log in.
  登录：通过 PAM 使用真实的 Unix 账户；学生组或教师组的成员可以登录。
- Each learner's server: ``LocalProcessSpawner``, as that learner's uid, in their home, with the
  class environment's kernel (course, helpers, torch) and JupyterLab (zh-CN interface installed).
  每位学生的服务器以其本人 uid 运行，使用课堂环境的内核与 JupyterLab（已安装中文界面）。
- formgrader: a hub service (``/services/<course id>/formgrader``) run as the grader account in the
  course folder; only the instructors' group may open it, in its own tab (JupyterHub forbids framing).
  formgrader 作为 hub 服务以评阅账户运行；只有教师组可以打开，在单独的标签页中打开（JupyterHub 禁止嵌入框架）。
- Idle servers are stopped by ``jupyterhub-idle-culler``. / 空闲的服务器由 jupyterhub-idle-culler 停止。
"""

import grp
import json
import os
import signal
from pathlib import Path

c = get_config()  # noqa: F821 — injected by traitlets / 由 traitlets 注入


def setting(name: str, default: str) -> str:
    return os.environ.get(f"COURSE_HUB_{name}", default)


ENV = Path(setting("ENV", "/opt/course/env"))  # the class environment / 课堂环境
STATE = Path(setting("STATE", f"/srv/{setting('NAME', 'course')}/hub"))  # the hub's database and secrets (mode 700) / hub 的数据库与密钥
NAME = setting("NAME", "course")  # the class: prefix of its groups and grader / 班级名：组与评阅账户的前缀
COURSE_ID = setting("COURSE_ID", "pytorch-bilingual")
COURSE_DIR = setting("COURSE_DIR", f"/srv/{NAME}/grader/{COURSE_ID}")
GRADER = setting("GRADER", f"{NAME}-grader")
INSTRUCTORS = setting("INSTRUCTORS", f"{NAME}-instructors")
LEARNERS = setting("LEARNERS", f"{NAME}-learners")
EXCHANGE = setting("EXCHANGE", f"/srv/{NAME}/exchange")
ADMIN_TOKEN = STATE / "admin-token"
# Where learners' servers and the formgrader find the global nbgrader configuration (deploy/hub/nbgrader_config.py)
# 学生服务器与 formgrader 读取全局 nbgrader 配置的目录
JUPYTER_CONFIG = setting("JUPYTER_CONFIG", f"/srv/{NAME}/jupyter")

# Only this machine unless the admin says otherwise (`course hub up --ip`); TLS belongs to a reverse proxy in front
# 默认只监听本机（`--ip` 可改）；TLS 由前面的反向代理负责
c.JupyterHub.ip = setting("IP", "127.0.0.1")
c.JupyterHub.port = int(setting("PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(setting("HUB_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{setting('PROXY_API_PORT', '8001')}"
# The proxy runs apart from the hub (`course hub up` starts it) and learners' servers are left running when the hub
# stops: restarting the hub to upgrade or reconfigure costs no learner their kernels
# 代理独立于 hub 运行（由 course hub up 启动），hub 停止时学生的服务器继续运行：重启 hub 不会让学生失去内核
c.ConfigurableHTTPProxy.should_start = False
PROXY_TOKEN = STATE / "proxy-token"
if PROXY_TOKEN.is_file():
    c.ConfigurableHTTPProxy.auth_token = PROXY_TOKEN.read_text().strip()
c.JupyterHub.cleanup_servers = False
# JupyterHub stops its services with SIGINT first and waits 10 s for each one that ignores it. It sets its own SIGINT
# handler only after starting them, so a hub started where SIGINT is ignored (a shell's background job: `make test &`,
# a service manager) hands that on and every stop waits it out. Python's usual handler, set here, is not inherited.
# JupyterHub 先用 SIGINT 停止其服务，对忽略它的服务各等 10 秒；它在启动服务之后才设置自己的 SIGINT 处理，
# 因此在忽略 SIGINT 的环境（shell 后台任务、服务管理器）中启动的 hub 会把“忽略”传给服务。这里设置的 Python 默认处理不会被继承。
signal.signal(signal.SIGINT, signal.default_int_handler)
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")

# Real logins / 真实登录
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {LEARNERS, INSTRUCTORS}
c.PAMAuthenticator.open_sessions = False  # no utmp/systemd session per login / 每次登录不开 PAM 会话
# The instructors' Unix group decides who opens formgrader, read at every login / 每次登录时按 Unix 组决定谁能打开 formgrader
c.Authenticator.manage_groups = True


def unix_groups(authenticator, handler, authentication):
    """The login's hub group: ``instructors`` when in the instructors' Unix group, else ``learners`` / 登录者在 hub 中的组。"""
    try:
        members = grp.getgrnam(INSTRUCTORS).gr_mem
    except KeyError:
        members = []
    authentication["groups"] = ["instructors"] if authentication["name"] in members else ["learners"]
    return authentication


c.Authenticator.post_auth_hook = unix_groups

# Each learner's own server, in the class's control group (course.server.class_spawner) / 每位学生自己的服务器，位于班级的控制组中
c.JupyterHub.spawner_class = "course.server.class_spawner.ClassSpawner"
c.ClassSpawner.class_name = NAME
c.Spawner.cmd = [str(ENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.environment = {
    "PATH": f"{ENV / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    # learners/ first: JupyterLab without nbgrader's instructor panels (course list, formgrader, create assignment)
    # 先读 learners/：JupyterLab 中没有 nbgrader 的教师面板（课程列表、formgrader、创建作业）
    "JUPYTER_CONFIG_PATH": f"{JUPYTER_CONFIG}/learners:{JUPYTER_CONFIG}",
    "COURSE_EXCHANGE": EXCHANGE,
    "COURSE_ID": COURSE_ID,
    # Two learners' kernels share a core; one thread each keeps a busy class responsive / 每个内核一个线程
    "OMP_NUM_THREADS": setting("THREADS", "1"),
}
# A server stops on the hub's SIGINT rather than wait 5 s for a "y" no terminal can type, then 30 s for SIGTERM
# 服务器收到 hub 的 SIGINT 即停止，而不是等待没有终端能输入的确认，再等 30 秒后的 SIGTERM
STOP_ON_SIGINT = "--ServerApp.answer_yes=True"
# Learners grade nothing: no formgrader or course list in their servers / 学生的服务器中不提供 formgrader 与课程列表
c.Spawner.args = [
    STOP_ON_SIGINT,
    "--ServerApp.jpserver_extensions=nbgrader.server_extensions.formgrader=False",
    "--ServerApp.jpserver_extensions=nbgrader.server_extensions.course_list=False",
    *json.loads(setting("SERVER_ARGS", "[]")),
]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# Enforced through the class's control groups where the machine offers them (`course hub up` says which)
# 在本机提供控制组时通过班级的控制组强制执行（course hub up 会说明）
c.Spawner.mem_limit = setting("MEM_LIMIT", "2G")
c.Spawner.cpu_limit = float(setting("CPU_LIMIT", "1"))

# formgrader as a hub service, run as the grader account in the course folder / formgrader 作为 hub 服务，以评阅账户运行
c.JupyterHub.services = [
    {
        "name": COURSE_ID,
        "url": f"http://127.0.0.1:{setting('FORMGRADER_PORT', '9999')}",
        "command": [str(ENV / "bin" / "jupyterhub-singleuser"), f"--ServerApp.root_dir={COURSE_DIR}", STOP_ON_SIGINT],
        "user": GRADER,
        "cwd": COURSE_DIR,
        "environment": {
            "PATH": f"{ENV / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "JUPYTER_CONFIG_PATH": JUPYTER_CONFIG,
            "COURSE_EXCHANGE": EXCHANGE,
            "COURSE_ID": COURSE_ID,
            "JUPYTERHUB_DEFAULT_URL": "/formgrader",
        },
        "oauth_no_confirm": True,
    },
    {
        "name": "idle-culler",
        "command": [
            str(ENV / "bin" / "python"), "-m", "jupyterhub_idle_culler",
            f"--timeout={setting('IDLE_TIMEOUT', '3600')}",
            f"--cull-every={setting('CULL_EVERY', '300')}",
        ],
    },
    # `course hub` itself (roster removals stop servers; the load check spawns through the REST API);
    # its token lives in the state folder, readable by root only / `course hub` 自己的 API 令牌，只有 root 可读
    *([{"name": "course-admin", "api_token": ADMIN_TOKEN.read_text().strip()}] if ADMIN_TOKEN.is_file() else []),
]
c.JupyterHub.load_roles = [
    {
        "name": "course-instructor",
        "groups": ["instructors"],
        "scopes": [
            "access:services!service=" + COURSE_ID, "list:services", "read:services!service=" + COURSE_ID,
            # The hub's admin page: list the class, start and stop learners' servers; no account changes, no admin
            # hub 的管理页面：查看班级、启动与停止学生的服务器；不能修改账户，也不是管理员
            "admin-ui", "list:users", "read:users", "servers!group=learners",
        ],
    },
    {
        "name": "idle-culler",
        "services": ["idle-culler"],
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    },
    {
        "name": "course-admin",
        "services": ["course-admin"],
        "scopes": ["admin:users", "admin:servers", "list:users", "read:users", "tokens"],
    },
]
