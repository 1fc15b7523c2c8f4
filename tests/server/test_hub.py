"""A class on one server: a real JupyterHub (deploy/hub), real PAM logins, the system Chromium.
单台服务器上的课堂：真实的 JupyterHub、真实的 PAM 登录、系统 Chromium。

The test class has one instructor and three learners, made from a roster by ``course hub roster``
under a random prefix, with its own folders under ``/srv`` and free loopback ports; the class
environment is the one ``course hub env`` built (``make test``'s set-up, as root). Accounts, groups,
folders and processes are removed afterwards. It needs root: accounts, PAM, servers run as each
learner.
测试班级有一位教师和三位学生（由名单建立，随机前缀），使用 /srv 下自己的目录和空闲的本机端口；结束后删除账户、组、目录和进程。需要 root。
"""

import contextlib
import dataclasses
import io
import json
import shutil
import sqlite3
import stat
import subprocess
import time
import warnings
from pathlib import Path

import pytest
from browser_pages import (
    ARTIFACTS,
    assignment_list,
    close_dialog,
    fetch,
    open_fetched,
    read_feedback,
    submit,
    type_solution,
)
from class_server import (
    CLASS_SERVER,
    L01,
    as_learner,
    class_listeners,
    class_with_roster,
    listeners,
    pwd_uid,
    wait_for_server,
)
from lesson_cells import LAYOUT

from course import cli
from course.server import class_limits, hub

pytestmark = CLASS_SERVER
LEARNERS = 3
MEM_LIMIT = "1G"  # each learner's; the test allocates past it / 每位学生的内存上限；测试会超出它


@pytest.fixture(scope="module")
def site():
    """(site, passwords, roster): the test class (an instructor, three learners); all removed afterwards / 测试班级及其账户"""
    people = [("teacher", "Ada Teacher", "instructor")] + [(f"l{i}", f"学生 {i}", "student") for i in range(1, LEARNERS + 1)]
    with class_with_roster(people, server_args=("--LabApp.expose_app_in_browser=True",), mem_limit=MEM_LIMIT) as made:
        yield made


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1 and ::1 as /proc/net/tcp writes them


def log_in(browser, site, name, password):
    """A browser of its own for ``name``, logged in at the hub's login page / 在 hub 登录页登录"""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{site.url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", password)
    page.click("#login_submit")
    return page


def wait_for_lab(page):
    page.wait_for_function("window.jupyterapp && window.jupyterapp.started", timeout=120_000)


def in_terminal(page, command: str, done: Path, timeout: float = 240) -> str:
    """Type ``command`` in a new JupyterLab terminal (File → New → Terminal, as the README says) and wait until it
    wrote ``done``; return that file / 在新的 JupyterLab 终端中输入命令，等待其写出 done 文件"""
    page.get_by_text("File", exact=True).first.click()
    page.locator(".lm-Menu").get_by_text("New", exact=True).hover()
    page.locator(".lm-Menu").get_by_text("Terminal", exact=True).click()
    terminal = page.locator(".jp-Terminal").last
    terminal.wait_for(timeout=60_000)
    terminal.click()
    page.keyboard.type(command)
    page.keyboard.press("Enter")
    deadline = time.monotonic() + timeout
    while not done.is_file() or not done.read_text().endswith("END\n"):
        assert time.monotonic() < deadline, f"{command!r} did not finish / 没有完成"
        time.sleep(0.5)
    return done.read_text()


# Run code in a kernel of the learner's own server, from their page: a new one, or the one ``id`` names (kept)
# 从学生页面在其服务器的内核中运行代码：新内核，或 id 所指的内核（保留）
RUN_IN_KERNEL = """async ([id, code, keep]) => {
    const kernels = window.jupyterapp.serviceManager.kernels;
    const kernel = id ? kernels.connectTo({model: {id, name: "python3"}}) : await kernels.startNew({name: "python3"});
    let out = "";
    const future = kernel.requestExecute({code});
    future.onIOPub = (msg) => {
        if (msg.header.msg_type === "stream") out += msg.content.text;
        if (msg.header.msg_type === "error") out += msg.content.ename + ": " + msg.content.evalue;
    };
    await future.done;
    if (!keep) await kernel.shutdown();
    return {out, id: kernel.id};
}"""


def in_kernel(page, code: str, kernel_id: str | None = None, keep: bool = False) -> dict:
    """What ``code`` prints (``out``) in a new kernel, or the kept one ``kernel_id`` names, and that kernel's ``id``
    代码在新内核（或 kernel_id 所指的保留内核）中打印的内容及该内核的 id"""
    return page.evaluate(RUN_IN_KERNEL, [kernel_id, code, keep])


START_IN_KERNEL = """(code) => {
    window.__started = {out: "", seen: []};
    window.jupyterapp.serviceManager.kernels.startNew({name: "python3"}).then((kernel) => {
        kernel.statusChanged.connect((_, status) => { window.__started.seen.push(status); });
        const future = kernel.requestExecute({code});
        future.onIOPub = (msg) => { if (msg.header.msg_type === "stream") window.__started.out += msg.content.text; };
    });
}"""


PROBE = """
import json, os, pwd
seen = {"user": pwd.getpwuid(os.getuid()).pw_name}
def probe(label, read):
    try:
        read()
        seen[label] = "read"
    except PermissionError:
        seen[label] = "denied"
    except OSError as error:
        seen[label] = type(error).__name__
for label, path in PATHS.items():
    probe(label, (lambda p=path: os.listdir(p)) if label.endswith("/") else (lambda p=path: open(p, "rb").read(1)))
print(json.dumps(seen))
"""


def test_a_class_logs_in_submits_and_reads_feedback(site, browser):
    """Three learners log in, fetch lesson 01, answer, validate and submit; the instructor grades; each reads their feedback
    三位学生登录、下载、作答、验证并提交；教师评阅；每位学生看到自己的反馈"""
    site, passwords, _ = site
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    learners = sorted(n for n in passwords if not n.endswith("-teacher"))
    teacher = f"{site.name}-teacher"
    with hub.running(site, log=ARTIFACTS / "hub.log") as class_hub:
        hub.as_grader(site, ["nbgrader", "release_assignment", L01])
        assert (site.course_dir / "README.md").stat().st_mtime > 946684800, "the grader's copy keeps real times / 保留真实时间"
        pages = {name: log_in(browser, site, name, passwords[name]) for name in learners}
        for name, page in pages.items():
            wait_for_lab(page)
            assert f"/user/{name}/lab" in page.url, page.url
        # Every learner's JupyterLab offers the Chinese interface / 每位学生的 JupyterLab 都提供中文界面
        languages = pages[learners[0]].request.get(f"{site.url}/user/{learners[0]}/lab/api/translations/").json()["data"]
        assert "zh_CN" in languages, sorted(languages)
        # A learner's Nbgrader menu offers their assignments only, no instructor panels / 学生的 Nbgrader 菜单只有作业列表
        first = pages[learners[0]]
        first.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        shown = first.locator(".lm-Menu .lm-Menu-item")
        items = [shown.nth(i).inner_text().strip() for i in range(shown.count()) if shown.nth(i).is_visible()]
        first.keyboard.press("Escape")
        assert items == ["Assignment List"], items

        # Fetch and answer predict() in each learner's own server / 每位学生在自己的服务器中下载并作答
        panels = {}
        for name, page in pages.items():
            panel = panels[name] = assignment_list(page)
            fetch(panel, L01)
            notebook = LAYOUT.lesson_file(Path(f"~{name}").expanduser(), L01)
            assert notebook.is_file() and notebook.stat().st_uid == pwd_uid(name), "fetched into the learner's home / 下载到学生主目录"
            open_fetched(page, panel, L01)
            type_solution(page, notebook, "ex01_predict")
        # Validate in all three servers at once, then read each dialog / 三个服务器同时验证
        for page in pages.values():
            page.locator(".jp-Toolbar").get_by_text("Validate", exact=True).click()
        for name, page in pages.items():
            text = page.wait_for_selector(".jp-Dialog", timeout=120_000).inner_text()
            assert "predict() evaluates" not in text and "sum_squared_error() returns" in text, (name, text)
            close_dialog(page)
        # A learner's terminal (a login shell): the class environment's python3 (torch) and nbgrader
        # 学生的终端（登录 shell）：课堂环境的 python3（含 torch）与 nbgrader
        home0 = Path(f"~{learners[0]}").expanduser()
        said = in_terminal(pages[learners[0]], "(python3 -c 'import torch; print(\"torch\", torch.__version__)'; nbgrader list; "
                                               "echo END) > ~/terminal.txt 2>&1", home0 / "terminal.txt")  # fmt: skip
        assert "torch 2.13.0" in said and "command not found" not in said and f"{site.course_id} {L01}" in said, said
        for name, page in pages.items():
            submit(page, panels[name], L01)
        pages[learners[0]].screenshot(path=ARTIFACTS / "hub-learner-submitted.png")
        # An impostor: learner 1 files a newer submission under learner 2's id / 冒名者：学生 1 以学生 2 的名义提交了更新的一份
        impostor = LAYOUT.lesson_file(Path(f"~{learners[0]}").expanduser(), L01).parent / "impostor.txt"
        impostor.write_text("not yours")
        shutil.chown(impostor, learners[0])
        as_learner(site, learners[0], "submit", L01, f"--student={learners[1]}")
        # Each submission's folder is its owner's to change, nobody else's / 每份提交的目录只有本人可以修改
        inbound = sorted((site.exchange / site.course_id / "inbound").iterdir())
        assert len(inbound) == LEARNERS + 1 and {stat.S_IMODE(p.stat().st_mode) for p in inbound} == {0o755}, inbound

        # formgrader through the hub, for the instructors' group only / 只有教师组能通过 hub 打开 formgrader
        formgrader = f"{site.url}/services/{site.course_id}/formgrader"
        instructor = log_in(browser, site, teacher, passwords[teacher])
        instructor.wait_for_url("**/hub/**", timeout=60_000)
        instructor.goto(formgrader)
        instructor.get_by_text("Manage Assignments").first.wait_for(timeout=60_000)
        listed = {a["name"]: a["status"] for a in instructor.request.get(f"{formgrader}/api/assignments").json()}
        assert listed.get(L01) == "released", listed
        instructor.get_by_text(L01, exact=True).first.wait_for(timeout=30_000)
        instructor.screenshot(path=ARTIFACTS / "hub-formgrader.png")
        # The grader's own JupyterLab (its terminal runs the commands below) / 评阅账户自己的 JupyterLab
        grader_lab = instructor.request.get(f"{site.url}/services/{site.course_id}/lab")
        assert grader_lab.ok and "JupyterLab" in grader_lab.text(), grader_lab.status
        # A learner, logged in, is refused (in a tab of their own browser) / 已登录的学生被拒绝
        tab = pages[learners[0]].context.new_page()
        refused = tab.goto(formgrader)
        assert refused.status == 403 and "Manage Assignments" not in tab.content(), refused.status
        assert tab.goto(f"{site.url}/services/{site.course_id}/lab").status == 403, "nor the grader's JupyterLab / 也不能打开评阅账户的 JupyterLab"
        tab.close()

        # The README's commands, typed in the grader's JupyterLab terminal: collect, grade (sandboxed), release feedback
        # 在评阅账户 JupyterLab 的终端中输入 README 的命令：收集、评阅（沙箱中）、发布反馈
        instructor.goto(f"{site.url}/services/{site.course_id}/lab")
        instructor.locator(".jp-Launcher").first.wait_for(timeout=120_000)
        done = site.grader_home / "terminal.txt"
        said = in_terminal(instructor, f"(nbgrader collect {L01} && course grade submitted --feedback feedback --out grades.csv && "
                                       f"nbgrader release_feedback {L01}; echo exit $?; echo END) > {done} 2>&1", done)  # fmt: skip
        assert "exit 0" in said and "command not found" not in said, said
        collected = site.course_dir / "submitted" / learners[1] / L01
        assert collected.is_dir() and not (collected / "impostor.txt").exists(), "only their own submission / 只收集本人的提交"
        for name, page in pages.items():
            text = read_feedback(page, panels[name], L01)
            assert f"{L01} (Score: 2.0 / 14.0)" in text and "HIDDEN TESTS" not in text, (name, text[:500])
            (html,) = Path(f"~{name}").expanduser().glob(f"{L01}/feedback/*/{L01}.html")
            assert html.stat().st_uid == pwd_uid(name)
        pages[learners[0]].screenshot(path=ARTIFACTS / "hub-learner-feedback.png")

        # From a learner's kernel: their own uid; nobody else's files, no solutions / 学生内核：自己的 uid，看不到他人文件与答案
        other = Path(f"~{learners[1]}").expanduser()
        paths = {
            "other_home/": other, "other_notebook": LAYOUT.lesson_file(other, L01),
            "solutions/": site.course_dir / "solutions", "solution": site.course_dir / "solutions" / L01 / f"{L01}.ipynb",
            "gradebook": site.course_dir / "gradebook.db", "inbound/": site.exchange / site.course_id / "inbound",
            "hub_state/": site.state, "admin_token": site.state / "admin-token", "hub_database": site.state / "jupyterhub.sqlite", "grader_home/": site.grader_home,
        }  # fmt: skip
        code = f"PATHS = {json.dumps({k: str(v) for k, v in paths.items()})}\n{PROBE}"
        seen = json.loads(in_kernel(pages[learners[0]], code)["out"])
        assert seen == {"user": learners[0], **dict.fromkeys(paths, "denied")}, seen

        # Past their memory limit a learner loses their own kernel only; a classmate's cell runs on and answers
        # (where the machine offers control groups; else `up` says the limits are not enforced)
        # 超出内存上限的学生只失去自己的内核；同学的单元格继续运行并给出结果（本机提供控制组时；否则 up 会说明限制未被强制）
        if class_limits.detect(site.name) is None:  # said at `up`, and shown in the test report / 在 up 时说明，并显示在测试报告中
            warnings.warn(class_limits.describe(None, MEM_LIMIT, 1), stacklevel=1)
        else:
            pages[learners[0]].evaluate(START_IN_KERNEL, "big = b'x' * (3 * 1024**3)\nprint('allocated')")
            classmate = in_kernel(pages[learners[1]], "print(sum(i * i for i in range(2 * 10**7)))")["out"]
            assert classmate.split()[0] == str(sum(i * i for i in range(2 * 10**7))), classmate
            pages[learners[0]].wait_for_function("window.__started.seen.some(s => ['dead', 'restarting', 'autorestarting'].includes(s))",
                                                 timeout=120_000)  # fmt: skip
            assert "allocated" not in pages[learners[0]].evaluate("window.__started.out")
            assert pages[learners[0]].request.get(f"{site.url}/user/{learners[0]}/api/status").ok, "their server lives on / 其服务器仍在运行"

        # A hub restart keeps the learners' servers and kernels / 重启 hub 不影响学生的服务器与内核
        kept = in_kernel(pages[learners[0]], "survivor = 6 * 7", keep=True)["id"]
        class_hub.restart()
        assert in_kernel(pages[learners[0]], "print(survivor)", kernel_id=kept)["out"].strip() == "42"

        # The instructor stops and starts a learner's server from the hub's admin page; a learner may not open it
        # 教师在 hub 的管理页面停止并启动学生的服务器；学生不能打开该页面
        target = learners[1]
        instructor.goto(f"{site.url}/hub/admin")
        row = instructor.locator("tr", has_text=target).first
        row.get_by_role("button", name="Stop Server").click()
        wait_for_server(site, target, running=False)
        row.get_by_role("button", name="Start Server").click()
        wait_for_server(site, target, running=True)
        instructor.screenshot(path=ARTIFACTS / "hub-admin.png")
        assert pages[learners[0]].goto(f"{site.url}/hub/admin").status == 403

        # The hub, its proxy, the formgrader and every learner's server listen on loopback only / 全部只监听本机回环地址
        uids = {pwd_uid(n) for n in [*passwords, site.grader]}
        ports = {site.port, site.hub_port, site.proxy_api_port, site.formgrader_port}
        ours = [(a, port, uid) for a, port, uid, _ in listeners() if uid in uids or port in ports]
        assert {pwd_uid(n) for n in learners} <= {uid for _, _, uid in ours}, ours
        assert site.port in {port for _, port, _ in ours} and all(a in LOOPBACK for a, _, _ in ours), ours

        # Removed while logged in: their session ends and they cannot log in again / 登录中被移出：会话结束，无法再登录
        gone = learners[2]
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            assert cli.main(["hub", "remove", gone, "--home", str(site.home)]) == 0
        assert "hub sessions ended" in printed.getvalue(), printed.getvalue()
        assert pages[gone].request.get(f"{site.url}/user/{gone}/api/status", max_redirects=0).status != 200
        again = log_in(browser, site, gone, passwords[gone])
        again.get_by_text("Invalid username or password").wait_for(timeout=30_000)
        assert "/hub/login" in again.url

        for context in {p.context for p in [*pages.values(), instructor, again]}:
            context.close()
        stopping = time.monotonic()
    # Servers stop on the hub's first signal, not after its 30 s timeouts / 服务器在 hub 的第一个信号时就停止，而非等到 30 秒超时
    assert time.monotonic() - stopping < 25, f"the hub took {time.monotonic() - stopping:.0f} s to stop / hub 停止用时过长"
    ports = [site.port, site.hub_port, site.proxy_api_port, site.formgrader_port]
    assert class_listeners(site, uids, ports) == [], "the hub leaves nothing listening / hub 停止后不应有端口在监听"
    # A stopped server's kernels end within seconds / 服务器停止后，其内核在数秒内结束
    deadline = time.monotonic() + 15
    while (left := [n for n in passwords if subprocess.run(["pgrep", "-u", n], capture_output=True).returncode == 0]):
        if time.monotonic() > deadline:
            shown = subprocess.run(["ps", "-o", "user,pid,etime,args", "-u", ",".join(left)], capture_output=True, text=True)
            raise AssertionError(f"processes outlived the hub / hub 停止后仍有进程:\n{shown.stdout}")
        time.sleep(0.5)


def shadow(name: str) -> str:
    return next(line for line in Path("/etc/shadow").read_text().splitlines() if line.startswith(f"{name}:")).split(":")[1]


def test_removing_a_learner_keeps_their_work_and_the_roster_does_not_bring_them_back(site):
    """course hub remove: out of the class, locked; home, exchange files, gradebook row kept; back only with --restore
    移出班级并锁定，保留主目录、提交与成绩；只有 --restore 才能恢复"""
    site, passwords, roster = site
    name = sorted(n for n in passwords if not n.endswith("-teacher"))[1]
    home = Path(f"~{name}").expanduser()
    work = home / "kept.txt"
    work.write_text("mine")
    inbound = site.exchange / site.course_id / "inbound"
    if not list(inbound.glob(f"{name}+{L01}+*")):  # run alone: this learner submits here / 单独运行时在此提交
        hub.as_grader(site, ["nbgrader", "release_assignment", "--force", L01])
        as_learner(site, name, "fetch_assignment", L01)
        as_learner(site, name, "submit", L01)
    submitted = list(inbound.glob(f"{name}+{L01}+*"))
    assert submitted
    password_hash = shadow(name)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert cli.main(["hub", "remove", name, "--home", str(site.home)]) == 0
    assert "kept" in printed.getvalue() and "hub not running" in printed.getvalue(), printed.getvalue()
    assert work.read_text() == "mine"
    assert all(path.exists() for path in submitted), "their submission stays in the exchange / 其提交保留在交换目录中"
    assert groups_of(name) & {site.learners, site.instructors} == set() and site.removed in groups_of(name)
    check = subprocess.run(["passwd", "--status", name], capture_output=True, text=True)
    assert check.stdout.split()[1] == "L", check.stdout
    with sqlite3.connect(site.course_dir / "gradebook.db") as db:
        assert db.execute("select count(*) from student where id = ?", (name,)).fetchone() == (1,)
    # Still on the roster, not brought back silently / 仍在名单上，也不会被悄悄恢复
    errors = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(errors):
        assert cli.main(["hub", "roster", str(roster), "--home", str(site.home)]) == 2
    assert f"{name}: removed from the class earlier" in errors.getvalue(), errors.getvalue()
    assert site.learners not in groups_of(name)
    # --restore: back as they were, their password unchanged / --restore：恢复原状，密码不变
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli.main(["hub", "roster", str(roster), "--home", str(site.home), "--restore"]) == 0
    assert site.learners in groups_of(name) and site.removed not in groups_of(name)
    assert subprocess.run(["passwd", "--status", name], capture_output=True, text=True).stdout.split()[1] == "P"
    assert shadow(name) == password_hash


def test_a_changed_role_moves_the_account(site, tmp_path):
    """A learner listed as a TA moves to the instructors' group, and back / 角色变化时账户在两个组之间移动"""
    site, passwords, roster = site
    name = sorted(n for n in passwords if not n.endswith("-teacher"))[0]
    changed = tmp_path / "roster.csv"
    changed.write_text(roster.read_text(encoding="utf-8").replace(f"{name},学生 1,l1@example.edu,student",
                                                                  f"{name},学生 1,l1@example.edu,ta"), encoding="utf-8")  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli.main(["hub", "roster", str(changed), "--home", str(site.home)]) == 0
        assert {site.instructors} == groups_of(name) & {site.learners, site.instructors}
        assert cli.main(["hub", "roster", str(roster), "--home", str(site.home)]) == 0
    assert {site.learners} == groups_of(name) & {site.learners, site.instructors}


def test_a_course_folder_in_the_exchange_made_by_someone_else_is_refused(site, tmp_path):
    """A learner who creates the course's exchange folder before the class starts cannot hold it / 抢先建立的课程交换目录被拒绝"""
    site, passwords, _ = site
    learner = sorted(n for n in passwords if not n.endswith("-teacher"))[0]
    other = dataclasses.replace(site, exchange=tmp_path / "exchange")
    (other.exchange / site.course_id).mkdir(parents=True)
    shutil.chown(other.exchange / site.course_id, learner)
    with pytest.raises(hub.HubError, match="someone made it first"):
        hub.prepare_exchange(other)
    shutil.chown(other.exchange / site.course_id, site.grader)
    hub.prepare_exchange(other)
    assert stat.S_IMODE((other.exchange / site.course_id / "inbound").stat().st_mode) == 0o2733


def test_a_bad_roster_changes_nothing(site, tmp_path, capsys):
    """A roster with a bad id or role exits 2 with a bilingual message, and no account is made / 错误的名单不会建立任何账户"""
    site, _, _ = site
    for text, said in [
        ("student_id,name,email,role\nok1,A,a@x,student\ndaemon,D,d@x,student\n", "this class did not make"),
        ("student_id,name,email,role\nok1,A,a@x,student\nBad Name,B,b@x,student\n", "cannot be Unix logins"),
        ("student_id,name,email,role\nok1,A,a@x,student\nok2,B,b@x,professor\n", "is not one of"),
        ("student_id,name,email\nok1,A,a@x\n", "lacks the column"),
        ("student_id,name,email,role\nok1,A,a@x,student\nok1,B,b@x,student\n", "twice"),
    ]:
        bad = tmp_path / "roster.csv"
        bad.write_text(text.replace("ok", f"{site.name}ok"))
        assert cli.main(["hub", "roster", str(bad), "--home", str(site.home)]) == 2
        error = capsys.readouterr().err
        assert said in error and " / " in error, error
        assert not hub.account_exists(f"{site.name}ok1")


def groups_of(name: str) -> set[str]:
    import grp

    return {g.gr_name for g in grp.getgrall() if name in g.gr_mem}
