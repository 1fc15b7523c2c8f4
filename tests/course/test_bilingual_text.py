"""The grader's own messages as ``Text`` (English, 中文): one language chosen exactly, never guessed
评阅程序自己的信息是 Text（英文、中文）：按语言取出时精确，不靠猜测。"""

import json
import pickle
from pathlib import Path

from course.bilingual import Text, halves, in_language
from course.check import CheckReport
from course.grading.judging import OTHER_EXCEPTION, RAISED
from course.results import GRADER_FAILED, ExerciseResult, Status, SubmissionResult


def test_text_reads_as_every_message_does_and_keeps_its_halves():
    """str() is ``English / 中文`` (CSV, gradebook, JSON see that); pickled to a worker and back it keeps both halves
    字符串形式为“English / 中文”；经 pickle 传到工作进程再传回仍保留两半"""
    text = Text("the kernel died", "内核已退出")
    assert text == "the kernel died / 内核已退出" and json.dumps(text, ensure_ascii=False) == '"the kernel died / 内核已退出"'
    back = pickle.loads(pickle.dumps(text))
    assert isinstance(back, Text) and (back.en, back.zh) == ("the kernel died", "内核已退出")
    assert [in_language(text, lang) for lang in ("en", "zh", "both")] == ["the kernel died", "内核已退出", text]


def test_a_half_that_holds_the_separator_is_not_split_there():
    """Names with `` / `` and Chinese in the English half (learners' names): a guess splits it wrongly, Text does not
    英文一半含有 `` / `` 与中文（学生的名字）：猜测会拆错，Text 不会"""
    text = Text("not submitted by 张三 / 李四", "未提交：张三 / 李四")
    assert in_language(str(text), "en") != "not submitted by 张三 / 李四"  # the guess / 猜测的结果
    assert in_language(text, "en") == "not submitted by 张三 / 李四"
    assert in_language(text, "zh") == "未提交：张三 / 李四"


def test_format_fills_each_half_with_its_own_half():
    """A bilingual value goes into each half in that half's language, not whole into both
    双语的值按各自语言填入两半，而不是整体填入两半"""
    raised = RAISED.format(name=OTHER_EXCEPTION)
    assert (raised.en, raised.zh) == ("on fresh inputs the answer raised an exception", "在新的输入上，答案抛出了 一个异常")
    failed = GRADER_FAILED.format(error="OSError: disk full")
    assert isinstance(failed, Text) and failed.en.endswith("OSError: disk full") and failed.zh.endswith("OSError: disk full")


def test_halves_of_other_text():
    """A lesson's test message is split at its `` / ``; a one-language message is both halves
    课程测试的信息按 `` / `` 拆分；单语言信息两半相同"""
    assert halves("w is wrong / w 不对") == ("w is wrong", "w 不对")
    assert halves("ZeroDivisionError: division by zero") == ("ZeroDivisionError: division by zero",) * 2


def test_course_check_shows_a_one_language_failure_in_either_language():
    """`course check` in English keeps the error after "failed" (it was cut at the first `` / ``), and in Chinese too
    英文的 course check 在“failed”后保留错误信息（以前在第一个 `` / `` 处被截掉），中文也一样"""
    row = ExerciseResult("ex01_predict", Status.FAILED, 0.0, 2.0, "ZeroDivisionError: division by zero")
    report = CheckReport(Path("01.ipynb"), "01", SubmissionResult("01", [row]))
    english, chinese = report.lines("en")[0], report.lines("zh")[0]
    assert english.endswith("failed: ZeroDivisionError: division by zero") and "未通过" not in english, english
    assert chinese.endswith("未通过：ZeroDivisionError: division by zero") and "failed" not in chinese, chinese
