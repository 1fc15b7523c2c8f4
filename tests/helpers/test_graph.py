"""helpers.graph describes and draws backward graphs whose structure we know, stale saved tensors included.
helpers.graph 对结构已知的反向计算图给出文字描述与图示，包括已过期的保存张量。"""

import io
import warnings

import matplotlib
import pytest
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from helpers import graph  # noqa: E402
from helpers.graph import SavedState, build_graph, describe_graph, plot_graph, saved_tensors_of  # noqa: E402

pytestmark = pytest.mark.usefixtures("fresh_matplotlib")


class ExpFunction(torch.autograd.Function):
    """exp with its result saved, as lesson 05 writes it / 保存结果的 exp，与第 05 课写法相同"""

    @staticmethod
    def forward(ctx, x):
        result = x.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result


class ScaleFunction(torch.autograd.Function):
    """x * s that saves its second input / 保存第二个输入的 x * s"""

    @staticmethod
    def forward(ctx, x, s):
        ctx.save_for_backward(s)
        return x * s

    @staticmethod
    def backward(ctx, grad_output):
        (s,) = ctx.saved_tensors
        return grad_output * s, None


def cubic():
    """Lesson 03's loss: y = a + b·x + c·x² + d·x³ against sin x / 第 03 课的损失"""
    x = torch.linspace(-1.0, 1.0, 5)
    a, b, c, d = (torch.tensor(v, requires_grad=True) for v in (0.1, 0.2, 0.3, 0.4))
    y = a + b * x + c * x**2 + d * x**3
    loss = (y - x.sin()).pow(2).sum()
    return loss, {"a": a, "b": b, "c": c, "d": d, "x": x, "y": y, "loss": loss}


CUBIC = """\
loss = SumBackward0
└─ PowBackward0
   │  saved _saved_self: [5] float32
   └─ SubBackward0
      └─ y = AddBackward0
         ├─ AddBackward0
         │  ├─ AddBackward0
         │  │  ├─ a = AccumulateGrad: [] float32, requires_grad=True
         │  │  └─ MulBackward0
         │  │     │  saved _saved_other: [5] float32 = x
         │  │     └─ b = AccumulateGrad: [] float32, requires_grad=True
         │  └─ MulBackward0
         │     │  saved _saved_other: [5] float32
         │     └─ c = AccumulateGrad: [] float32, requires_grad=True
         └─ MulBackward0
            │  saved _saved_other: [5] float32
            └─ d = AccumulateGrad: [] float32, requires_grad=True"""


def test_cubic_graph_is_described_depth_first_with_named_leaves():
    """The cubic's nodes depth first, leaves a–d by name, x recognised where it is saved / 三次多项式的计算图"""
    loss, names = cubic()
    assert describe_graph(loss, names) == CUBIC


def test_the_model_lists_nodes_in_depth_first_order():
    """build_graph: nodes in first-visit order, children as indices, depths by longest path / 节点按首次访问排列"""
    loss, names = cubic()
    model = build_graph(loss, names)
    kinds = [node.kind for node in model.nodes]
    assert kinds == ["SumBackward0", "PowBackward0", "SubBackward0", "AddBackward0", "AddBackward0", "AddBackward0",
                     "AccumulateGrad", "MulBackward0", "AccumulateGrad", "MulBackward0", "AccumulateGrad",
                     "MulBackward0", "AccumulateGrad"]
    assert model.nodes[3].children == (4, 11)  # y = (a + b·x + c·x²) + d·x³
    assert [node.names for node in model.nodes if node.leaf is not None] == [("a",), ("b",), ("c",), ("d",)]
    assert model.depths() == (0, 1, 2, 3, 4, 5, 6, 6, 7, 5, 6, 4, 5)
    assert model.shared() == ()


def test_unnamed_leaves_show_only_what_they_are():
    """Without names: no "a =", but shape, dtype and requires_grad / 不给名字时只显示形状、dtype 与 requires_grad"""
    loss, _ = cubic()
    text = describe_graph(loss)
    assert text == "\n".join(
        line.replace("loss = ", "").replace("y = ", "").replace(" = x", "") for line in CUBIC.splitlines()
    ).replace("─ a = ", "─ ").replace("─ b = ", "─ ").replace("─ c = ", "─ ").replace("─ d = ", "─ ")
    assert text.count("─ AccumulateGrad: [] float32, requires_grad=True") == 4


def test_names_ignore_non_tensors_and_ipython_history():
    """A filtered locals() works: non-tensors and names starting with _ are ignored / 非张量与 _ 开头的名字被忽略"""
    w = torch.ones(2, requires_grad=True)
    out = (w * 3.0).sum()
    text = describe_graph(out, {"w": w, "lr": 0.1, "_": w, "_3": out, "torch": torch, "out": out})
    assert text.splitlines()[0] == "out = SumBackward0"
    assert "└─ w = AccumulateGrad: [2] float32, requires_grad=True" in text
    assert "_ =" not in text and "_3" not in text


def test_exp_result_is_stale_only_after_the_in_place_change():
    """exp saves its result; add_ on it makes that saved tensor STALE / exp 保存其结果；对其 add_ 后该张量过期"""
    a = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
    b = a.exp()
    loss = b.sum()
    before = describe_graph(loss, {"a": a, "b": b, "loss": loss})
    assert before == (
        "loss = SumBackward0\n"
        "└─ b = ExpBackward0\n"
        "   │  saved _saved_result: [3] float32 = b\n"
        "   └─ a = AccumulateGrad: [3] float32, requires_grad=True"
    )
    b.add_(1)
    after = describe_graph(loss, {"a": a, "b": b, "loss": loss})
    # b now belongs to add_'s node, outside loss's graph; the old exp node is nameless
    # b 现在属于 add_ 的节点（不在 loss 的计算图中），原 exp 节点没有名字
    assert after == (
        "loss = SumBackward0\n"
        "└─ ExpBackward0\n"
        "   │  saved _saved_result: [3] float32 = b  STALE / 已过期: modified in place / 已被原地修改 (version 0 → 1)\n"
        "   └─ a = AccumulateGrad: [3] float32, requires_grad=True"
    )
    (saved,) = saved_tensors_of(loss.grad_fn.next_functions[0][0], {"b": b})
    assert (saved.state, saved.saved_version, saved.current_version, saved.names) == (SavedState.STALE, 0, 1, ("b",))


def test_the_versions_come_from_the_error():
    """Two in-place changes: version 0 → 2, as backward() reports / 两次原地修改：版本 0 → 2，与 backward() 报告一致"""
    a = torch.ones(3, requires_grad=True)
    b = a.exp()
    b.mul_(2).add_(1)
    (saved,) = saved_tensors_of(b.grad_fn.next_functions[0][0].next_functions[0][0])
    assert (saved.state, saved.saved_version, saved.current_version) == (SavedState.STALE, 0, 2)
    with pytest.raises(RuntimeError, match="is at version 2; expected version 0 instead"):
        b.sum().backward()


def test_a_saved_input_modified_in_place_is_stale():
    """b = a * 2; c = b.sin(); b.add_(1): sin's saved self is b, STALE; mul's is not / sin 保存的输入已过期"""
    a = torch.ones(3, requires_grad=True)
    b = a * 2
    c = b.sin()
    b.add_(1)
    text = describe_graph(c, {"a": a, "b": b, "c": c})
    assert text == (
        "c = SinBackward0\n"
        "│  saved _saved_self: [3] float32 = b  STALE / 已过期: modified in place / 已被原地修改 (version 0 → 1)\n"
        "└─ MulBackward0\n"
        "   │  saved _saved_other: [] int64\n"  # the 2, kept as a 0-d tensor / 数字 2 以 0 维张量保存
        "   └─ a = AccumulateGrad: [3] float32, requires_grad=True"
    )
    assert text.count("STALE") == 1


def test_describing_changes_nothing_in_the_graph():
    """Describing a graph leaves backward() as it was: working, or failing with the same error / 描述不改变计算图"""
    a = torch.ones(3, requires_grad=True)
    b = a.exp()
    describe_graph(b, {"b": b})
    b.sum().backward(retain_graph=True)
    assert torch.equal(a.grad, a.detach().exp())
    b.add_(1)
    describe_graph(b, {"b": b})
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        b.sum().backward()


def test_a_node_reached_twice_is_written_once():
    """c = b * b reaches exp's node twice: written in full once, then referred to / 被到达两次的节点只完整写一次"""
    a = torch.ones(2, requires_grad=True)
    b = a.exp()
    c = b * b
    text = describe_graph(c.sum(), {"a": a, "b": b, "c": c})
    assert text == (
        "SumBackward0\n"
        "└─ c = MulBackward0\n"
        "   │  saved _saved_self: [2] float32 = b\n"
        "   │  saved _saved_other: [2] float32 = b\n"
        "   ├─ b = ExpBackward0 #1\n"
        "   │  │  saved _saved_result: [2] float32 = b\n"
        "   │  └─ a = AccumulateGrad: [2] float32, requires_grad=True\n"
        "   └─ b = ExpBackward0 #1 (see above / 见上文)"
    )
    assert build_graph(c.sum()).shared() == (2,)


def test_a_custom_function_node_shows_its_saved_tensors():
    """A Function's node is <Class>Backward and lists ctx.saved_tensors / 自定义 Function 的节点列出 saved_tensors"""
    x = torch.tensor([0.0, 1.0], dtype=torch.float64, requires_grad=True)
    y = ExpFunction.apply(x)
    text = describe_graph(y, {"x": x, "y": y})
    assert text == (
        "y = ExpFunctionBackward\n"
        "│  saved saved_tensors[0]: [2] float64 = y\n"
        "└─ x = AccumulateGrad: [2] float64, requires_grad=True"
    )
    y.add_(1)
    assert "saved saved_tensors[0]: [2] float64 = y  STALE / 已过期" in describe_graph(y, {"y": y})


def test_a_custom_function_saved_input_modified_in_place_is_stale():
    """A saved input of a Function changed in place is STALE, with its versions / Function 保存的输入被原地修改后过期"""
    x = torch.ones(2, requires_grad=True)
    s = torch.full((2,), 3.0)
    out = ScaleFunction.apply(x, s)
    assert describe_graph(out, {"s": s}).splitlines()[1] == "│  saved saved_tensors[0]: [2] float32 = s"
    s.zero_()
    (saved,) = saved_tensors_of(out.grad_fn, {"s": s})
    assert (saved.state, saved.names, saved.saved_version, saved.current_version) == (SavedState.STALE, ("s",), 0, 1)


def test_a_leaf_alone_and_a_tensor_outside_autograd():
    """A leaf has no grad_fn; a tensor without requires_grad is in no graph / 叶子张量没有 grad_fn；不需要梯度的张量不在计算图中"""
    w = torch.zeros(2, 3, requires_grad=True)
    assert describe_graph(w, {"w": w}) == (
        "w: [2, 3] float32, requires_grad=True — leaf tensor, no grad_fn / 叶子张量，没有 grad_fn"
    )
    x = torch.arange(4)
    assert describe_graph(x) == "[4] int64, requires_grad=False — not in any graph / 不在任何计算图中"


def test_saved_tensors_are_freed_by_backward():
    """After backward() the saved tensors are freed; before it they were there / backward() 之后保存的张量被释放"""
    a = torch.ones(3, requires_grad=True)
    loss = (a * a).sum()
    assert "saved _saved_self: [3] float32 = a" in describe_graph(loss, {"a": a})
    loss.backward()
    assert describe_graph(loss, {"a": a}) == (
        "SumBackward0\n"
        "└─ MulBackward0\n"
        "   │  saved _saved_self: freed / 已释放\n"
        "   │  saved _saved_other: freed / 已释放\n"
        "   ├─ a = AccumulateGrad #1: [3] float32, requires_grad=True\n"
        "   └─ a = AccumulateGrad #1 (see above / 见上文)"
    )


def test_empty_tensors_are_not_taken_for_one_another():
    """Two unrelated empty tensors share data_ptr 0 but are not the same tensor / 两个无关的空张量不被视为同一个"""
    a = torch.ones(0, requires_grad=True)
    b = a.exp()
    (saved,) = saved_tensors_of(b.grad_fn, {"other": torch.ones(0), "b": b})
    assert saved.names == ()  # a saved output is a new object: only storage could match it / 保存的输出是新对象


def test_identity_wins_over_shared_memory():
    """A saved input is the named tensor itself; a saved output matches every name over its memory
    保存的输入就是那个具名张量本身；保存的输出与共享其内存的所有名字匹配"""
    a = torch.ones(2, requires_grad=True)
    b = a.exp()
    names = {"a": a, "a_detached": a.detach(), "b": b, "b_detached": b.detach()}
    assert [s.names for s in saved_tensors_of((a * a).grad_fn, names)] == [("a",), ("a",)]
    assert [s.names for s in saved_tensors_of(b.grad_fn, names)] == [("b", "b_detached")]


def test_the_text_is_deterministic():
    """The same graph twice gives the same text, with no address in it / 同一计算图两次描述相同，且不含地址"""
    first = describe_graph(cubic()[0])
    assert first == describe_graph(cubic()[0])
    assert "0x" not in first and "object at" not in first


def test_something_else_is_a_type_error():
    """Only tensors and grad_fn nodes have a graph / 只有张量和 grad_fn 节点才有计算图"""
    with pytest.raises(TypeError, match=r"expected a torch.Tensor or a grad_fn node, got list / .*list"):
        describe_graph([1.0, 2.0])


def stale_example():
    a = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
    b = a.exp()
    loss = b.sum()
    b.add_(1)
    return loss, {"a": a, "b": b, "loss": loss}


def texts_with(ax: Axes, gid: str):
    return [t for t in ax.texts if t.get_gid() == gid]


def test_plot_graph_draws_one_box_per_node_and_a_red_stale_box():
    """One box per node, the stale saved tensor red, arrows as gradients flow / 每个节点一个框，过期张量为红色"""
    loss, names = stale_example()
    ax = plot_graph(loss, names, title=("Stale", "已过期"))
    assert isinstance(ax, Axes)
    nodes = texts_with(ax, graph.GID_NODE)
    assert [t.get_text().splitlines()[0] for t in nodes] == ["loss = SumBackward0", "ExpBackward0", "a = AccumulateGrad"]
    (stale,) = texts_with(ax, graph.GID_STALE)
    assert texts_with(ax, graph.GID_SAVED) == []
    assert stale.get_text().startswith("_saved_result\n[3] float32 = b\n")
    assert to_hex(stale.get_bbox_patch().get_edgecolor()) == "#c0392b"
    # The root is above the node it points to, the leaf at the bottom / 根在上，叶子在下
    ys = [t.get_position()[1] for t in nodes]
    assert ys[0] > ys[1] > ys[2]
    # Two gradient arrows and one tie to the saved box / 两个梯度箭头和一条连向保存框的线
    arrows = [t.arrow_patch.get_arrowstyle() for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert [type(style).__name__ for style in arrows].count("CurveFilledB") == 2
    assert len(arrows) == 3


def test_plot_graph_before_the_change_has_no_red_box():
    """Before the in-place change the saved result is an ordinary grey box / 原地修改之前保存的结果是普通灰框"""
    a = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
    b = a.exp()
    ax = plot_graph(b.sum(), {"a": a, "b": b})
    assert texts_with(ax, graph.GID_STALE) == []
    (saved,) = texts_with(ax, graph.GID_SAVED)
    assert saved.get_text() == "_saved_result\n[3] float32 = b"


def test_plot_graph_draws_the_cubic_and_freed_tensors():
    """The cubic: 13 boxes, 4 leaves; after backward() its saved boxes say freed / 三次多项式：13 个框；反向传播后显示已释放"""
    loss, names = cubic()
    fig, (left, right) = plt.subplots(1, 2)
    plot_graph(loss, names, ax=left)
    assert len(texts_with(left, graph.GID_NODE)) == 13
    assert len(texts_with(left, graph.GID_SAVED)) == 4
    loss.backward()
    plot_graph(loss, names, ax=right)
    assert len(texts_with(right, graph.GID_FREED)) == 4 and texts_with(right, graph.GID_SAVED) == []


def test_plot_graph_renders_chinese_without_missing_glyphs(system_cjk_fonts_hidden):
    """With no CJK font of the system, rendering warns about nothing: the pip font has every glyph / 没有系统 CJK 字体时渲染也没有任何警告：pip 字体不缺字"""
    loss, names = stale_example()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing" would raise / 缺字警告会变成异常
        ax = plot_graph(loss, names, title=("After add_", "add_ 之后"))
        ax.figure.savefig(io.BytesIO(), format="png")
    assert ax.get_title() == "After add_ / add_ 之后"
    (stale,) = texts_with(ax, graph.GID_STALE)
    assert "已过期" in stale.get_text()


def test_plot_graph_on_axes_made_beforehand_renders_chinese():
    """Side by side on Axes made before the call, the Chinese titles still render / 在事先创建的 Axes 上中文标题也能显示"""
    loss, names = stale_example()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_graph(loss, names, ax=left, title=("Before", "之前"))
        plot_graph(loss, names, ax=right, title=("After", "之后"))
        fig.savefig(io.BytesIO(), format="png")
    assert [ax.get_title() for ax in (left, right)] == ["Before / 之前", "After / 之后"]


def test_without_a_cjk_font_the_labels_are_english(no_cjk_font):
    """No CJK font: English labels, and the one warning helpers.plotting gives / 没有 CJK 字体：英文标签，只有一条警告"""
    loss, names = stale_example()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax = plot_graph(loss, names, title=("After", "之后"))
        ax.figure.savefig(io.BytesIO(), format="png")
    (stale,) = texts_with(ax, graph.GID_STALE)
    assert stale.get_text() == "_saved_result\n[3] float32 = b\nSTALE: modified in place (v0 → v1)"
    assert ax.get_title() == "After"
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1 and "No CJK font found" in messages[0], messages
