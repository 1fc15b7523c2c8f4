"""Plain data as bytes: the only thing that crosses from a grading kernel to the grader / 以字节表示的纯数据：评阅内核与评阅程序之间唯一的通道。

``encode`` turns None, bools, ints, floats, strings, lists (tuples become lists), dicts with string
keys and numpy arrays of booleans or numbers into the bytes of a zip file: one ``tree.json`` and one
``.npy`` file per array. ``decode`` reads such bytes back under limits (size, number of arrays,
nesting), never unpickling, and raises ``PlainDataError`` for anything else. No object of the
process that encoded the data survives the trip.

Trusted judging uses this both ways: the grader sends each exercise's inputs to the kernels, the
kernels send back what the answers did with them. The grading kernel cannot import this package,
so this module is sent to it as source (``course.judging``) and must stay self-contained: the
standard library and numpy only.
编码：None、布尔、整数、浮点数、字符串、列表（元组变为列表）、字符串键的字典与数值型 numpy 数组 → zip 文件的字节；
解码时有大小、数组个数与嵌套深度的限制，从不反序列化对象（pickle），其他内容一律报错。
评阅内核无法导入本包，所以本模块以源代码的形式发送给内核，只能依赖标准库与 numpy。
"""

import io
import json
import zipfile

import numpy as np

MAX_BYTES = 64 * 2**20
MAX_ARRAYS = 4096
MAX_DEPTH = 32
# bool, signed and unsigned integers, floats / 布尔、有符号与无符号整数、浮点数
ARRAY_KINDS = "biuf"


class PlainDataError(ValueError):
    """Bytes that are not plain data within the limits, or a value that cannot be encoded / 不是限制之内的纯数据。"""


def encode(value) -> bytes:
    """``value`` as the bytes of a zip file; ``PlainDataError`` for anything that is not plain data.

    将纯数据编码为 zip 文件的字节；不是纯数据时抛出 PlainDataError。
    """
    arrays = []

    def walk(item, depth):
        if depth > MAX_DEPTH:
            raise PlainDataError(f"nested deeper than {MAX_DEPTH} / 嵌套超过 {MAX_DEPTH} 层")
        if item is None or isinstance(item, bool | str):
            return item
        if isinstance(item, np.generic) and item.dtype.kind in ARRAY_KINDS:
            return walk(item.item(), depth)
        if isinstance(item, int | float):
            return int(item) if isinstance(item, int) else float(item)
        if isinstance(item, np.ndarray):
            if item.dtype.kind not in ARRAY_KINDS:
                raise PlainDataError(f"an array of dtype {item.dtype} is not plain data / dtype 为 {item.dtype} 的数组不是纯数据")
            arrays.append(np.ascontiguousarray(item))
            return {"a": len(arrays) - 1}
        if isinstance(item, list | tuple):
            return [walk(x, depth + 1) for x in item]
        if isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                raise PlainDataError("dict keys must be strings / 字典的键必须是字符串")
            return {"d": [[str(k), walk(v, depth + 1)] for k, v in item.items()]}
        raise PlainDataError(f"{type(item).__name__} is not plain data / {type(item).__name__} 不是纯数据")

    tree = walk(value, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("tree.json", json.dumps(tree))
        for index, array in enumerate(arrays):
            with archive.open(f"{index}.npy", "w", force_zip64=True) as handle:
                np.lib.format.write_array(handle, array, allow_pickle=False)
    return buffer.getvalue()


def decode(data: bytes, max_bytes: int = MAX_BYTES):
    """The plain data in ``data``, read under the limits; ``PlainDataError`` says why not.

    在限制之内解码纯数据；不符合时抛出 PlainDataError 并说明原因。
    """
    if len(data) > max_bytes:
        raise PlainDataError(f"over {max_bytes} bytes / 超过 {max_bytes} 字节")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if len(infos) > MAX_ARRAYS + 1 or sum(info.file_size for info in infos) > max_bytes:
            raise PlainDataError(f"more than {MAX_ARRAYS} arrays or {max_bytes} bytes unpacked / 数组或解压后的大小超出限制")
        names = {info.filename for info in infos}
        tree = json.loads(archive.read("tree.json").decode("utf-8"))
        arrays = {}
        for name in names - {"tree.json"}:
            with archive.open(name) as handle:
                arrays[name] = np.lib.format.read_array(handle, allow_pickle=False)
    except PlainDataError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, RecursionError, UnicodeDecodeError) as error:
        raise PlainDataError(f"unreadable ({type(error).__name__}) / 无法读取（{type(error).__name__}）") from None
    return _rebuild(tree, arrays, 0)


def _rebuild(node, arrays: dict, depth: int):
    if depth > MAX_DEPTH + 1:
        raise PlainDataError(f"nested deeper than {MAX_DEPTH} / 嵌套超过 {MAX_DEPTH} 层")
    if node is None or isinstance(node, bool | int | float | str):
        return node
    if isinstance(node, list):
        return [_rebuild(x, arrays, depth + 1) for x in node]
    if isinstance(node, dict) and set(node) == {"a"} and type(node["a"]) is int:
        array = arrays.get(f"{node['a']}.npy")
        if array is None or array.dtype.kind not in ARRAY_KINDS:
            raise PlainDataError("a missing or non-numeric array / 数组缺失或不是数值型")
        return array
    if isinstance(node, dict) and set(node) == {"d"} and isinstance(node["d"], list):
        pairs = node["d"]
        if not all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) for p in pairs):
            raise PlainDataError("a malformed dict / 字典格式错误")
        return {key: _rebuild(value, arrays, depth + 1) for key, value in pairs}
    raise PlainDataError("a malformed node / 节点格式错误")
