"""Where ``helpers.graph.plot_graph`` puts each box and arrow: a layered layout sized from the texts, and the drawing
of one box or arrow. Private to ``helpers.graph`` (lesson 03). ``plot_graph`` 的布局：按文字大小分层摆放方框与箭头。

Importing this module does no work / 导入本模块不做任何事。
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpers.graph import Graph

# Sizes in inches: the figure we create uses 1 data unit = 1 inch / 尺寸单位为英寸：自建图中 1 个数据单位 = 1 英寸
NODE_FONT = 9.0


SAVED_FONT = 7.5


PAD = 0.3  # box padding, in font sizes / 方框内边距（以字号为单位）


GAP_X = 0.35  # between neighbours in a layer / 同层相邻节点之间


GAP_SAVED = 0.25  # between a node and its saved tensors / 节点与其保存张量之间


GAP_Y = 0.55  # between layers, room for the arrows / 层与层之间，留给箭头


MARGIN = 0.2


COLORS = {
    "node": ("#dbe9f6", "#2c5d8a"),  # (face, edge) / （填充色，边框色）
    "leaf": ("#dff0d8", "#3c763d"),
    "saved": ("#f4f4f4", "#777777"),
    "stale": ("#fbe3e4", "#c0392b"),
    "freed": ("#ffffff", "#aaaaaa"),
}


GRADIENT_COLOR = "#2c5d8a"


@dataclass(frozen=True)
class Layout:
    nodes: tuple[tuple[float, float], ...]  # centre of each node box / 每个节点框的中心
    saved: tuple[tuple[tuple[float, float], ...], ...]  # left-middle of each saved box / 每个保存框的左侧中点
    left: float
    bottom: float
    width: float
    height: float


def text_size(text: str, fontsize: float) -> tuple[float, float]:
    """Width and height in inches of ``text`` in a box, for DejaVu Sans Mono and a CJK font / 文本框的估计尺寸。"""
    em = fontsize / 72
    # Monospace Latin is 0.6 em wide; a CJK character is 1 em / 等宽拉丁字符宽 0.6 em，CJK 字符宽 1 em
    width = max(sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.61 for ch in line) for line in text.split("\n"))
    height = 1.2 * (text.count("\n") + 1)
    return (width + 2 * PAD) * em, (height + 2 * PAD) * em


def lay_out(graph: Graph, node_texts: list[str], saved_texts: list[list[str]]) -> Layout:
    """Layers by depth, top to bottom; in a layer, nodes under their parents / 按深度分层，同层节点尽量位于父节点下方。"""
    depths = graph.depths()
    node_sizes = [text_size(t, NODE_FONT) for t in node_texts]
    saved_sizes = [[text_size(t, SAVED_FONT) for t in texts] for texts in saved_texts]
    # A block is a node and its column of saved boxes / 一个块 = 节点 + 其右侧一列保存框
    blocks = []
    for (w, h), sizes in zip(node_sizes, saved_sizes, strict=True):
        column_w = max((sw for sw, _ in sizes), default=0.0)
        column_h = sum(sh for _, sh in sizes) + 0.08 * max(len(sizes) - 1, 0)
        blocks.append((w + (GAP_SAVED + column_w if sizes else 0.0), max(h, column_h)))
    row = max(h for _, h in blocks) + GAP_Y
    parents: list[list[int]] = [[] for _ in graph.nodes]
    for node in graph.nodes:
        for child in node.children:
            parents[child].append(node.index)

    layers: list[list[int]] = [[] for _ in range(max(depths) + 1)]
    for i, depth in enumerate(depths):
        layers[depth].append(i)
    block_left = [0.0] * len(graph.nodes)
    node_x = [0.0] * len(graph.nodes)  # centre of each node box / 每个节点框的中心
    for layer in layers:
        # Under the barycentre of the parents already placed, ties by depth-first order: deterministic
        # 位于已放置父节点的平均位置之下，相同则按深度优先顺序：结果确定
        wanted = {i: sum(node_x[p] for p in parents[i]) / len(parents[i]) if parents[i] else 0.0 for i in layer}
        layer.sort(key=lambda i: (wanted[i], i))
        x = 0.0
        for i in layer:
            block_left[i] = x
            node_x[i] = x + node_sizes[i][0] / 2
            x += blocks[i][0] + GAP_X
        # Shift the row so its nodes sit, on average, under their parents: a chain stays straight
        # 平移整行，使其节点平均位于父节点下方：单链保持竖直
        shift = sum(wanted.values()) / len(layer) - sum(node_x[i] for i in layer) / len(layer)
        for i in layer:
            block_left[i] += shift
            node_x[i] += shift

    nodes, saved = [], []
    for i, depth in enumerate(depths):
        y = -depth * row
        nodes.append((node_x[i], y))
        # Saved boxes stacked at the right of the node, centred on it / 保存框在节点右侧竖直居中排列
        sizes = saved_sizes[i]
        column_h = sum(sh for _, sh in sizes) + 0.08 * max(len(sizes) - 1, 0)
        top = y + column_h / 2
        places = []
        for _, sh in sizes:
            # The text starts one padding inside its box / 文字位于方框内一个内边距处
            places.append((block_left[i] + node_sizes[i][0] + GAP_SAVED + PAD * SAVED_FONT / 72, top - sh / 2))
            top -= sh + 0.08
        saved.append(tuple(places))
    # The root's row is at y = 0 / 根节点所在行 y = 0
    left = min(block_left) - MARGIN
    right = max(block_left[i] + blocks[i][0] for i in range(len(blocks))) + MARGIN
    half_block = max(h for _, h in blocks) / 2 + MARGIN
    bottom = -(len(layers) - 1) * row - half_block
    return Layout(tuple(nodes), tuple(saved), left, bottom, right - left, half_block - bottom)


def draw_box(ax, x, y, text, fontsize, family, face, edge, gid, ha):
    artist = ax.text(
        x,
        y,
        text,
        ha=ha,
        va="center",
        multialignment="center" if ha == "center" else "left",
        fontsize=fontsize,
        family=family,
        bbox={"boxstyle": f"round,pad={PAD}", "facecolor": face, "edgecolor": edge},
        zorder=3,
    )
    artist.set_gid(gid)
    return artist


def connect(ax, start, end, *, arrowstyle, color, linestyle="-", bend=0.0):
    # patchA/patchB clip the line at the two boxes' edges / patchA/patchB 让线段止于两个方框的边缘
    ax.annotate(
        "",
        xy=end.get_position(),
        xytext=start.get_position(),
        arrowprops={
            "arrowstyle": arrowstyle,
            "color": color,
            "linestyle": linestyle,
            "patchA": start.get_bbox_patch(),
            "patchB": end.get_bbox_patch(),
            "shrinkA": 1,
            "shrinkB": 1,
            "connectionstyle": f"arc3,rad={bend}",
        },
        zorder=4,
    )
