"""One base for every error the ``course`` command reports: its message (bilingual) and exit status
``course`` 命令报告的所有错误的基类：双语信息与退出状态。

Library code raises; ``course.cli.main`` alone turns an error into a line on stderr and an exit status.
库代码只抛出错误；只有 course.cli.main 把错误变成标准错误输出中的一行和退出状态。
"""


class CourseError(Exception):
    """A failure the person at the command line can act on; ``exit_status`` 1 (it failed) or 2 (asked wrongly)
    使用者可以处理的失败；退出状态 1（失败）或 2（用法错误）"""

    exit_status = 1

    @property
    def message(self) -> str:
        """What was raised, as it was given (a bilingual ``Text`` keeps its halves) / 抛出时给出的信息（Text 保留两半）"""
        return self.args[0] if self.args and isinstance(self.args[0], str) else str(self)


class UsageError(CourseError):
    """Asked for something that cannot be: an unknown lesson, a missing file / 请求无法满足：未知的课程、不存在的文件"""

    exit_status = 2


class NoCourseError(UsageError):
    """No course folder here or above / 此处及上级目录中没有课程"""
