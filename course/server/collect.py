"""Collect only what each learner submitted themselves, and keep each submission theirs / 只收集学生本人提交的作业，提交只属于本人。

On a class server every learner writes to the same exchange, and ``nbgrader submit --student=ID``
lets anyone file a submission under another's id; nbgrader's collect only warns when the files'
owner is not the student they name, and the newest submission wins. ``OwnedSubmissionsCollect``
(``c.ExchangeFactory.collect`` in ``deploy/hub/nbgrader_config.py``) keeps the student's own
submissions first and never collects one owned by someone else.
在课堂服务器上，任何人都能用 ``--student`` 冒名提交；nbgrader 只发出警告并收集最新的一份。本插件优先取本人的提交，
从不收集属于他人的提交。
"""

import os
import pwd

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.submit import ExchangeSubmit


def owner(path: str) -> str | None:
    try:
        return pwd.getpwuid(os.lstat(path).st_uid).pw_name
    except KeyError:
        return None


class OwnedSubmissionsCollect(ExchangeCollect):
    """nbgrader's file-exchange collect, for submissions owned by the student they name only / 只收集本人拥有的提交"""

    def _path_to_record(self, path):
        record = super()._path_to_record(path)
        record["owned"] = owner(path) == record["username"]
        if not record["owned"]:
            self.log.warning(
                "%s claims to be submitted by %s but belongs to %s: not collected / 声称由 %s 提交，实际属于 %s：不收集",
                path, record["username"], owner(path), record["username"], owner(path),
            )  # fmt: skip
        return record

    def _sort_by_timestamp(self, records):
        # The student's own submissions first, newest first / 本人的提交在前，新的在前
        return sorted(records, key=lambda item: (item["owned"], item["timestamp"]), reverse=True)

    def copy_files(self):
        self.src_records = [record for record in self.src_records if record["owned"]]
        super().copy_files()


class PrivateSubmissionSubmit(ExchangeSubmit):
    """nbgrader's file-exchange submit, the submission's folder writable by its owner only / 提交目录只有本人可写

    nbgrader leaves it mode 777 "so the instructor can delete later", which lets any classmate who finds its
    name delete or add files in it; 755 still lets the grader read and collect it.
    nbgrader 把提交目录设为 777（方便教师日后删除），任何猜到其名称的同学都能在其中删除或添加文件；755 仍允许评阅账户读取与收集。
    """

    def copy_files(self):
        super().copy_files()
        os.chmod(os.path.join(self.inbound_path, self.assignment_filename), 0o755)
