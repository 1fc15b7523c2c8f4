"""The class's logins on its server, from the roster / 依据名单建立课堂服务器上的登录账户。

``course hub roster FILE`` makes a Unix account for each row (PAM is how learners log in to the hub),
puts learners in ``<name>-learners`` and instructors and teaching assistants in ``<name>-instructors``
(a changed role moves the account, and ends its hub sessions), registers the students in nbgrader's
gradebook, and prints a one-time password for each new account as soon as it is set (never stored; a
learner changes it with ``passwd`` in a JupyterLab terminal). Running it again adds the new rows and
leaves existing accounts' passwords alone. An existing account this class did not make (``daemon``,
an administrator) is refused: the roster cannot take over system accounts.

``course hub remove ID`` takes someone out of the class: out of its groups and into
``<name>-removed`` (the roster does not bring them back without ``--restore``), the account locked,
their hub user deleted (running server stopped, every session and token ended). Their home, their
submissions in the exchange and the course folder, and their grades in the gradebook all stay.
依据名单建立 Unix 账户、加入相应的组、在成绩库中登记学生，并在设置密码后立即打印一次性密码；拒绝接管非本班建立的已有账户。
移除学生会将其移出班级、锁定账户并结束其所有会话，其主目录、提交与成绩全部保留。
"""

import csv
import grp
import pwd
import secrets
import shutil
import tempfile
import urllib.error
from collections.abc import Callable
from pathlib import Path

from course.gradebook.roster import STUDENT, Member, RosterError, check_account_names, read_roster
from course.server import hub


def _groups_of(name: str) -> set[str]:
    return {g.gr_name for g in grp.getgrall() if name in g.gr_mem}


def _refusals(site: hub.Site, members: list[Member], restore: bool) -> list[str]:
    """Why rows cannot be made into accounts, one line each / 无法为其建立账户的行及原因"""
    ours = {site.learners, site.instructors} | ({site.removed} if restore else set())
    refused = []
    for member in members:
        name = member.student_id
        if name in (site.grader, "root") or name.startswith(f"{site.name}-") and name.endswith(("-grader", "-instructors", "-learners", "-removed")):  # fmt: skip
            refused.append(f"{name}: reserved / 保留名称")
        elif hub.account_exists(name) and not _groups_of(name) & ours:
            held = site.removed in _groups_of(name)
            refused.append(
                f"{name}: removed from the class earlier; bring back with --restore / 之前已被移出班级，用 --restore 恢复" if held
                else f"{name}: an existing account this class did not make / 已有账户，并非本班建立"
            )  # fmt: skip
        elif not hub.account_exists(name) and hub.group_exists(name):
            refused.append(f"{name}: a group of that name exists / 已有同名的组")
    return refused


def add_roster(site: hub.Site, path: Path, reset_passwords: bool = False, restore: bool = False,
               announce: Callable[[Member, str | None], None] = lambda member, password: None) -> list[tuple[Member, str | None]]:  # fmt: skip
    """Accounts for every row of the roster at ``path``; returns each member with its new password (None: kept).

    The whole roster is checked before anything changes; ``announce`` hears of each account as soon as
    its password is set, so a failure later loses none. / 先检查整个名单；每个密码设置后立即通知，之后的失败不会丢失密码。
    """
    hub.require_root()
    members = read_roster(path)
    check_account_names(members, path)
    refused = _refusals(site, members, restore)
    if refused:
        raise RosterError(f"{path}: nothing changed / 未作任何修改:\n" + "\n".join(refused))
    added = []
    for member in members:
        group, other = (site.instructors, site.learners) if member.grades else (site.learners, site.instructors)
        password = None
        if not hub.account_exists(member.student_id):
            # No real name in /etc/passwd: every account may read it / /etc/passwd 人人可读，不写真实姓名
            hub.run(["useradd", "--create-home", "--shell", "/bin/bash", "--groups", group, member.student_id])
            Path(pwd.getpwnam(member.student_id).pw_dir).chmod(0o700)  # no learner reads another's work / 学生之间互不可读
            password = secrets.token_urlsafe(9)
        else:
            held = _groups_of(member.student_id)
            hub.run(["usermod", "--append", "--groups", group, member.student_id])
            for leaving in {other, site.removed} & held:
                hub.run(["gpasswd", "--delete", member.student_id, leaving])
            if site.removed in held:
                _unlock(member.student_id)
            if other in held:  # a changed role: log in again to get the new one / 角色变化：重新登录后生效
                end_sessions(site, member.student_id)
            if reset_passwords:
                password = secrets.token_urlsafe(9)
        if password is not None:
            hub.run(["chpasswd"], input=f"{member.student_id}:{password}\n")
        announce(member, password)
        added.append((member, password))
    register_students(site, [m for m in members if m.role == STUDENT])
    return added


def register_students(site: hub.Site, students: list[Member]) -> None:
    """The students in nbgrader's gradebook (``nbgrader db student import``, as the grader; the table in a
    folder only root, then the grader, can enter) / 在成绩库中登记学生（表格所在目录只有 root 与评阅账户可进入）"""
    if not students:
        return
    folder = Path(tempfile.mkdtemp(prefix="course-roster-"))  # mode 700 / 权限 700
    try:
        table = folder / "students.csv"
        with table.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["id", "first_name", "last_name", "email"])
            # One name field: names do not split into first and last everywhere / 姓名不拆分（并非处处都分名与姓）
            writer.writerows([m.student_id, "", m.name, m.email] for m in students)
        for path in (table, folder):
            shutil.chown(path, site.grader)
        hub.as_grader(site, ["nbgrader", "db", "student", "import", str(table)])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def end_sessions(site: hub.Site, name: str) -> str:
    """Delete ``name``'s hub user: their server stops, their cookies and tokens end (their files stay).
    删除其 hub 用户：服务器停止，cookie 与令牌失效（文件保留）。"""
    if hub.hub_running(site):
        try:
            hub.api(site, f"/users/{name}", method="DELETE")
            return "hub sessions ended, server stopped / hub 会话已结束，服务器已停止"
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return "never logged in to the hub / 从未登录 hub"
            return f"the hub refused to end the sessions ({error.code}): stop the hub's user in its admin page / hub 拒绝结束会话"
        except (urllib.error.URLError, OSError):
            pass
    # Their server outlives a stopped hub (the proxy may still answer for it): end it and all they run
    # 服务器比停止的 hub 活得久（代理可能仍在应答）：结束它及其所有进程
    ended = hub.end_processes(site, name)
    return "hub not running: " + ("their server and processes ended / hub 未运行：已结束其服务器与进程" if ended
                                  else "nothing of theirs was running / hub 未运行：其没有在运行的进程")  # fmt: skip


def remove(site: hub.Site, student_id: str) -> list[str]:
    """Take ``student_id`` out of the class, keeping everything they made; returns what was done / 将某人移出班级并保留其一切"""
    hub.require_root()
    if not hub.account_exists(student_id):
        raise RosterError(f"no account {student_id} on this server / 本服务器上没有账户 {student_id}")
    groups = _groups_of(student_id) & {site.learners, site.instructors}
    if not groups:
        raise RosterError(f"{student_id} is not in this class ({site.learners}, {site.instructors}) / {student_id} 不在本班级中")
    done = []
    hub.run(["usermod", "--append", "--groups", site.removed, student_id])
    for group in sorted(groups):
        hub.run(["gpasswd", "--delete", student_id, group])
        done.append(f"left {group} / 已移出 {group}")
    hub.run(["usermod", "--lock", "--expiredate", "1", student_id])
    done.append("account locked / 账户已锁定")
    done.append(end_sessions(site, student_id))
    done.append("kept: home, submissions, grades / 已保留：主目录、提交、成绩")
    return done


def _unlock(name: str) -> None:
    """An account removed earlier (locked, expired) comes back with ``--restore`` / 之前移除的账户用 --restore 恢复"""
    hub.run(["usermod", "--expiredate", "", name])
    if hub.run(["passwd", "--status", name]).stdout.split()[1:2] == ["L"]:
        hub.run(["usermod", "--unlock", name])
