"""The class list: ``student_id,name,email,role`` / 课程名单：student_id,name,email,role。

One CSV names everyone of a class. ``course hub roster`` makes a login for each row (the id is the
Unix account name, so it must be one); ``course export --roster`` reads the students' names and
emails from the same file. Roles: ``student`` (a learner), ``instructor`` and ``ta`` (both grade).
一个 CSV 列出全班：course hub roster 为每行建立登录账户（id 即 Unix 账户名）；course export --roster 读取同一文件中的姓名与邮箱。
角色：student（学生）、instructor 与 ta（都参与评阅）。
"""

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from course.errors import UsageError

COLUMNS = ("student_id", "name", "email", "role")
STUDENT = "student"
GRADING_ROLES = ("instructor", "ta")
ROLES = (STUDENT, *GRADING_ROLES)
# What useradd accepts on Debian (and JupyterHub keeps as it is): lower case, at most 32 characters
# Debian 的 useradd 接受（JupyterHub 也不改写）的账户名：小写，最多 32 个字符
ACCOUNT_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


class RosterError(UsageError):
    """A roster that cannot be used, said in both languages / 无法使用的名单（双语说明）。"""


@dataclass(frozen=True)
class Member:
    """One row of the roster / 名单中的一行。"""

    student_id: str
    name: str
    email: str
    role: str

    @property
    def grades(self) -> bool:
        """Instructors and teaching assistants open formgrader / 教师与助教可以打开 formgrader"""
        return self.role in GRADING_ROLES


def read_roster(path: Path) -> list[Member]:
    """Every row of the roster CSV at ``path``, checked: the columns, each role, no id twice.

    A spreadsheet's byte-order mark is fine; empty lines are skipped. / 读取并检查名单的每一行。
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterError(f"no such roster: {path} / 没有这个名单文件：{path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise RosterError(f"cannot read the roster {path}: {error} / 无法读取名单 {path}：{error}") from error
    try:
        header = next(csv.reader(io.StringIO(text)), [])
        reader = csv.DictReader(io.StringIO(text))
        # The file's line of each row (the reader skips blank lines) / 每行在文件中的行号（读取时跳过空行）
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise RosterError(f"the roster {path} is not a CSV file: {error} / 名单 {path} 不是 CSV 文件：{error}") from error
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise RosterError(
            f"the roster {path} lacks the column(s) {', '.join(missing)}; it needs {','.join(COLUMNS)} / "
            f"名单 {path} 缺少列 {'、'.join(missing)}；需要的列为 {','.join(COLUMNS)}"
        )
    members: list[Member] = []
    seen: set[str] = set()
    for line, row in rows:
        fields = {column: (row.get(column) or "").strip() for column in COLUMNS}
        if not any(fields.values()):
            continue
        student_id, role = fields["student_id"], fields["role"].lower()
        if not student_id:
            raise RosterError(f"{path}, line {line}: no student_id / {path} 第 {line} 行：缺少 student_id")
        if role not in ROLES:
            raise RosterError(
                f"{path}, line {line}: role {fields['role']!r} is not one of {', '.join(ROLES)} / "
                f"{path} 第 {line} 行：角色 {fields['role']!r} 不是 {'、'.join(ROLES)} 之一"
            )
        if student_id in seen:
            raise RosterError(f"the roster {path} lists {student_id} twice / 名单 {path} 中 {student_id} 出现了两次")
        seen.add(student_id)
        members.append(Member(student_id, fields["name"] or student_id, fields["email"], role))
    return members


def check_account_names(members: list[Member], path: Path) -> None:
    """Every id can be a Unix login, or one error names each that cannot / 每个 id 都必须能作为 Unix 账户名。"""
    bad = [m.student_id for m in members if not ACCOUNT_NAME.match(m.student_id)]
    if bad:
        raise RosterError(
            f"{path}: these ids cannot be Unix logins (lower-case letters, digits, '-' and '_', at most 32 "
            f"characters, not starting with a digit or '-'): {', '.join(bad)} / "
            f"{path}：以下 id 不能作为 Unix 登录名（小写字母、数字、'-' 与 '_'，最多 32 个字符，不能以数字或 '-' 开头）：{'、'.join(bad)}"
        )
