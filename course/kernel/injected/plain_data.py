"""Plain data as bytes: the only thing that crosses from a grading kernel to the grader / 以字节表示的纯数据：评阅内核与评阅程序之间唯一的通道。

``encode`` turns None, bools, ints (within 64 bits), floats, strings, lists (tuples become lists),
dicts with string keys and numpy arrays of booleans or numbers into the bytes of a zip file: one
``tree.json`` and one ``<n>.npy`` file per array, stored (not compressed). ``decode`` reads such
bytes back and raises ``PlainDataError`` for anything else. It trusts nothing it reads: every member
must be stored, unencrypted and named as ``encode`` names it; an array's header (dtype, shape) is
checked against the member's size *before* anything is allocated; integers longer than 64 bits,
trees nested deeper than ``MAX_DEPTH`` and pickles are refused. No object of the process that
encoded the data survives the trip.

Trusted judging uses this both ways: the grader sends each exercise's inputs to the kernels, the
kernels send back what the answers did with them. The grading kernel cannot import this package,
so this module is sent to it as source (``course.grading.judging``) and must stay self-contained: the
standard library and numpy only.
编码：None、布尔、64 位以内的整数、浮点数、字符串、列表、字符串键的字典与数值型 numpy 数组 → zip 文件的字节。
解码时不信任任何内容：成员必须未压缩、未加密、按编码时的规则命名；数组的头部（dtype、形状）在分配内存之前就与成员大小核对；
超过 64 位的整数、过深的嵌套与 pickle 一律拒绝。评阅内核无法导入本包，所以本模块以源代码的形式发送给内核。
"""

import io
import json
import math
import zipfile

import numpy as np

MAX_BYTES = 16 * 2**20
MAX_ARRAYS = 4096
MAX_DEPTH = 32
# bool, signed and unsigned integers, floats / 布尔、有符号与无符号整数、浮点数
ARRAY_KINDS = "biuf"
TREE = "tree.json"
# An integer literal longer than this is refused before Python converts it / 更长的整数字面量在转换之前就被拒绝
MAX_INT_DIGITS = 20
INT_RANGE = (-(2**63), 2**64 - 1)
MAX_HEADER = 4096
# Values in one tree (numbers, strings, lists, dicts) / 一棵树中的值的个数
MAX_NODES = 1_000_000


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
        if isinstance(item, int):
            if not INT_RANGE[0] <= item <= INT_RANGE[1]:
                raise PlainDataError("an integer beyond 64 bits is not plain data / 超过 64 位的整数不是纯数据")
            return int(item)
        if isinstance(item, float):
            return float(item)
        if isinstance(item, np.ndarray):
            if item.dtype.kind not in ARRAY_KINDS or item.dtype.fields is not None or item.dtype.subdtype is not None:
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
    if len(arrays) > MAX_ARRAYS:
        raise PlainDataError(f"more than {MAX_ARRAYS} arrays / 数组超过 {MAX_ARRAYS} 个")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(_entry(TREE), json.dumps(tree))
        for index, array in enumerate(arrays):
            with archive.open(_entry(f"{index}.npy"), "w", force_zip64=True) as handle:
                np.lib.format.write_array(handle, array, allow_pickle=False)
    return buffer.getvalue()


def _entry(name: str) -> zipfile.ZipInfo:
    """An archive entry stamped with a fixed time, so the same data always gives the same bytes (an entry named by
    a string gets the current time: two encodings a second apart would differ) / 固定时间的条目：同样的数据总是同样的字节"""
    return zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))


def decode(data: bytes, max_bytes: int = MAX_BYTES):
    """The plain data in ``data``, read under the limits; ``PlainDataError`` says why not, and nothing else is raised.

    在限制之内解码纯数据；不符合时抛出 PlainDataError 并说明原因，不会抛出其他异常。
    """
    if not isinstance(data, bytes):
        raise PlainDataError("not bytes / 不是字节")
    if len(data) > max_bytes:
        raise PlainDataError(f"over {max_bytes} bytes / 超过 {max_bytes} 字节")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            count = _check_members(infos, max_bytes)
            tree = json.loads(archive.read(TREE).decode("utf-8"), parse_int=_bounded_int, parse_constant=float)
            arrays = {}
            for info in infos:
                if info.filename != TREE:
                    with archive.open(info) as handle:
                        arrays[info.filename] = _read_array(handle, info.file_size)
            if len(arrays) != count:
                raise PlainDataError("a missing array / 缺少数组")
            return _rebuild(tree, arrays, 0, [MAX_NODES])
    except PlainDataError:
        raise
    except RecursionError:
        raise PlainDataError(f"nested deeper than {MAX_DEPTH} / 嵌套超过 {MAX_DEPTH} 层") from None
    except Exception as error:  # whatever else the bytes provoke is the same refusal / 字节引起的其他任何异常同样是拒绝
        raise PlainDataError(f"unreadable ({type(error).__name__}) / 无法读取（{type(error).__name__}）") from None


def _check_members(infos: list, max_bytes: int) -> int:
    """How many arrays the members declare, after checking each is named, sized and stored as ``encode`` writes it."""
    names = [info.filename for info in infos]
    arrays = len(infos) - 1
    if arrays < 0 or arrays > MAX_ARRAYS or sorted(names) != sorted([TREE, *(f"{i}.npy" for i in range(arrays))]):
        raise PlainDataError("unexpected members / 成员不符合要求")
    total = 0
    for info in infos:
        # Stored and unencrypted, its declared sizes consistent / 未压缩、未加密，声明的大小一致
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1 or info.file_size != info.compress_size:
            raise PlainDataError("a compressed, encrypted or inconsistent member / 成员被压缩、加密或大小不一致")
        total += info.file_size
    if total > max_bytes:
        raise PlainDataError(f"over {max_bytes} bytes unpacked / 解压后超过 {max_bytes} 字节")
    return arrays


def _bounded_int(text: str) -> int:
    if len(text) > MAX_INT_DIGITS:
        raise PlainDataError("an integer beyond 64 bits / 超过 64 位的整数")
    value = int(text)
    if not INT_RANGE[0] <= value <= INT_RANGE[1]:
        raise PlainDataError("an integer beyond 64 bits / 超过 64 位的整数")
    return value


def _read_array(handle, size: int) -> np.ndarray:
    """One ``.npy`` member: its header read and checked against ``size`` before the data is read or allocated."""
    version = np.lib.format.read_magic(handle)
    if version not in ((1, 0), (2, 0)):
        raise PlainDataError("an unknown .npy version / 未知的 .npy 版本")
    reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran_order, dtype = reader(handle, max_header_size=MAX_HEADER)
    if dtype.kind not in ARRAY_KINDS or dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        raise PlainDataError(f"an array of dtype {dtype} is not plain data / dtype 为 {dtype} 的数组不是纯数据")
    if not all(type(n) is int and 0 <= n <= size for n in shape) or len(shape) > MAX_DEPTH:
        raise PlainDataError("an impossible shape / 不可能的形状")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes != size - handle.tell():  # the data starts where the header ended / 数据紧接在头部之后
        raise PlainDataError("an array whose header does not match its size / 数组头部与其大小不符")
    raw = handle.read(nbytes + 1)
    if len(raw) != nbytes:
        raise PlainDataError("a truncated array / 数组被截断")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")
    return array.copy()


def _rebuild(node, arrays: dict, depth: int, budget: list[int]):
    if depth > MAX_DEPTH + 1:
        raise PlainDataError(f"nested deeper than {MAX_DEPTH} / 嵌套超过 {MAX_DEPTH} 层")
    budget[0] -= 1
    if budget[0] < 0:
        raise PlainDataError(f"more than {MAX_NODES} values / 值超过 {MAX_NODES} 个")
    if node is None or isinstance(node, bool | int | float | str):
        return node
    if isinstance(node, list):
        return [_rebuild(x, arrays, depth + 1, budget) for x in node]
    if isinstance(node, dict) and set(node) == {"a"} and type(node["a"]) is int:
        array = arrays.get(f"{node['a']}.npy")
        if array is None:
            raise PlainDataError("a missing array / 缺少数组")
        return array
    if isinstance(node, dict) and set(node) == {"d"} and isinstance(node["d"], list):
        pairs = node["d"]
        if not all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) for p in pairs):
            raise PlainDataError("a malformed dict / 字典格式错误")
        return {key: _rebuild(value, arrays, depth + 1, budget) for key, value in pairs}
    raise PlainDataError("a malformed node / 节点格式错误")
