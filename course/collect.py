"""Collect only what each learner submitted themselves / 只收集学生本人提交的作业。

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
