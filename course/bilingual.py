"""One language out of the course's bilingual text / 从课程的双语文本中取出一种语言。

Markdown cells come as ``en`` / ``zh`` tagged twins; messages read ``English / 中文``: the course's own are ``Text``,
which keeps both halves.
``COURSE_LANG=en|zh|both`` (default ``both``) chooses what learners read.
"""

import os
import re

LANGUAGES = ("en", "zh", "both")
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
_PAIRS = ("()", "（）", "[]")


class Text(str):
    """A message of the course's own in both languages: a ``str`` reading ``English / 中文`` (what the CSV files, the
    gradebook and every comparison see) that keeps its two halves, so choosing one language never guesses.

    课程自己的双语信息：内容为“English / 中文”的字符串，同时保留两半，选择语言时无需猜测如何拆分。
    """

    en: str
    zh: str

    def __new__(cls, en: str, zh: str) -> "Text":
        text = super().__new__(cls, f"{en} / {zh}")
        text.en, text.zh = en, zh
        return text

    def __getnewargs__(self) -> tuple[str, str]:  # pickled to and from the worker processes / 在工作进程间传递
        return (self.en, self.zh)

    def format(self, *args, **values) -> "Text":
        """Both halves filled in, as ``str.format``; a ``Text`` value gives each half its own half
        两半都按 str.format 填入；值为 Text 时各取对应的一半"""

        def half(value, lang: str):
            return getattr(value, lang) if isinstance(value, Text) else value

        return Text(*(getattr(self, lang).format(*(half(a, lang) for a in args), **{k: half(v, lang) for k, v in values.items()})
                      for lang in ("en", "zh")))


def course_lang(value: str | None = None) -> str:
    """``value`` or ``$COURSE_LANG``, checked; ``both`` by default / 读取并检查语言设置。"""
    lang = (value or os.environ.get("COURSE_LANG") or "both").strip().lower()
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r} / 语言必须是 {'、'.join(LANGUAGES)} 之一，实际为 {lang!r}")
    return lang


def _balanced(text: str) -> bool:
    return all(text.count(opening) == text.count(closing) for opening, closing in _PAIRS)


def split_message(message: str) -> tuple[str, str] | None:
    """``"English / 中文"`` → (English, 中文), or None when the message is not such a pair.

    The separator is the `` / `` with balanced brackets on both sides and Chinese only after it
    (a name inside the message may itself hold `` / ``).
    """
    parts = message.split(" / ")
    best = None
    for k in range(1, len(parts)):
        left, right = " / ".join(parts[:k]), " / ".join(parts[k:])
        if _balanced(left) and _balanced(right) and CJK.search(right):
            score = len(CJK.findall(right)) / max(len(right), 1) - len(CJK.findall(left)) / max(len(left), 1)
            if best is None or score > best[0]:
                best = (score, left, right)
    return (best[1], best[2]) if best else None


def halves(message: str) -> tuple[str, str]:
    """(English, 中文) of a message: a ``Text``'s own halves, other text split at its `` / ``, or the whole message
    twice when it is in one language only / 信息的英文与中文两半；只有一种语言时两半相同"""
    if isinstance(message, Text):
        return message.en, message.zh
    return split_message(message) or (message, message)


def in_language(message: str, lang: str) -> str:
    """The part of a bilingual message in ``lang`` (the whole message for ``both`` or a one-language message): a
    ``Text`` says which part is which, other text (a lesson's test message) is split at its `` / ``.

    取出双语信息中指定语言的部分：Text 自知两半，其他文字（课程测试的信息）按 `` / `` 拆分。
    """
    if lang == "both":
        return message
    english, chinese = halves(message)
    return english if lang == "en" else chinese
