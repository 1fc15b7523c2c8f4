"""The class server's configuration files and the roster, without starting anything (no root needed).
课堂服务器的配置文件与名单，不启动任何进程（无需 root）。"""

import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from lesson_cells import ROOT
from traitlets.config.loader import PyFileConfigLoader

from course.gradebook.export import ExportError
from course.gradebook.export import read_roster as export_roster
from course.gradebook.roster import RosterError, check_account_names, read_roster
from course.server import hub, testing

DEPLOY = ROOT / "deploy" / "hub"


def load(folder: Path, name: str, env: dict[str, str], monkeypatch):
    """The configuration ``folder/name`` builds with ``env`` as its environment / 在给定环境变量下读取配置文件"""
    for key in [k for k in os.environ if k.startswith("COURSE_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return PyFileConfigLoader(name, path=str(folder)).load_config()


def test_the_hub_reads_every_setting_course_hub_gives_it_and_no_other():
    """Each COURSE_HUB_* name in jupyterhub_config.py is one Site.environment() sets, and each it sets is read
    jupyterhub_config.py 读取的设置与 Site.environment() 提供的完全一致"""
    read = set(re.findall(r"""setting\(\s*["']([A-Z_]+)["']""", (DEPLOY / "jupyterhub_config.py").read_text()))
    given = {k.removeprefix("COURSE_HUB_") for k in hub.Site().environment()}
    assert read - {"THREADS"} == given, (read, given)


def test_the_hub_configuration_for_a_site(tmp_path, monkeypatch):
    """Loopback by default, PAM for the class's two groups, learners' servers in the class environment, formgrader
    as the grader for the instructors' group only, the culler / 默认只监听本机，PAM 登录，formgrader 只对教师组开放"""
    site = hub.Site(home=tmp_path, name="cls", port=8123, idle_timeout=900)
    (tmp_path / "hub").mkdir()
    (tmp_path / "hub" / "admin-token").write_text("x" * 64)
    c = load(DEPLOY, "jupyterhub_config.py", site.environment(), monkeypatch)
    assert (c.JupyterHub.ip, c.JupyterHub.port, c.JupyterHub.hub_ip) == ("127.0.0.1", 8123, "127.0.0.1")
    assert c.PAMAuthenticator.allowed_groups == {"cls-learners", "cls-instructors"}
    assert c.Spawner.cmd == [str(site.env / "bin" / "jupyterhub-singleuser")]
    assert c.Spawner.environment["COURSE_EXCHANGE"] == str(site.exchange)
    assert "--ServerApp.jpserver_extensions=nbgrader.server_extensions.formgrader=False" in c.Spawner.args
    services = {s["name"]: s for s in c.JupyterHub.services}
    assert services[site.course_id]["user"] == "cls-grader" and services[site.course_id]["cwd"] == str(site.course_dir)
    assert "--timeout=900" in services["idle-culler"]["command"]
    assert services["course-admin"]["api_token"] == "x" * 64
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles["course-instructor"]["groups"] == ["instructors"]
    assert f"access:services!service={site.course_id}" in roles["course-instructor"]["scopes"]
    granting = [name for name, role in roles.items() if any(scope.startswith("access:") for scope in role["scopes"])]
    assert granting == ["course-instructor"], "no other role opens formgrader or servers / 没有其他角色能打开 formgrader 或服务器"
    # The admin page for instructors: learners' servers only, no account changes / 教师可用管理页面：只管学生的服务器，不能改账户
    instructor = set(roles["course-instructor"]["scopes"])
    assert {"admin-ui", "list:users", "read:users", "servers!group=learners"} <= instructor
    assert not {s for s in instructor if s.startswith(("admin:", "servers", "tokens", "users")) and s != "servers!group=learners"}
    # Servers outlive a hub restart; the proxy is the class's own, with the token course hub gave it
    # 服务器在 hub 重启后继续运行；代理由 course hub 启动并使用其令牌
    assert c.JupyterHub.cleanup_servers is False and c.ConfigurableHTTPProxy.should_start is False
    assert c.JupyterHub.spawner_class == "course.server.class_spawner.ClassSpawner" and c.ClassSpawner.class_name == "cls"
    assert (c.Spawner.mem_limit, c.Spawner.cpu_limit) == ("2G", 1.0)
    # The hook gives the hub group from the Unix group, read at each login / 登录时依据 Unix 组给出 hub 组
    hook = c.Authenticator.post_auth_hook
    members = {"cls-instructors": ["ada"]}
    monkeypatch.setitem(hook.__globals__, "grp", SimpleNamespace(getgrnam=lambda g: SimpleNamespace(gr_mem=members[g])))
    assert hook(None, None, {"name": "ada"})["groups"] == ["instructors"]
    assert hook(None, None, {"name": "bo"})["groups"] == ["learners"]
    assert c.JupyterHub.ip == "127.0.0.1" and hub.Site().ip == "127.0.0.1", "nothing listens beyond loopback by default"


def test_the_exchange_is_the_class_servers_where_course_exchange_is_set(monkeypatch):
    """The course's nbgrader_config.py keeps its local exchange, except on a class server / 只有课堂服务器上才使用共享交换目录"""
    local = load(ROOT, "nbgrader_config.py", {}, monkeypatch)
    assert local.Exchange.root == str(ROOT / "exchange")
    on_hub = load(ROOT, "nbgrader_config.py", {"COURSE_EXCHANGE": "/srv/x"}, monkeypatch)
    assert "root" not in on_hub.Exchange
    assert on_hub.CourseDirectory.course_id == local.CourseDirectory.course_id
    shared = load(DEPLOY, "nbgrader_config.py", {"COURSE_EXCHANGE": "/srv/x", "COURSE_ID": "c1"}, monkeypatch)
    assert (shared.Exchange.root, shared.CourseDirectory.course_id) == ("/srv/x", "c1")


def test_the_default_ports_are_jupyterhubs_and_nbgraders():
    """Port 8000 gives JupyterHub's and nbgrader's documented ports; ports 100 apart give distinct ones / 默认端口"""
    site = hub.Site()
    assert hub.internal_ports(site.port) == {"proxy_api_port": 8001, "hub_port": 8081, "formgrader_port": 9999}
    assert (site.proxy_api_port, site.hub_port, site.formgrader_port) == (8001, 8081, 9999)
    default = {8000, *hub.internal_ports(8000).values()}
    for port in range(8100, 8800, 100):  # classes 100 apart never share a port / 相差 100 的班级端口互不重叠
        other = {port, *hub.internal_ports(port).values()}
        assert len(other) == 4 and not other & default, port
    for bad in (80, 65535):
        with pytest.raises(hub.HubError, match="--port"):
            hub.internal_ports(bad)


def test_each_class_has_its_own_folders_by_default(monkeypatch, tmp_path):
    """Two classes named apart share no folder; an existing class keeps the exchange it was given / 不同名的班级不共享目录"""
    from course.cli import _class_exchange, _class_home, build_parser

    first, second = (build_parser().parse_args(["hub", "up", "--name", name]) for name in ("fall", "spring"))
    homes = [_class_home(a) for a in (first, second)]
    assert homes == [Path("/srv/fall"), Path("/srv/spring")]
    assert [_class_exchange(a, h) for a, h in zip((first, second), homes, strict=True)] == [Path("/srv/fall/exchange"), Path("/srv/spring/exchange")]
    saved = hub.Site(home=tmp_path, name="fall", exchange=Path("/srv/nbgrader/exchange"))
    saved.state.mkdir()
    saved.save()
    assert _class_exchange(first, tmp_path) == Path("/srv/nbgrader/exchange"), "a class keeps its exchange / 班级沿用原交换目录"
    for command in ("roster x.csv", "remove bo", "stop", "down"):
        assert _class_home(build_parser().parse_args(["hub", *command.split(), "--name", "spring"])) == Path("/srv/spring")


def test_a_site_is_saved_and_read_back(tmp_path):
    """course hub up saves its settings; roster and remove read the same / 保存后读回相同的设置"""
    site = hub.Site(home=tmp_path, name="cls", port=8123, server_args=("--a",))
    site.state.mkdir()
    site.save()
    assert hub.Site.load(tmp_path) == site
    with pytest.raises(hub.HubError, match="course hub up"):
        hub.Site.load(tmp_path / "none")


ROSTER = "student_id,name,email,role\nada,Ada,ada@x,student\nbo,李 博,,TA\n\ncy,,cy@x,instructor\n"


def test_the_roster_is_read_and_checked(tmp_path):
    """Roles, blank lines, a byte-order mark; bad rows are refused with the line, in both languages / 名单的读取与检查"""
    path = tmp_path / "roster.csv"
    path.write_text("\ufeff" + ROSTER, encoding="utf-8")
    members = read_roster(path)
    assert [(m.student_id, m.name, m.role, m.grades) for m in members] == [
        ("ada", "Ada", "student", False), ("bo", "李 博", "ta", True), ("cy", "cy", "instructor", True)]  # fmt: skip
    assert list(export_roster(path)) == ["ada"], "export keeps students only / 导出只保留学生"
    for text, said in [(ROSTER + "dee,D,d@x,professor\n", "line 6"), (ROSTER + "ada,A,a@x,student\n", "twice"),
                       ("student_id,name,role\nada,A,student\n", "email"), (ROSTER + ",D,d@x,student\n", "no student_id")]:  # fmt: skip
        path.write_text(text, encoding="utf-8")
        with pytest.raises(RosterError, match=said) as error:
            read_roster(path)
        assert " / " in str(error.value)
        with pytest.raises(ExportError):
            export_roster(path)
    with pytest.raises(RosterError, match="no such roster"):
        read_roster(tmp_path / "missing.csv")


def test_only_unix_logins_become_accounts(tmp_path):
    """Ids that cannot be Unix logins are named, all at once / 不能作为 Unix 登录名的 id 一次全部列出"""
    path = tmp_path / "r.csv"
    path.write_text("student_id,name,email,role\nok_1,A,,student\nBad,B,,student\n2x,C,,student\n-x,D,,student\n" + "y" * 33 + ",E,,student\n")
    with pytest.raises(RosterError) as error:
        check_account_names(read_roster(path), path)
    assert all(f" {bad}" in str(error.value) or f"{bad}," in str(error.value) for bad in ["Bad", "2x", "-x", "y" * 33]), error.value
    assert "ok_1" not in str(error.value)


def test_solutions_any_account_can_read_are_named():
    """up warns when every account can reach and read the checkout's solutions/, and not once it is closed"""
    import stat
    import tempfile

    folder = Path(tempfile.mkdtemp(dir="/tmp"))
    try:
        solutions = folder / "solutions"
        solutions.mkdir(mode=0o755)
        folder.chmod(0o755)
        assert hub._readable_by_others(solutions) == solutions.resolve()
        solutions.chmod(0o750)
        assert hub._readable_by_others(solutions) is None
        solutions.chmod(0o755)
        folder.chmod(0o700)
        assert hub._readable_by_others(solutions) is None, "a closed folder above protects it"
        assert stat.S_IMODE(solutions.stat().st_mode) == 0o755
    finally:
        folder.chmod(0o700)
        import shutil

        shutil.rmtree(folder)


def test_throwaway_ports_come_from_below_the_ephemeral_range():
    """free_port never gives a port outgoing connections could take first, and each one given is free"""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = [testing.free_port() for _ in range(50)]
    assert all(10000 <= port < low for port in ports), ports
    assert len(set(ports)) > 40, "spread out, so two suites rarely meet / 分散，两个测试套件很少撞上"


def test_two_builds_of_the_class_environment_take_turns(tmp_path, monkeypatch):
    """Two `course hub env` at once (two suites on one server): the second waits, then finds every part done
    同时运行两次 course hub env：后者等待，然后发现各部分都已完成"""
    import threading
    import time

    monkeypatch.setattr(hub, "require_root", lambda: None)
    monkeypatch.setattr(hub, "PYTHON", Path(os.__file__))  # any file: only its presence is checked / 只检查其存在
    installs, busy = [], threading.Lock()

    def install(*args) -> None:
        assert busy.acquire(blocking=False), "two installs at once / 两个安装同时进行"
        time.sleep(0.3)
        installs.append(threading.current_thread().name)
        busy.release()

    for part in ("_install_packages", "_install_proxy", "_install_course"):
        monkeypatch.setattr(hub, part, install)
    env = tmp_path / "opt" / "env"
    failures = []

    def build() -> None:
        try:
            env.mkdir(parents=True, exist_ok=True)
            hub.build_environment(ROOT, env, say=lambda text: None)
        except BaseException as error:  # noqa: BLE001 — reported by the test / 由测试报告
            failures.append(error)

    builders = [threading.Thread(target=build, name=f"build-{i}") for i in range(2)]
    for builder in builders:
        builder.start()
    for builder in builders:
        builder.join()
    assert failures == [] and len(installs) == 3 and len(set(installs)) == 1, (failures, installs)


SLOW_IDLE = """import time
kernel = get_ipython().kernel
say_status = kernel._publish_status

def slow_idle(status, *args, **kwargs):
    if status == "idle":
        kernel._publish_status = say_status
        time.sleep(6)
    return say_status(status, *args, **kwargs)

kernel._publish_status = slow_idle"""


@pytest.mark.system  # two kernels / 两个内核
@pytest.mark.parametrize("folder", [ROOT, DEPLOY], ids=["course", "class-server"])
def test_validate_waits_for_a_busy_kernel(folder, tmp_path, monkeypatch):
    """Validate on a busy server: a kernel that says it is idle 6 s after its reply (nbclient waits 4 s by default)
    is validated, not turned into "an error running the validate command"
    繁忙服务器上的 Validate：回复 6 秒后才报告空闲的内核照常验证，而不是“运行验证命令时出错”"""
    import nbformat
    from nbgrader.validator import Validator

    config = load(folder, "nbgrader_config.py", {}, monkeypatch)
    notebook = tmp_path / "slow.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SLOW_IDLE), nbformat.v4.new_code_cell("print(42)")]), notebook)
    monkeypatch.chdir(tmp_path)
    assert Validator(config=config).validate(str(notebook)) == {}
