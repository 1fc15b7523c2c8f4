"""One language out of the course's bilingual text / 从课程的双语文本中取出一种语言。

Markdown cells come as ``en`` / ``zh`` tagged twins; messages read ``English / 中文``.
``COURSE_LANG=en|zh|both`` (default ``both``) chooses what learners read.
"""

import os
import re

LANGUAGES = ("en", "zh", "both")
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
_PAIRS = ("()", "（）", "[]")


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


def in_language(message: str, lang: str) -> str:
    """The part of a bilingual message in ``lang`` (the whole message for ``both`` or a one-language message).

    取出双语信息中指定语言的部分。
    """
    pair = split_message(message) if lang != "both" else None
    if pair is None:
        return message
    return pair[0] if lang == "en" else pair[1]
