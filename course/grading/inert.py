"""What a learner made, made inert before anyone sees it / 学生生成的内容在被查看之前变为无害。

A graded notebook is shown twice outside the learner's kernel: in the learner's HTML feedback and
in formgrader, opened by the instructor while logged in. Every output in it, and a written answer,
came from the learner's process, which can shape them at will. ``InertOutputs`` (nbconvert's own
``SanitizeHTML``, made strict) keeps of each output only what cannot act:

- text (``text/plain``, streams named ``stdout`` or ``stderr``, tracebacks), escaped by every template;
- PNG, JPEG and GIF images whose data is plain base64;
- HTML through bleach with an allowlist: no script, style, iframe, object, embed, form or event
  handler, links only to ``http``, ``https`` and ``mailto``, images only from ``data:image/``;

and drops the rest (JavaScript, SVG, Markdown, LaTeX, widgets, JSON), every output's metadata
(nbconvert writes some of it into unquoted attributes) and any execution count that is not a number.
A written answer (Markdown) is rendered and cleaned the same way, and TeX commands that make links or
load code (``\\href``, ``\\url``, ``\\require`` …) are disarmed for MathJax.
反馈页面与 formgrader 都会显示学生进程生成的输出与书面答案。这里只保留无法执行的内容：文本、纯 base64 的图片、经白名单清理的 HTML；
其余（JavaScript、SVG、Markdown、LaTeX、小部件）以及所有输出的元数据一律删除；书面答案渲染后同样清理，并解除会生成链接或加载代码的 TeX 命令。
"""

import re

import bleach
from bleach.css_sanitizer import CSSSanitizer
from nbconvert.filters.markdown import markdown2html
from nbconvert.preprocessors.sanitize import SanitizeHTML
from traitlets import Set

# Tags a formatted output or a written answer may use: text, tables, lists, images / 可用的标签：文本、表格、列表、图片
TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "s", "samp", "small",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})  # fmt: skip
PROTOCOLS = frozenset({"http", "https", "mailto"})
# Image data shown inline: base64 only, nothing that could close the attribute it is written into / 只接受 base64 的图片数据
BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")
# TeX commands MathJax turns into links, styles or loaded code / MathJax 会变成链接、样式或加载代码的 TeX 命令
ACTIVE_TEX = re.compile(r"\\(href|url|unicode|class|style|cssId|require|data|html|bbox|toggle|mmlToken)(?![A-Za-z])")
STREAMS = ("stdout", "stderr")


def _attribute_allowed(tag: str, name: str, value: str) -> bool:
    if name in ("class", "title", "align", "colspan", "rowspan", "alt"):
        return True
    if tag == "a" and name == "href":
        return True  # bleach checks the protocol / bleach 会检查协议
    return tag == "img" and name == "src" and value.startswith("data:image/") and BASE64.fullmatch(value.partition(",")[2]) is not None


# Elements whose text is code, not something to read: gone with their content before cleaning (bleach keeps text)
# 内容是代码而非文字的元素：清理之前连同内容一起删除（bleach 会保留文字）
CODE_ELEMENTS = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)


def clean_html(html: str) -> str:
    """``html`` with only ``TAGS``, harmless attributes, ``PROTOCOLS`` links and inline images; the rest stripped.

    只保留白名单中的标签、无害的属性、允许协议的链接与内嵌图片。
    """
    return bleach.clean(CODE_ELEMENTS.sub("", html), tags=TAGS, attributes=_attribute_allowed, protocols=PROTOCOLS | {"data"}, strip=True,
                        strip_comments=True, css_sanitizer=CSSSanitizer(allowed_css_properties=()))  # fmt: skip


def inert_markdown(text: str) -> str:
    """A learner's Markdown as clean HTML (Markdown renders HTML as it is), TeX links disarmed / 学生的 Markdown 渲染并清理为 HTML。"""
    return ACTIVE_TEX.sub(r"\\ \1", clean_html(markdown2html(text)))


class InertOutputs(SanitizeHTML):
    """nbconvert's ``SanitizeHTML``, strict: see the module's docstring / nbconvert 的 SanitizeHTML 的严格版本。"""

    safe_output_keys = Set({"text/plain"}).tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.get("cell_type") == "markdown":
            cell.source = inert_markdown(cell.get("source", ""))
        elif cell.get("cell_type") == "code":
            count = cell.get("execution_count")
            cell.execution_count = count if type(count) is int else None
            cell.outputs = [kept for output in cell.get("outputs", []) if (kept := self.inert_output(output)) is not None]
        else:
            cell.source = ""
        return cell, resources

    def inert_output(self, output):
        """One output as it may be shown, or None / 可以显示的输出，或 None。"""
        kind = output.get("output_type")
        if kind == "stream":
            return output if output.get("name") in STREAMS and isinstance(output.get("text"), str) else None
        if kind == "error":
            output["ename"], output["evalue"] = str(output.get("ename", "")), str(output.get("evalue", ""))
            output["traceback"] = [str(line) for line in output.get("traceback", []) if isinstance(line, str)]
            return output
        if kind not in ("display_data", "execute_result"):
            return None
        data = output.get("data", {})
        images = {mime: data[mime] for mime in IMAGE_TYPES if isinstance(data.get(mime), str) and BASE64.fullmatch(data[mime])}
        output.data = {mime: value for mime, value in data.items() if mime in self.safe_output_keys and isinstance(value, str)}
        output.data.update(images)
        if isinstance(data.get("text/html"), str):
            output.data["text/html"] = self.sanitize_html_tags(data["text/html"])
        output.metadata = {}
        if kind == "execute_result":
            output.execution_count = output.get("execution_count") if type(output.get("execution_count")) is int else None
        return output if output.data else None

    def sanitize_html_tags(self, html_str):
        return clean_html(html_str)
