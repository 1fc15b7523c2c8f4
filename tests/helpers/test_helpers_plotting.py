"""helpers.plotting draws bilingual figures and renders Chinese with a real CJK font, or falls back cleanly.
helpers.plotting 绘制双语图表，用真正的 CJK 字体显示中文，或干净地退回英文。"""

import io
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager, ft2font  # noqa: E402

from helpers import plotting  # noqa: E402
from helpers.plotting import find_cjk_font, plot_fit, plot_losses  # noqa: E402

pytestmark = pytest.mark.usefixtures("fresh_matplotlib")


def render(figure):
    figure.savefig(io.BytesIO(), format="png")


def drawn_by(text) -> dict[str, str]:
    """Each character of a figure's Text and the file of the font matplotlib draws it with / 每个字符及绘制它的字体文件"""
    paths = font_manager.fontManager._find_fonts_by_props(text.get_fontproperties())
    layout = font_manager.get_font(paths)._layout(text.get_text(), ft2font.LoadFlags.NO_HINTING)
    return {item.char: item.ft_object.fname for item in layout}


def test_the_cjk_font_is_the_one_pip_installed():
    """Plots use the course's pip font (mplfonts' Noto Sans CJK SC), ahead of a system font of the same name
    图表使用课程通过 pip 安装的字体，优先于同名的系统字体"""
    bundled = plotting.bundled_cjk_font_file()
    assert bundled is not None and "site-packages" in bundled.parts and bundled.name == "NotoSansCJKsc-Regular.otf"
    assert find_cjk_font() == "Noto Sans CJK SC"
    assert font_manager.findfont(font_manager.FontProperties(family=find_cjk_font())) == str(bundled)


def test_without_system_fonts_chinese_is_drawn_from_the_pip_font(system_cjk_fonts_hidden):
    """On a machine with no CJK font of its own, every Chinese character is drawn from the pip font, Latin from DejaVu
    本机没有任何 CJK 字体时，每个汉字都由 pip 安装的字体绘制，拉丁字母由 DejaVu 绘制"""
    x = np.linspace(0, 1, 5)
    ax = plot_losses([3.0, 2.0, 1.0], title=("Fit", "拟合"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing" would raise / 缺字警告会变成异常
        plot_fit(x, x, x, ax=plt.figure().add_subplot())
        render(ax.figure)
    fonts = drawn_by(ax.title)
    assert fonts["拟"] == fonts["合"] == str(plotting.bundled_cjk_font_file()), fonts
    assert Path(fonts["F"]).name == "DejaVuSans.ttf"


def test_plot_fit_draws_target_dashed_and_prediction():
    """Two curves, the target dashed, a bilingual legend and title / 两条曲线，目标为虚线，双语图例与标题"""
    x = np.linspace(-np.pi, np.pi, 50)
    ax = plot_fit(x, np.sin(x), x, title=("Fit", "拟合"))
    target, prediction = ax.get_lines()
    assert target.get_linestyle() == "--" and prediction.get_linestyle() == "-"
    assert np.allclose(prediction.get_ydata(), x)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["target y = sin x / 目标 y = sin x", "prediction y_pred / 预测 y_pred"]
    assert ax.get_title() == "Fit / 拟合"


def test_chinese_renders_with_the_cjk_font_and_no_missing_glyph():
    """Rendering Chinese text uses the CJK font and warns about no glyph / 渲染中文时使用 CJK 字体，没有缺字警告"""
    x = np.linspace(0, 1, 5)
    ax = plot_fit(x, x, x, title=("Learning rate", "学习率"))
    ax.set_xlabel("步数 — learner's own label")  # text the helper did not write / 非本模块写入的文字
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing" would raise / 缺字警告会变成异常
        render(ax.figure)
    used = {font_manager.FontProperties(family=f).get_name() for f in plt.rcParams["font.family"]}
    assert find_cjk_font() in used


def test_plot_losses_is_log_scale_and_accepts_tensors():
    """Loss curves use a log y axis; tensors are accepted / 损失曲线使用对数纵轴；可以传入张量"""
    ax = plot_losses(torch.tensor([100.0, 10.0, 1.0]))
    assert ax.get_yscale() == "log"
    assert np.allclose(ax.get_lines()[0].get_ydata(), [100.0, 10.0, 1.0])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: plot_fit(np.zeros(3), np.zeros(3), np.zeros(4)), "y_pred has shape"),
        (lambda: plot_losses([]), "non-empty 1-D"),
        (lambda: plot_losses(3.0), "must be a sequence"),
    ],
    ids=["shape-mismatch", "empty-losses", "scalar-losses"],
)
def test_bad_input_is_explained(call, message):
    """Bad input is a clear bilingual ValueError / 错误输入给出清楚的双语 ValueError"""
    with pytest.raises(ValueError, match=rf"{message}.* / .*[\u4e00-\u9fff]"):
        call()


def test_without_a_cjk_font_labels_are_english_and_it_warns_once(no_cjk_font):
    """No CJK font (a broken install): English labels, one warning, no missing-glyph warnings / 没有 CJK 字体：英文标签、只警告一次、无缺字警告"""
    x = np.linspace(0, 1, 5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax = plot_fit(x, x, x, title=("Fit", "拟合"))
        plot_losses([3.0, 2.0, 1.0])
        render(ax.figure)
    assert ax.get_title() == "Fit"
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1 and "No CJK font found" in messages[0] and "mplfonts" in messages[0], messages


def test_titles_render_chinese_on_axes_made_before_the_fallback():
    """plot_fit and plot_losses on Axes made beforehand still render the Chinese title / 在事先创建的 Axes 上中文标题也能显示"""
    fig, (left, right) = plt.subplots(1, 2)
    x = np.linspace(0.0, 1.0, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a warning / 缺字是一条警告
        plot_fit(x, x, x, title=("Fit", "拟合"), ax=left)
        plot_losses([3.0, 2.0, 1.0], title=("Losses", "损失"), ax=right)
        render(fig)
    assert [ax.get_title() for ax in (left, right)] == ["Fit / 拟合", "Losses / 损失"]
