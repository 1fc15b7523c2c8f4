"""The course's late-submission policy, an nbgrader ``LateSubmissionPlugin`` / 课程的迟交政策（nbgrader 的 LateSubmissionPlugin）。

Set in ``nbgrader_config.py`` (``c.AssignLatePenalties.plugin_class``), so ``course grade`` and stock
``nbgrader autograde`` apply the same policy, and a course can bring its own plugin instead.
Importing this module imports nbgrader's plugin base only.
在 nbgrader_config.py 中配置，course grade 与原生 nbgrader autograde 使用同一政策；课程也可换成自己的插件。
"""

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float


class PerDayPenalty(LateSubmissionPlugin):
    """A fraction of the notebook's score per day late, each day begun counting, up to the whole score.

    每迟交一天（不足一天按一天计）扣除该笔记本得分的一定比例，最多扣完。
    """

    fraction_per_day = Float(0.1, help="share of the score lost per day (or part of a day) late / 每迟交一天扣除的比例").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float | None:
        if total_seconds_late <= 0:
            return None
        days = math.ceil(total_seconds_late / 86400)
        return min(score, score * self.fraction_per_day * days)
