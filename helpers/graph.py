"""The backward graph autograd builds, as text and as a picture / autograd 构建的反向计算图：文字与图示。

Introduced in lesson 03. ``describe_graph(loss, names)`` lists the ``grad_fn`` nodes of a tensor depth
first, the leaves by variable name, and the tensors each node saved for the backward pass, marking a saved
tensor STALE when an in-place operation changed it after it was saved (``backward()`` would then raise
"modified by an inplace operation"). ``plot_graph`` draws the same graph with matplotlib. Both read one
model, ``build_graph``, and change nothing in the graph. Importing this module does no work.
在第 03 课引入。describe_graph 按深度优先列出张量的 grad_fn 节点、（按变量名标注的）叶子张量，以及每个节点为反向传播
保存的张量；保存后又被原地操作修改的张量标为“已过期”（此时 backward() 会报 "modified by an inplace operation"）。
plot_graph 用 matplotlib 画出同一张图。两者都读取同一个模型 build_graph，且不会改动计算图。导入本模块不做任何事。
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from matplotlib.axes import Axes

from helpers._graph_layout import (
    COLORS,
    GRADIENT_COLOR,
    NODE_FONT,
    SAVED_FONT,
    connect,
    draw_box,
    lay_out,
)

__all__ = ["SavedState", "build_graph", "describe_graph", "plot_graph", "saved_tensors_of"]

# Fragments of the errors torch 2.13 raises when a saved tensor is unpacked / 解包已保存张量时 torch 2.13 报错的片段
_STALE_MESSAGE = "modified by an inplace operation"
_FREED_MESSAGES = ("after they have already been freed", "backward through the graph a second time")
_VERSIONS = re.compile(r"is at version (\d+); expected version (\d+) instead")
_SEE_ABOVE = "(see above / 见上文)"


class SavedState(enum.Enum):
    """What unpacking a saved tensor gives / 解包已保存张量的结果。"""

    OK = "ok"  # unpacks: backward() can use it / 可以解包，backward() 能使用它
    STALE = "stale"  # changed in place after it was saved / 保存后被原地修改
    FREED = "freed"  # released by an earlier backward() / 已被之前的 backward() 释放


@dataclass(frozen=True)
class SavedInfo:
    """One tensor a node saved for its backward pass / 节点为反向传播保存的一个张量。

    ``attr`` is how to reach it from the node (``node._saved_self``, ``node.saved_tensors[0]``); shape and
    dtype are None when it was freed; ``names`` are the caller's names for it; the versions are known when
    it is STALE (``saved_version`` is the one backward() expects).
    attr 是从节点访问它的方式；已释放时形状与 dtype 为 None；names 是调用者给它起的名字；已过期时记录版本号。
    """

    attr: str
    state: SavedState
    shape: tuple[int, ...] | None = None
    dtype: torch.dtype | None = None
    names: tuple[str, ...] = ()
    saved_version: int | None = None
    current_version: int | None = None


@dataclass(frozen=True)
class LeafInfo:
    """The tensor behind an ``AccumulateGrad`` node, or a tensor with no ``grad_fn`` / 叶子张量的信息。"""

    shape: tuple[int, ...]
    dtype: torch.dtype
    requires_grad: bool


@dataclass(frozen=True)
class GraphNode:
    """One node: ``kind`` as torch names it (``"MulBackward0"``, ``"AccumulateGrad"``) / 计算图中的一个节点。

    ``kind`` is None for a tensor that has no ``grad_fn`` at all. ``children`` are indices into
    ``Graph.nodes``, in the order of ``next_functions`` (a node used twice appears twice).
    没有 grad_fn 的张量 kind 为 None；children 是 Graph.nodes 中的下标，顺序同 next_functions。
    """

    index: int
    kind: str | None
    names: tuple[str, ...]
    children: tuple[int, ...]
    saved: tuple[SavedInfo, ...]
    leaf: LeafInfo | None


@dataclass(frozen=True)
class Graph:
    """Nodes in depth-first order from the root (``nodes[0]``) / 从根节点（nodes[0]）出发按深度优先排列的节点。"""

    nodes: tuple[GraphNode, ...]

    def shared(self) -> tuple[int, ...]:
        """Indices of nodes reached by more than one edge / 被多条边指向的节点下标。"""
        counts = [0] * len(self.nodes)
        for node in self.nodes:
            for child in node.children:
                counts[child] += 1
        return tuple(i for i, count in enumerate(counts) if count > 1)

    def depths(self) -> tuple[int, ...]:
        """Longest distance from the root, so every edge points one or more layers down / 到根的最长距离。"""
        depth = [0] * len(self.nodes)
        for i in _topological_order(self):
            for child in self.nodes[i].children:
                depth[child] = max(depth[child], depth[i] + 1)
        return tuple(depth)


# ----------------------------------------------------------------------------------------------------
# The model / 模型


def build_graph(tensor: torch.Tensor | torch.autograd.graph.Node, names: Mapping | None = None) -> Graph:
    """The backward graph of ``tensor`` (or of a ``grad_fn`` node) as a ``Graph``. Introduced in lesson 03.

    ``names`` maps names to tensors (``{"a": a, "w": w}``; non-tensor values and names starting with ``_``
    are ignored, so a filtered ``locals()`` works). Reading the graph changes nothing in it.
    返回 tensor（或 grad_fn 节点）的反向计算图。names 把名字映射到张量；非张量的值和以 _ 开头的名字会被忽略。
    读取计算图不会改动它。
    """
    named = _named_tensors(names)
    if isinstance(tensor, torch.Tensor):
        root = tensor.grad_fn
        if root is None:  # a leaf, or a tensor outside autograd / 叶子张量，或不在自动求导中的张量
            names_of = tuple(n for n, t in named if t is tensor)
            leaf = LeafInfo(tuple(tensor.shape), tensor.dtype, tensor.requires_grad)
            return Graph((GraphNode(0, None, names_of, (), (), leaf),))
    elif isinstance(tensor, torch.autograd.graph.Node):
        root = tensor
    else:
        raise TypeError(
            f"expected a torch.Tensor or a grad_fn node, got {type(tensor).__name__} / "
            f"需要 torch.Tensor 或 grad_fn 节点，实际为 {type(tensor).__name__}"
        )

    # Depth first, iteratively: a long chain must not hit Python's recursion limit
    # 迭代式深度优先：长链不会触及 Python 的递归上限
    order: list = []  # torch nodes by first visit; also keeps them alive / 按首次访问排列，并保持其存活
    index_of: dict[int, int] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in index_of:
            continue
        index_of[id(node)] = len(order)
        order.append(node)
        stack.extend(reversed(_next_nodes(node)))
    nodes = tuple(
        GraphNode(
            index=i,
            kind=_kind(node),
            names=_names_of_node(node, named),
            children=tuple(index_of[id(child)] for child in _next_nodes(node)),
            saved=saved_tensors_of(node, names),
            leaf=_leaf_info(node),
        )
        for i, node in enumerate(order)
    )
    return Graph(nodes)


def saved_tensors_of(node: torch.autograd.graph.Node, names: Mapping | None = None) -> tuple[SavedInfo, ...]:
    """The tensors ``node`` saved for its backward pass, each OK, STALE or FREED. Introduced in lesson 03.

    Built-in nodes: their ``_saved_*`` attributes that hold tensors; a custom ``autograd.Function``: its
    ``saved_tensors``. Non-tensor saved values (an exponent, a size) are left out.
    节点为反向传播保存的张量，每个的状态为 OK、STALE 或 FREED。内置节点读取存放张量的 _saved_* 属性；
    自定义 autograd.Function 读取 saved_tensors。不含非张量的保存值（如指数、尺寸）。
    """
    named = _named_tensors(names)
    if isinstance(node, torch.autograd.function.BackwardCFunction):
        return _custom_function_saved(node, named)
    found: list[SavedInfo] = []
    for attr in sorted(dir(node), key=_saved_order):
        # Only attributes backed by a SavedVariable have a `_raw_` twin; ints and sizes do not
        # 只有由 SavedVariable 支撑的属性才有 `_raw_` 对应属性；整数和尺寸没有
        if not attr.startswith("_saved_") or not hasattr(node, "_raw" + attr):
            continue
        raw = getattr(node, "_raw" + attr)
        try:
            value = getattr(node, attr)
        except RuntimeError as error:
            if isinstance(raw, list | tuple):  # one error for the whole list / 整个列表只有一个错误
                found.extend(_failed(f"{attr}[{i}]", error, r, named) for i, r in enumerate(raw))
            else:
                found.append(_failed(attr, error, raw, named))
            continue
        if isinstance(value, torch.Tensor):
            found.append(_ok(attr, value, named))
        elif isinstance(value, list | tuple):
            found.extend(
                _ok(f"{attr}[{i}]", item, named) for i, item in enumerate(value) if isinstance(item, torch.Tensor)
            )
        # None: nothing was saved there (that input needs no gradient) / None：未保存（该输入无需梯度）
    return tuple(found)


def _saved_order(attr: str) -> tuple[int, str]:
    # Operands in their order (self, other), the result last; the rest alphabetically
    # 操作数按顺序（self、other），结果放最后，其余按字母顺序
    rank = {"_saved_self": 0, "_saved_other": 1, "_saved_result": 3}
    return rank.get(attr, 2), attr


def _custom_function_saved(node, named) -> tuple[SavedInfo, ...]:
    try:
        values = node.saved_tensors
    except RuntimeError as error:
        if _STALE_MESSAGE not in str(error):
            return tuple(_failed(f"saved_tensors[{i}]", error, None, named) for i in range(_count_saved(node)))
        return _custom_function_stale(node, error, named)
    return tuple(
        _ok(f"saved_tensors[{i}]", value, named) for i, value in enumerate(values) if isinstance(value, torch.Tensor)
    )


def _custom_function_stale(node, error: RuntimeError, named) -> tuple[SavedInfo, ...]:
    # `saved_tensors` fails as a whole; find which ones are stale. A saved input unpacks on its own and
    # says so itself; a saved output cannot be unpacked without its node, so it counts as stale when its
    # version differs from the one the error says was expected.
    # saved_tensors 整体失败，需找出具体哪个已过期：保存的输入可单独解包；保存的输出不能单独解包，
    # 其版本与报错中“期望的版本”不同即视为已过期。
    expected = _versions(error)[0]
    found = []
    for i, raw in enumerate(node._raw_saved_tensors):
        attr = f"saved_tensors[{i}]"
        data = _raw_data(raw)
        if data is None:
            continue  # None was saved / 保存的是 None
        try:
            found.append(_ok(attr, raw.unpack(), named))
            continue
        except RuntimeError as item_error:
            if _STALE_MESSAGE in str(item_error):
                found.append(_failed(attr, item_error, raw, named))
                continue
        if expected is not None and data._version != expected:
            found.append(_failed(attr, error, raw, named))
        else:
            found.append(_ok(attr, data, named))
    return tuple(found)


def _ok(attr: str, value: torch.Tensor, named) -> SavedInfo:
    return SavedInfo(attr, SavedState.OK, tuple(value.shape), value.dtype, _names_of_tensor(value, named))


def _failed(attr: str, error: RuntimeError, raw, named) -> SavedInfo:
    message = str(error)
    if any(fragment in message for fragment in _FREED_MESSAGES):
        return SavedInfo(attr, SavedState.FREED)
    if _STALE_MESSAGE not in message:
        raise error
    # The raw data skips the version check, so we can still say what it is and who it is
    # 原始数据不做版本检查，因此仍能得知它的形状和名字
    data = _raw_data(raw)
    now, expected = _versions(error)[::-1]
    if data is None:
        return SavedInfo(attr, SavedState.STALE, saved_version=expected, current_version=now)
    return SavedInfo(
        attr,
        SavedState.STALE,
        tuple(data.shape),
        data.dtype,
        _names_of_tensor(data, named),
        saved_version=expected,
        current_version=data._version if now is None else now,
    )


def _versions(error: RuntimeError) -> tuple[int | None, int | None]:
    """(expected, now) from a version-counter error / 从版本计数器错误中读出（期望版本，当前版本）。"""
    match = _VERSIONS.search(str(error))
    return (int(match[2]), int(match[1])) if match else (None, None)


def _raw_data(raw) -> torch.Tensor | None:
    try:
        data = raw.data if raw is not None else None
    except RuntimeError:  # freed / 已释放
        return None
    return data if isinstance(data, torch.Tensor) else None


def _count_saved(node) -> int:
    try:
        return len(node._raw_saved_tensors)
    except RuntimeError:
        return 0


def _next_nodes(node) -> list:
    # None marks an input that needs no gradient: not part of the graph / None 表示无需梯度的输入，不属于计算图
    return [child for child, _ in node.next_functions if child is not None]


def _kind(node) -> str:
    # name() gives C++ nodes their namespace ("torch::autograd::AccumulateGrad"); the class name has none
    # name() 对 C++ 节点带命名空间前缀，去掉它
    name = node.name() if hasattr(node, "name") else type(node).__name__
    return name.removeprefix("torch::autograd::")


def _leaf_info(node) -> LeafInfo | None:
    variable = getattr(node, "variable", None)
    if not isinstance(variable, torch.Tensor):
        return None
    return LeafInfo(tuple(variable.shape), variable.dtype, variable.requires_grad)


def _named_tensors(names: Mapping | None) -> tuple[tuple[str, torch.Tensor], ...]:
    if names is None:
        return ()
    # `_`, `_3`, `__` in a notebook's locals() are IPython's output history / 笔记本 locals() 中的 _、_3 是输出历史
    return tuple(
        (str(n), t) for n, t in names.items() if isinstance(t, torch.Tensor) and not str(n).startswith("_")
    )


def _names_of_node(node, named) -> tuple[str, ...]:
    variable = getattr(node, "variable", None)
    if isinstance(variable, torch.Tensor):
        return tuple(n for n, t in named if t is variable)
    return tuple(n for n, t in named if t.grad_fn is node)


def _names_of_tensor(value: torch.Tensor, named) -> tuple[str, ...]:
    same = tuple(n for n, t in named if t is value)
    if same:
        return same
    # A saved output comes back as a new tensor object over the same memory / 保存的输出解包后是共享内存的新对象
    key = _storage_key(value)
    return tuple(n for n, t in named if key is not None and _storage_key(t) == key)


def _storage_key(t: torch.Tensor):
    # Two empty tensors both have data_ptr 0: never call them the same / 两个空张量的 data_ptr 都是 0，不能视为相同
    if t.numel() == 0 or t.layout != torch.strided or t.device.type == "meta":
        return None
    try:
        pointer = t.untyped_storage().data_ptr()
    except (RuntimeError, NotImplementedError):
        return None
    return (t.device, pointer, t.dtype, tuple(t.shape), t.stride(), t.storage_offset())


def _topological_order(graph: Graph) -> list[int]:
    """Every node after all nodes that point to it / 每个节点都排在指向它的节点之后。"""
    visited = [False] * len(graph.nodes)
    post: list[int] = []
    for start in range(len(graph.nodes)):
        if visited[start]:
            continue
        visited[start] = True
        stack = [(start, iter(graph.nodes[start].children))]
        while stack:
            i, children = stack[-1]
            child = next(children, None)
            if child is None:
                post.append(i)
                stack.pop()
            elif not visited[child]:
                visited[child] = True
                stack.append((child, iter(graph.nodes[child].children)))
    return post[::-1]


# ----------------------------------------------------------------------------------------------------
# Text / 文字


def describe_graph(tensor: torch.Tensor | torch.autograd.graph.Node, names: Mapping | None = None) -> str:
    """The backward graph of ``tensor`` as a deterministic text tree. Introduced in lesson 03.

    One line per node, depth first from the output's ``grad_fn`` in the order of ``next_functions``; a node
    reached twice is written once and then referred to by its number (``#1 (see above)``). Leaves show their
    name (from ``names``, e.g. ``{"a": a}``), shape, dtype and ``requires_grad``; under each node, the
    tensors it saved (``saved _saved_self: [5] float32 = x``), STALE when modified in place since.
    以确定的文字树描述 tensor 的反向计算图：从输出的 grad_fn 出发按 next_functions 顺序深度优先，每个节点一行；
    被到达两次的节点只写一次，之后用编号引用。叶子张量显示名字、形状、dtype 与 requires_grad；每个节点下列出它保存的张量，
    保存后被原地修改的标为“已过期”。
    """
    graph = build_graph(tensor, names)
    root = graph.nodes[0]
    if root.kind is None:
        return _lone_tensor_line(root)
    numbers = {index: k for k, index in enumerate(graph.shared(), start=1)}
    lines: list[str] = []
    written: set[int] = set()
    # (connector, node, prefix of the lines under it); a stack, not recursion, for long chains
    # （连接符，节点，其下方各行的前缀）；用栈而非递归，以便处理长链
    stack = [("", 0, "")]
    while stack:
        connector, index, prefix = stack.pop()
        node = graph.nodes[index]
        if index in written:
            lines.append(f"{connector}{_node_title(node, numbers)} {_SEE_ABOVE}")
            continue
        written.add(index)
        lines.append(connector + _node_line(node, numbers))
        bar = "│  " if node.children else "   "
        lines.extend(f"{prefix}{bar}{_saved_line(saved)}".rstrip() for saved in node.saved)
        last = len(node.children) - 1
        # Pushed in reverse so the first child's subtree is written first / 逆序压栈，先写第一个子节点的子树
        for k in range(last, -1, -1):
            elbow, down = ("└─ ", "   ") if k == last else ("├─ ", "│  ")
            stack.append((prefix + elbow, node.children[k], prefix + down))
    return "\n".join(lines)


def _names_text(names: tuple[str, ...]) -> str:
    return ", ".join(names)


def _tensor_text(shape: tuple[int, ...] | None, dtype: torch.dtype | None) -> str:
    # "[2, 3] float32"; a 0-d tensor is "[]" / 0 维张量写作 "[]"
    if shape is None or dtype is None:
        return "[?]"
    return f"[{', '.join(map(str, shape))}] {str(dtype).removeprefix('torch.')}"


def _node_title(node: GraphNode, numbers: dict[int, int]) -> str:
    """``b = ExpBackward0 #1``: the caller's names, torch's name, the number of a shared node."""
    text = node.kind or ""
    if node.index in numbers:
        text += f" #{numbers[node.index]}"
    return f"{_names_text(node.names)} = {text}" if node.names else text


def _node_line(node: GraphNode, numbers: dict[int, int]) -> str:
    text = _node_title(node, numbers)
    if node.leaf is not None:
        text += f": {_tensor_text(node.leaf.shape, node.leaf.dtype)}, requires_grad={node.leaf.requires_grad}"
    return text


def _saved_line(saved: SavedInfo) -> str:
    if saved.state is SavedState.FREED:
        return f"saved {saved.attr}: freed / 已释放"
    text = f"saved {saved.attr}: {_tensor_text(saved.shape, saved.dtype)}"
    if saved.names:
        text += f" = {_names_text(saved.names)}"
    if saved.state is SavedState.STALE:
        text += "  STALE / 已过期: " + _stale_detail(saved)
    return text


def _stale_detail(saved: SavedInfo) -> str:
    if saved.saved_version is None or saved.current_version is None:
        return "modified in place / 已被原地修改"
    return f"modified in place / 已被原地修改 (version {saved.saved_version} → {saved.current_version})"


def _lone_tensor_line(node: GraphNode) -> str:
    leaf = node.leaf
    name = f"{_names_text(node.names)}: " if node.names else ""
    text = f"{name}{_tensor_text(leaf.shape, leaf.dtype)}, requires_grad={leaf.requires_grad}"
    if leaf.requires_grad:
        return text + " — leaf tensor, no grad_fn / 叶子张量，没有 grad_fn"
    return text + " — not in any graph / 不在任何计算图中"


# ----------------------------------------------------------------------------------------------------
# Picture / 图示

# Artist ids that tell what a text box shows; tests count them / 文本框的 gid，标明其内容，测试据此计数
GID_NODE = "graph-node"
GID_SAVED = "graph-saved"
GID_STALE = "graph-saved-stale"
GID_FREED = "graph-saved-freed"


def plot_graph(
    tensor: torch.Tensor | torch.autograd.graph.Node,
    names: Mapping | None = None,
    ax: Axes | None = None,
    title: tuple[str, str] | None = None,
) -> Axes:
    """Draw the backward graph of ``tensor``; returns the Axes. Introduced in lesson 03.

    The output's node at the top, the leaves at the bottom, arrows the way gradients flow. The tensors a
    node saved hang at its right, in red when STALE (modified in place since it was saved), dashed when
    freed. ``title`` is an ``(english, chinese)`` pair. Without ``ax``, a figure sized to the graph is made.
    画出 tensor 的反向计算图并返回 Axes：输出的节点在上，叶子张量在下，箭头沿梯度传播的方向。节点保存的张量挂在其右侧，
    已过期的（保存后被原地修改）为红色，已释放的为虚线框。title 为（英文，中文）二元组。不传 ax 时按图的大小新建一张图。
    """
    import matplotlib.pyplot as plt  # only when drawing / 只在绘图时导入

    from helpers.plotting import find_cjk_font, label, use_cjk_fallback, use_fallback_fonts_on

    graph = build_graph(tensor, names)
    use_cjk_fallback()
    # A monospace face for code names, the CJK font for any Chinese / 代码名用等宽字体，中文用 CJK 字体
    cjk = find_cjk_font()
    family = ["DejaVu Sans Mono", cjk] if cjk else ["DejaVu Sans Mono"]
    # One language a line keeps the boxes narrow / 每种语言一行，使方框较窄
    stale_text = label("STALE: modified in place", "已过期：已被原地修改").replace(" / ", "\n")
    freed_text = label("freed", "已释放").replace(" / ", "\n")

    # Each node is drawn once, so shared nodes need no number / 每个节点只画一次，共享节点无需编号
    node_texts = [_box_text(node) for node in graph.nodes]
    saved_texts = [[_saved_box_text(saved, stale_text, freed_text) for saved in node.saved] for node in graph.nodes]
    layout = lay_out(graph, node_texts, saved_texts)

    title_room = 0.45 if title is not None else 0.0  # inches above the graph / 图上方留给标题的英寸数
    if ax is None:
        size = (max(layout.width, 2.5), max(layout.height, 1.0) + title_room)
        ax = plt.figure(figsize=size).add_axes((0, 0, 1, 1 - title_room / size[1]))
    # Fit a given Axes: shrink the fonts with the layout rather than let boxes overflow; 1 data unit is
    # `scale` inches on both axes, so nothing is stretched
    # 适应给定的 Axes：字体随布局一同缩小，而不让方框溢出；两个方向上 1 个数据单位都等于 scale 英寸，不会变形
    box = ax.get_position()
    ax_w, ax_h = box.width * ax.figure.get_figwidth(), box.height * ax.figure.get_figheight()
    scale = min(1.0, ax_w / layout.width, ax_h / layout.height)
    centre_x, centre_y = layout.left + layout.width / 2, layout.bottom + layout.height / 2
    ax.set_xlim(centre_x - ax_w / scale / 2, centre_x + ax_w / scale / 2)
    ax.set_ylim(centre_y - ax_h / scale / 2, centre_y + ax_h / scale / 2)
    ax.set_axis_off()
    if title is not None:
        ax.set_title(label(*title))
    use_fallback_fonts_on(ax)  # also on an Axes made before the fallback / 事先创建的 Axes 也适用

    boxes = []
    for node, text, (x, y) in zip(graph.nodes, node_texts, layout.nodes, strict=True):
        face, edge = COLORS["leaf" if node.leaf is not None else "node"]
        boxes.append(draw_box(ax, x, y, text, NODE_FONT * scale, family, face, edge, GID_NODE, "center"))
    for node, texts, places, box in zip(graph.nodes, saved_texts, layout.saved, boxes, strict=True):
        for saved, text, (x, y) in zip(node.saved, texts, places, strict=True):
            kind = {SavedState.OK: "saved", SavedState.STALE: "stale", SavedState.FREED: "freed"}[saved.state]
            gid = {"saved": GID_SAVED, "stale": GID_STALE, "freed": GID_FREED}[kind]
            face, edge = COLORS[kind]
            saved_box = draw_box(ax, x, y, text, SAVED_FONT * scale, family, face, edge, gid, "left")
            if saved.state is SavedState.STALE:
                saved_box.set_color(edge)  # red text too / 文字也为红色
            if saved.state is SavedState.FREED:
                saved_box.get_bbox_patch().set_linestyle("--")
            # A dotted tie: this tensor belongs to that node / 虚线连接：该张量属于这个节点
            connect(ax, box, saved_box, arrowstyle="-", color=edge, linestyle=":")
    # Arrows from a node to its inputs' nodes, as gradients flow; a repeated edge is bent apart
    # 从节点指向其输入的节点，即梯度流动的方向；重复的边弯曲分开
    for node in graph.nodes:
        seen: dict[int, int] = {}
        for child in node.children:
            repeat = seen[child] = seen.get(child, -1) + 1
            bend = 0.0 if node.children.count(child) == 1 else 0.3 * (1 if repeat % 2 else -1) * (1 + repeat // 2)
            connect(ax, boxes[node.index], boxes[child], arrowstyle="-|>", color=GRADIENT_COLOR, bend=bend)
    return ax


def _box_text(node: GraphNode) -> str:
    if node.kind is None:  # a tensor without grad_fn / 没有 grad_fn 的张量
        head = _names_text(node.names) or "tensor"
        return f"{head}\n{_tensor_text(node.leaf.shape, node.leaf.dtype)}\nrequires_grad={node.leaf.requires_grad}"
    text = _node_title(node, {})
    if node.leaf is not None:
        text += "\n" + _tensor_text(node.leaf.shape, node.leaf.dtype)
    return text


def _saved_box_text(saved: SavedInfo, stale_text: str, freed_text: str) -> str:
    if saved.state is SavedState.FREED:
        return f"{saved.attr}\n{freed_text}"
    text = f"{saved.attr}\n{_tensor_text(saved.shape, saved.dtype)}"
    if saved.names:
        text += f" = {_names_text(saved.names)}"
    if saved.state is SavedState.STALE:
        first, *rest = stale_text.split("\n")
        if saved.saved_version is not None and saved.current_version is not None:
            first += f" (v{saved.saved_version} → v{saved.current_version})"
        text += "\n" + "\n".join([first, *rest])
    return text


