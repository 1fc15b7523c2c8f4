"""Plots of fits and loss curves with bilingual labels / 带中英双语标签的拟合图与损失曲线。

Introduced in lesson 01. Chinese labels need a CJK font. The course brings one with pip: the
``mplfonts`` package ships Noto Sans CJK SC (SIL Open Font License), and the plotting functions
register that file with matplotlib and add it to the font fallback, after the default Latin font,
so any Chinese text in a figure renders, your own legend and titles included, on any system and
with no download. Where that package is missing (a broken install), the first installed font of
``CJK_FONTS`` is used instead; with none, the labels stay English and a single warning says how
to get the font, so no "Glyph missing" warning ever reaches a cell from these functions.
中文标签需要 CJK 字体。课程通过 pip 自带一种：mplfonts 包中的 Noto Sans CJK SC（SIL 开放字体许可证）。
绘图函数把该字体文件注册到 matplotlib 并加入后备字体（排在默认拉丁字体之后），因此图中的任何中文都能显示，
包括你自己写的图例与标题，在任何系统上都无需下载。若该包缺失（安装不完整），改用 CJK_FONTS 中第一个已安装的字体；
都没有时只显示英文标签，并只警告一次，说明如何获得字体。
"""

import functools
import importlib.util
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes

# The OFL font pip installs with the course: (package, file inside it) / 随课程由 pip 安装的 OFL 字体：（包，包内文件）
# (mplfonts also ships a SimHei.ttf, which is not openly licensed: never used / mplfonts 中的 SimHei.ttf 并非开放许可，不使用)
BUNDLED_CJK_FONT = ("mplfonts", "fonts/NotoSansCJKsc-Regular.otf")
# Families looked for on the system when that package is missing, best first / 该包缺失时在系统中按优先顺序查找的字体族
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Serif CJK SC",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Arial Unicode MS",
)
# File names that hold those families, for a font cache built before the font was installed.
_CJK_FILE_HINTS = ("notosanscjk", "sourcehansans", "wqy", "notoserifcjk", "msyh", "simhei", "pingfang")
_LATIN_FONT = "DejaVu Sans"
_NO_CJK_WARNING = (
    "No CJK font found: plot labels will be English only. The course's font comes with pip: run `make setup` "
    "(or `pip install mplfonts==0.0.11`) and restart the kernel. / "
    "未找到 CJK 字体：图表标签只显示英文。课程的字体随 pip 安装：运行 `make setup`"
    "（或 `pip install mplfonts==0.0.11`）后重启内核。"
)


def bundled_cjk_font_file() -> Path | None:
    """The course's pip-installed CJK font file, or None if that package is missing. Introduced in lesson 01.

    课程通过 pip 安装的 CJK 字体文件；该包缺失时返回 None。
    """
    package, relative = BUNDLED_CJK_FONT
    spec = importlib.util.find_spec(package)  # finds the package without importing it / 只查找，不导入
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        if (path := Path(folder, relative)).is_file():
            return path
    return None


@functools.cache
def find_cjk_font() -> str | None:
    """The family name of the CJK font plots use: the course's own, else an installed one, else None.
    Introduced in lesson 01.

    图表使用的 CJK 字体族名称：优先课程自带的字体，其次系统已安装的字体，都没有则返回 None。
    """
    bundled = bundled_cjk_font_file()
    if bundled is not None:
        return _register_first(bundled)
    found = _first_known_family()
    if found is None:
        # matplotlib caches its font list; a font installed later is only on disk.
        for path in font_manager.findSystemFonts():
            if any(hint in Path(path).name.lower() for hint in _CJK_FILE_HINTS):
                font_manager.fontManager.addfont(path)
        found = _first_known_family()
    if found is None:
        warnings.warn(_NO_CJK_WARNING, UserWarning, stacklevel=3)
    return found


def _register_first(path: Path) -> str:
    """Add a font file to matplotlib, ahead of any system font of the same family name, so the same file draws the
    same glyphs on every machine; returns its family name / 把字体文件加入 matplotlib 并排在同名系统字体之前，返回字体族名称。"""
    manager = font_manager.fontManager
    manager.addfont(path)
    # Between equal matches matplotlib takes the first in its list / 同样匹配时 matplotlib 取列表中靠前者
    manager.ttflist.sort(key=lambda entry: entry.fname != str(path))
    manager._findfont_cached.cache_clear()
    # the family, not the "… Regular" full name also listed / 取字体族名，而不是同时列出的 “… Regular” 全名
    return min((entry.name for entry in manager.ttflist if entry.fname == str(path)), key=len)


def _first_known_family() -> str | None:
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def use_cjk_fallback() -> bool:
    """Make matplotlib fall back from its Latin font to the installed CJK font for every text.

    Safe to call repeatedly. Returns whether Chinese can be rendered. Introduced in lesson 01.
    让 matplotlib 对所有文字在拉丁字体缺字时使用已安装的 CJK 字体；可重复调用；返回能否显示中文。
    """
    cjk = find_cjk_font()
    if cjk is None:
        return False
    # Fallback works between named families only, not inside "sans-serif" / 后备字体只在具名字体族之间生效
    plt.rcParams["font.family"] = [_LATIN_FONT, cjk]
    return True


def label(english: str, chinese: str) -> str:
    """``"English / 中文"`` when Chinese can be rendered, else the English alone. Introduced in lesson 01."""
    return f"{english} / {chinese}" if find_cjk_font() else english


def use_fallback_fonts_on(ax: Axes) -> None:
    """Give an Axes' title and axis labels the fallback fonts: an Axes made before ``use_cjk_fallback()``
    fixed their font when it was created. Introduced in lesson 01.
    让 Axes 的标题与坐标轴标签使用后备字体：在启用 CJK 后备字体之前创建的 Axes 在创建时就确定了它们的字体。
    """
    for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
        text.set_family(list(plt.rcParams["font.family"]))


def plot_fit(x, y, y_pred, *, title: tuple[str, str] | None = None, ax: Axes | None = None) -> Axes:
    """The fitted curve ``y_pred`` against the target ``y`` (dashed). Introduced in lesson 01.

    ``title`` is an ``(english, chinese)`` pair. Arrays or tensors (on any device) are accepted.
    绘制拟合曲线 y_pred 与目标 y（虚线）。title 为（英文，中文）二元组。
    """
    x, y, y_pred = (_as_numpy(v, name) for v, name in ((x, "x"), (y, "y"), (y_pred, "y_pred")))
    for v, name in ((y, "y"), (y_pred, "y_pred")):
        if v.shape != x.shape:
            raise ValueError(
                f"{name} has shape {v.shape} but x has shape {x.shape} / {name} 的形状为 {v.shape}，但 x 的形状为 {x.shape}"
            )
    use_cjk_fallback()
    ax = ax if ax is not None else plt.figure(figsize=(6, 4)).add_subplot()
    ax.plot(x, y, "--", color="tab:gray", label=label("target y = sin x", "目标 y = sin x"))
    ax.plot(x, y_pred, color="tab:blue", label=label("prediction y_pred", "预测 y_pred"))
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    if title is not None:
        ax.set_title(label(*title))
    ax.legend()
    use_fallback_fonts_on(ax)
    return ax


def plot_losses(losses, *, title: tuple[str, str] | None = None, ax: Axes | None = None) -> Axes:
    """The loss per step on a log scale. Introduced in lesson 01.

    以对数坐标绘制每一步的损失。
    """
    losses = _as_numpy(losses, "losses")
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError(
            f"losses must be a non-empty 1-D sequence, got shape {losses.shape} / "
            f"losses 必须是非空的一维序列，实际形状为 {losses.shape}"
        )
    use_cjk_fallback()
    ax = ax if ax is not None else plt.figure(figsize=(6, 4)).add_subplot()
    ax.semilogy(np.arange(losses.size), losses)
    ax.set_xlabel(label("step", "步数"))
    ax.set_ylabel(label("loss (log scale)", "损失（对数坐标）"))
    if title is not None:
        ax.set_title(label(*title))
    use_fallback_fonts_on(ax)
    return ax


def _as_numpy(values, name: str) -> np.ndarray:
    if hasattr(values, "detach"):  # a torch tensor, possibly on a GPU / torch 张量，可能在 GPU 上
        values = values.detach().cpu().numpy()
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 0:
        raise ValueError(f"{name} must be a sequence, got a scalar / {name} 必须是序列，实际为标量")
    return array
