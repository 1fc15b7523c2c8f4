"""The class's logins on its server, from the roster / 依据名单建立课堂服务器上的登录账户。

``course hub roster FILE`` makes a Unix account for each row (PAM is how learners log in to the hub),
puts learners in ``<name>-learners`` and instructors and teaching assistants in ``<name>-instructors``,
registers the students in nbgrader's gradebook, and prints a one-time password for each new account
(never stored; a learner changes it with ``passwd`` in a JupyterLab terminal). Running it again adds
the new rows and leaves existing accounts' passwords alone.

``course hub remove ID`` takes someone out of the class: out of its groups (no more logins), the
account locked, a running server stopped. Their home, their submissions in the exchange and the
course folder, and their grades in the gradebook all stay.
依据名单建立 Unix 账户、加入相应的组、在 nbgrader 成绩库中登记学生，并为每个新账户打印一次性密码；
移除学生只是将其移出班级并锁定账户，其主目录、提交与成绩全部保留。
"""

import csv
import grp
import secrets
import tempfile
import urllib.error
from pathlib import Path

from course import hub
from course.roster import STUDENT, Member, RosterError, check_account_names, read_roster


def _groups_of(name: str) -> set[str]:
    return {g.gr_name for g in grp.getgrall() if name in g.gr_mem}


def add_roster(site: hub.Site, path: Path, reset_passwords: bool = False) -> list[tuple[Member, str | None]]:
    """Accounts for every row of the roster at ``path``; returns each member with its new password (None: kept).

    The whole roster is checked before anything changes. / 修改任何内容之前先检查整个名单。
    """
    hub.require_root()
    members = read_roster(path)
    check_account_names(members, path)
    clashes = [m.student_id for m in members if m.student_id in (site.grader, "root")]
    if clashes:
        raise RosterError(f"{path}: {', '.join(clashes)} is reserved / {path}：{'、'.join(clashes)} 是保留账户名")
    added = []
    for member in members:
        group = site.instructors if member.grades else site.learners
        password = None
        if not hub.account_exists(member.student_id):
            hub.run(["useradd", "--create-home", "--shell", "/bin/bash", "--comment", member.name,
                     "--groups", group, member.student_id])  # fmt: skip
            password = secrets.token_urlsafe(9)
        else:
            hub.run(["usermod", "--append", "--groups", group, member.student_id])
            _restore(member.student_id)
            if reset_passwords:
                password = secrets.token_urlsafe(9)
        home = Path(f"~{member.student_id}").expanduser()
        home.chmod(0o700)  # no learner reads another's work / 学生之间不能读取彼此的文件
        if password is not None:
            hub.run(["chpasswd"], input=f"{member.student_id}:{password}\n")
        added.append((member, password))
    register_students(site, [m for m in members if m.role == STUDENT])
    return added


def register_students(site: hub.Site, students: list[Member]) -> None:
    """The students in nbgrader's gradebook (``nbgrader db student import``, as the grader) / 在成绩库中登记学生"""
    if not students:
        return
    with tempfile.NamedTemporaryFile("w", suffix=".csv", newline="", encoding="utf-8") as table:
        writer = csv.writer(table)
        writer.writerow(["id", "first_name", "last_name", "email"])
        # One name field: names do not split into first and last everywhere / 姓名不拆分（并非处处都分名与姓）
        writer.writerows([m.student_id, "", m.name, m.email] for m in students)
        table.flush()
        Path(table.name).chmod(0o644)
        hub.as_grader(site, ["nbgrader", "db", "student", "import", table.name])


def remove(site: hub.Site, student_id: str) -> list[str]:
    """Take ``student_id`` out of the class, keeping everything they made; returns what was done / 将某人移出班级并保留其一切"""
    hub.require_root()
    if not hub.account_exists(student_id):
        raise RosterError(f"no account {student_id} on this server / 本服务器上没有账户 {student_id}")
    groups = _groups_of(student_id) & {site.learners, site.instructors}
    if not groups:
        raise RosterError(f"{student_id} is not in this class ({site.learners}, {site.instructors}) / {student_id} 不在本班级中")
    done = []
    for group in sorted(groups):
        hub.run(["gpasswd", "--delete", student_id, group])
        done.append(f"left {group} / 已移出 {group}")
    hub.run(["usermod", "--lock", "--expiredate", "1", student_id])
    done.append("account locked / 账户已锁定")
    try:
        hub.api(site, f"/users/{student_id}/server", method="DELETE")
        done.append("server stopped / 服务器已停止")
    except urllib.error.HTTPError as error:
        if error.code not in (400, 404):  # no server, or never logged in / 没有服务器或从未登录
            raise
    except (urllib.error.URLError, OSError):
        done.append("hub not running: no server to stop / hub 未运行，无需停止服务器")
    done.append("kept: home, submissions, grades / 已保留：主目录、提交、成绩")
    return done


def _restore(name: str) -> None:
    """An account removed earlier (locked, expired) comes back when the roster lists it again / 重新列入名单的账户恢复可用"""
    hub.run(["usermod", "--expiredate", "", name])
    if hub.run(["passwd", "--status", name]).stdout.split()[1:2] == ["L"]:
        hub.run(["usermod", "--unlock", name])
