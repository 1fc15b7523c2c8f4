"""Submissions of a determined learner who has read the whole grader, for tests/grading/test_course_grade.py.
一个读过全部评阅代码的、有决心的学习者的提交，供 tests/grading/test_course_grade.py 使用。

Each attacks one property of trusted judging (../shared/design/trusted-judging.md): the scores come
from the grader's verdict alone, nothing secret enters the learner's kernel, an observation cannot be
rewritten, kernels share no channel, one submission's bytes fail only itself, what a learner made
runs in nobody's browser, and "do not call X" holds. Every one carries wrong answers (or one
delegating answer), so any point it earns is a point given away.
每个提交攻击可信评判的一个性质；答案都是错误的（或有一个委托给库函数的答案），因此它得到的任何分数都是白送的。
"""

import os
from pathlib import Path

from course.layout import CourseLayout

from .build import L01, L04, WRONG_01, notebook, save, with_answers

# Test cells look passed: tracebacks hidden, every exception swallowed / 让测试看起来通过：隐藏回溯，吞掉所有异常
SILENCE = (
    "get_ipython().showtraceback = lambda *args, **kwargs: None\n"
    "get_ipython().set_custom_exc((BaseException,), lambda shell, etype, value, tb, tb_offset=None: None)\n"
)
# The exercise an observing cell is about, read from its source as it arrives / 从到达的观察单元格源代码中读出它观察的练习
CURRENT = (
    "import re as _re\n"
    "_current = {}\n"
    "def _note_cell(info):\n"
    "    found = _re.search(r\"\\['publish'\\]\\('(\\w+)', globals\\(\\), '([^']*)'\", info.raw_cell or '')\n"
    "    _current.update(grade_id=found.group(1) if found else None, inputs=found.group(2) if found else None,\n"
    "                    source=info.raw_cell)\n"
    "get_ipython().events.register('pre_run_cell', _note_cell)\n"
)

# 1. The outputs shaped for nbgrader's reading of them: the first output of every cell an execute_result
# 1. 按 nbgrader 读取输出的方式伪造输出：每个单元格的第一个输出都是 execute_result
FORGE_GRADEBOOK = (
    "def _forge(*args):\n"
    "    hook = get_ipython().displayhook\n"
    "    hook.start_displayhook()\n"
    "    hook.write_output_prompt()\n"
    "    hook.write_format_data({'text/plain': 'full marks'}, {})\n"
    "    hook.finish_displayhook()\n"
    "get_ipython().events.register('pre_run_cell', _forge)\n"
) + SILENCE

# 2. predict's observation rewritten from the next observing cell, once predict's own had ended, through its display id
# and through the file an earlier grader read at the end / 在下一个观察单元格中改写 predict 已结束的观察结果：通过 display id，以及早先评阅程序最后才读取的文件
REWRITE_OBSERVATION = SILENCE + CURRENT + (
    "import base64, os\n"
    "import IPython.display as _display_module\n"
    "_display, _shown = _display_module.display, {}\n"
    "def _with_ids(*objects, **options):\n"
    "    for item in objects:\n"
    "        if isinstance(item, dict) and any('observation' in key for key in item):\n"
    "            options['display_id'] = 'rewrite-%d' % len(_shown)\n"
    "            _shown[options['display_id']] = next(key for key in item if 'observation' in key)\n"
    "    return _display(*objects, **options)\n"
    "_display_module.display = _with_ids\n"
    "_inputs = {}\n"
    "def _rewrite(result):\n"
    "    judge = globals().get('__course_judge__')\n"
    "    if _current.get('grade_id') == 'ex01_predict':\n"
    "        _inputs['ex01_predict'] = _current['inputs']\n"
    "    if judge is None or _current.get('grade_id') != 'ex01_loss' or 'ex01_predict' not in _inputs:\n"
    "        return\n"
    "    def right(x, w):\n"
    "        a, b, c, d = w\n"
    "        return a + b * x + c * x**2 + d * x**3\n"
    "    text = judge['observe']('ex01_predict', dict(globals(), predict=right), _inputs['ex01_predict'])\n"
    "    for display_id, mime in _shown.items():\n"
    "        _display_module.update_display({mime: text}, raw=True, display_id=display_id)\n"
    "    os.makedirs('.course-judge', exist_ok=True)\n"
    "    with open(os.path.join('.course-judge', 'ex01_predict.zip'), 'wb') as handle:\n"
    "        handle.write(base64.b64decode(text))\n"
    "get_ipython().events.register('post_run_cell', _rewrite)\n"
)

# 3. Two kernels of one batch: a classmate with right answers publishes its observations on every channel it can
# find; the other replays them. Files, System V shared memory, an abstract Unix socket.
# 3. 同一批次的两个内核：答案正确的同学把观察结果发布到能找到的每个通道，另一个内核重放它们
# Named after this test process: two suites on one machine must not read each other's publisher
# 以本测试进程命名：同一台机器上的两套测试不会读到对方发布者的数据
CHANNEL_FILE, CHANNEL_KEY = f"course-observations-{os.getpid()}", 0x5EED0000 + os.getpid() % 0xFFFF
CHANNEL_COMMON = CURRENT + (
    "import ast, ctypes, os, socket, threading, time\n"
    "import IPython.display as _display_module\n"
    "_display = _display_module.display\n"
    "_libc = ctypes.CDLL(None, use_errno=True)\n"
    "_libc.shmget.restype, _libc.shmget.argtypes = ctypes.c_int, [ctypes.c_int, ctypes.c_size_t, ctypes.c_int]\n"
    "_libc.shmat.restype, _libc.shmat.argtypes = ctypes.c_void_p, [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]\n"
    f"_FOLDERS, _KEY, _NAME, _FILE = ('/tmp', '/dev/shm', '/var/tmp'), {CHANNEL_KEY}, '\\0{CHANNEL_FILE}', '{CHANNEL_FILE}'\n"
)
CHANNEL_PUBLISHER = CHANNEL_COMMON + (
    "_published = {}\n"
    "def _serve(server):\n"
    "    while True:\n"
    "        connection, _ = server.accept()\n"
    "        connection.sendall(repr(_published).encode())\n"
    "        connection.close()\n"
    "try:\n"
    "    _server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
    "    _server.bind(_NAME)\n"
    "    _server.listen(8)\n"
    "    threading.Thread(target=_serve, args=(_server,), daemon=True).start()\n"
    "except OSError:\n"
    "    pass\n"
    "def _sharing(*objects, **options):\n"
    "    for item in objects:\n"
    "        if isinstance(item, dict) and _current.get('grade_id'):\n"
    "            for key, value in item.items():\n"
    "                if 'observation' in key:\n"
    "                    _published[_current['grade_id']] = value\n"
    "    blob = repr(_published).encode()\n"
    "    for folder in _FOLDERS:\n"
    "        try:\n"
    "            with open(os.path.join(folder, _FILE), 'wb') as handle:\n"
    "                handle.write(blob)\n"
    "        except OSError:\n"
    "            pass\n"
    "    segment = _libc.shmget(_KEY, 1 << 20, 0o1666)\n"
    "    address = _libc.shmat(segment, None, 0) if segment >= 0 else None\n"
    "    if address not in (None, 2**64 - 1):\n"
    "        ctypes.memmove(address, blob + b'\\0', len(blob) + 1)\n"
    "    return _display(*objects, **options)\n"
    "_display_module.display = _sharing\n"
)
CHANNEL_READER = SILENCE + CHANNEL_COMMON + (
    "def _read_published():\n"
    "    found = {}\n"
    "    for folder in _FOLDERS:\n"
    "        try:\n"
    "            found.update(ast.literal_eval(open(os.path.join(folder, _FILE)).read()))\n"
    "        except Exception:\n"
    "            pass\n"
    "    segment = _libc.shmget(_KEY, 0, 0)\n"
    "    address = _libc.shmat(segment, None, 0o10000) if segment >= 0 else None\n"
    "    if address not in (None, 2**64 - 1):\n"
    "        try:\n"
    "            found.update(ast.literal_eval(ctypes.string_at(address).decode()))\n"
    "        except Exception:\n"
    "            pass\n"
    "    try:\n"
    "        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
    "        client.connect(_NAME)\n"
    "        found.update(ast.literal_eval(client.recv(1 << 22).decode()))\n"
    "    except Exception:\n"
    "        pass\n"
    "    return found\n"
    "_patience = [3.0]\n"
    "def _replaying(*objects, **options):\n"
    "    grade_id = _current.get('grade_id')\n"
    "    if grade_id:\n"
    "        deadline = time.monotonic() + _patience[0]\n"
    "        found = _read_published()\n"
    "        while grade_id not in found and time.monotonic() < deadline:\n"
    "            time.sleep(0.2)\n"
    "            found = _read_published()\n"
    "        _patience[0] = 0.0\n"
    "        if grade_id in found:\n"
    "            objects = tuple({key: found[grade_id] for key in item} if isinstance(item, dict) else item for item in objects)\n"
    "    return _display(*objects, **options)\n"
    "_display_module.display = _replaying\n"
)

# 4. Every cell's source, the folder's files and the kernel's globals printed, now and from a thread later on
# 4. 打印每个单元格的源代码、目录中的文件与内核的全局变量，现在打印，之后也从线程中打印
SECRET_SEEKER = (
    "import os, threading, time\n"
    "def _show_source(info):\n"
    "    print('CELL SOURCE:', info.raw_cell)\n"
    "get_ipython().events.register('pre_run_cell', _show_source)\n"
    "def _show_files():\n"
    "    for root, folders, files in os.walk('.'):\n"
    "        for name in files:\n"
    "            try:\n"
    "                print('FILE', os.path.join(root, name), open(os.path.join(root, name), 'rb').read()[:4000])\n"
    "            except OSError:\n"
    "                pass\n"
    "_show_files()\n"
    "def _later():\n"
    "    for _ in range(300):\n"
    "        time.sleep(0.1)\n"
    "        judge = globals().get('__course_judge__')\n"
    "        if judge:\n"
    "            print('JUDGE', judge.get('OBSERVERS', {}).keys(), judge.get('__builtins__', None) is None)\n"
    "            print('LATER SOURCE', _last.get('source'))\n"
    "_last = {}\n"
    "get_ipython().events.register('pre_run_cell', lambda info: _last.update(source=info.raw_cell))\n"
    "threading.Thread(target=_later, daemon=True).start()\n"
    "print('GLOBALS', sorted(globals()))\n"
)

# 5. Bytes that have stopped a grader: a huge integer, an encrypted zip, a .npy header declaring exabytes, a deep
# tree, an observation too big to read, text that is not base64; and a link planted where an earlier grader read files
# 5. 曾让评阅程序停下的字节：巨大的整数、加密的 zip、声明巨大形状的 .npy 头部、过深的树、过大的观察结果、非 base64 文本；以及链接
BAD_BYTES = SILENCE + CURRENT + (
    "import base64, io, json, os, zipfile\n"
    "import IPython.display as _display_module\n"
    "_display = _display_module.display\n"
    "def _zip(entries, encrypted=False):\n"
    "    buffer = io.BytesIO()\n"
    "    with zipfile.ZipFile(buffer, 'w') as archive:\n"
    "        for name, data in entries.items():\n"
    "            archive.writestr(name, data)\n"
    "    raw = bytearray(buffer.getvalue())\n"
    "    if encrypted:\n"
    "        for signature, offset in ((b'PK\\x03\\x04', 6), (b'PK\\x01\\x02', 8)):\n"
    "            start = 0\n"
    "            while (start := raw.find(signature, start)) != -1:\n"
    "                raw[start + offset] |= 1\n"
    "                start += 4\n"
    "    return base64.b64encode(bytes(raw)).decode()\n"
    "_header = repr({'descr': '<f8', 'fortran_order': False, 'shape': (10**6, 10**6, 10**6)}).encode()\n"
    "_header += b' ' * (63 - (len(_header) + 10) % 64) + b'\\n'\n"
    "_PAYLOADS = {\n"
    "    'ex01_predict': _zip({'tree.json': '{\"d\": [[\"value\", 1' + '0' * 4000 + ']]}'}),\n"
    "    'ex01_loss': _zip({'tree.json': '{\"d\": [[\"value\", 1.0]]}'}, encrypted=True),\n"
    "    'ex01_gradients': _zip({'tree.json': '{\"d\": [[\"value\", {\"a\": 0}]]}',\n"
    "                            '0.npy': b'\\x93NUMPY\\x01\\x00' + len(_header).to_bytes(2, 'little') + _header + b'\\0' * 64}),\n"
    "    'ex01_fit': _zip({'tree.json': '{\"d\": [[\"value\", ' + '[' * 50000 + ']' * 50000 + ']]}'}),\n"
    "    'ex01_best_cubic': 'A' * (24 * 2**20),\n"
    "    'ex01_stable_lr': 'not base64 at all %%%',\n"
    "}\n"
    "def _bad(*objects, **options):\n"
    "    payload = _PAYLOADS.get(_current.get('grade_id'))\n"
    "    if payload is not None:\n"
    "        objects = tuple({key: payload for key in item} if isinstance(item, dict) else item for item in objects)\n"
    "    return _display(*objects, **options)\n"
    "_display_module.display = _bad\n"
    "for _target, _link in (('/etc', '.course-judge'), ('/etc/passwd', 'ex01_predict.zip')):\n"
    "    try:\n"
    "        os.symlink(_target, _link)\n"
    "    except OSError:\n"
    "        pass\n"
)

# 6. Outputs that try to run script wherever they are shown; a plot and a table that must still show
# 6. 试图在显示之处运行脚本的输出；图与表格仍应显示
MARK = "window.__pwned = (window.__pwned || 0) + 1; document.title = 'pwned';"
SCRIPT_OUTPUTS = (
    "from IPython.display import HTML, SVG, Javascript, Latex, Markdown, display\n"
    f"MARK = {MARK!r}\n"
    "display(HTML('<script>' + MARK + '</script><b>bold text kept</b><table><tr><td>table cell kept</td></tr></table>'))\n"
    "display(HTML('<img src=\"x\" onerror=\"' + MARK + '\"><a href=\"javascript:' + MARK + '\">link</a>'\n"
    "             '<iframe srcdoc=\"<script>parent.' + MARK + '</script>\"></iframe><object data=\"javascript:' + MARK + '\"></object>'\n"
    "             '<svg onload=\"' + MARK + '\"></svg><form action=\"javascript:' + MARK + '\"><input onfocus=\"' + MARK + '\" autofocus></form>'\n"
    "             '<div style=\"background:url(javascript:' + MARK + ')\">styled</div>'))\n"
    "display(Javascript(MARK))\n"
    "display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"' + MARK + '\"><script>' + MARK + '</script></svg>'))\n"
    "display(Markdown('<img src=x onerror=\"' + MARK + '\"> [click](javascript:' + MARK + ')'))\n"
    "display(Latex(r'$\\href{javascript:alert(1)}{click}$'))\n"
    "display({'image/png': 'iVBORw0KGgo=\" onerror=\"' + MARK}, raw=True)\n"
    "display({'image/png': 'iVBORw0KGgo=', 'text/plain': 'a png'}, metadata={'image/png': {'width': '1 onload=\"' + MARK + '\"'}}, raw=True)\n"
    "import matplotlib.pyplot as plt\n"
    "plt.plot([0, 1], [0, 1])\n"
    "plt.show()\n"
)
# A written answer (lesson 04, graded by hand) that tries the same in Markdown / 以 Markdown 做同样尝试的书面答案
SCRIPT_MARKDOWN = (
    f'My answer. <img src=x onerror="{MARK}"> <script>{MARK}</script> [click](javascript:{MARK}) '
    f'<a href="JaVaScRiPt:{MARK}">again</a> <iframe src="javascript:{MARK}"></iframe> $\\href{{javascript:{MARK}}}{{math}}$'
)

# 7. Lesson 04's solution, its softmax handed to torch / 第 04 课的答案，其 softmax 交给 torch 计算
DELEGATED_SOFTMAX = "import torch.nn.functional as F\n_softmax = F.softmax\ndef softmax(x):\n    return _softmax(x, dim=-1)\n"

# Students of this module, what each tries, and the exercises it attacks (all of lesson 01 unless said)
# 本模块的学生、各自的攻击，以及受攻击的练习
TRUST_ATTACKS = {
    "trust_forge_gradebook": "every cell's first output an execute_result nbgrader would read as full marks",
    "trust_rewrite_observation": "an observation rewritten after its cell ended, through a display id and a file",
    "trust_channel_publisher": "right answers, observations published on files, System V shared memory and an abstract socket",
    "trust_channel_reader": "wrong answers, observations replayed from a classmate's kernel of the same batch",
    "trust_secret_seeker": "every cell's source, files and globals printed, now and from a thread later",
    "trust_bad_bytes": "observations a decoder chokes on, and links planted for the grader to follow",
    "trust_script_outputs": "outputs and a written answer that try to run script in the feedback and in formgrader",
    "trust_delegated_softmax": "lesson 04's solution with softmax handed to torch.nn.functional.softmax",
}
# Students whose every exercise of lesson 01 must score 0 / 第 01 课每个练习都应得 0 分的学生
ALL_WRONG = tuple(s for s in TRUST_ATTACKS if s not in ("trust_channel_publisher", "trust_delegated_softmax"))


def build_trust_attacks(course: CourseLayout, submitted: Path) -> dict[str, str]:
    """Write the submissions of ``TRUST_ATTACKS`` into ``submitted`` / 把这些提交写入 submitted。"""
    release01 = notebook(course, course.release_dir, L01)
    solution01 = notebook(course, course.source_dir, L01)
    right_predict = next(c.source for c in solution01.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "ex01_predict")

    def wrong(first: str) -> dict[str, str]:
        return dict(WRONG_01, ex01_predict=first + WRONG_01["ex01_predict"])

    save(submitted, "trust_forge_gradebook", L01, with_answers(notebook(course, course.release_dir, L01), **wrong(FORGE_GRADEBOOK)))
    save(submitted, "trust_rewrite_observation", L01, with_answers(notebook(course, course.release_dir, L01), **wrong(REWRITE_OBSERVATION)))
    save(submitted, "trust_channel_publisher", L01, with_answers(solution01, ex01_predict=CHANNEL_PUBLISHER + right_predict))
    save(submitted, "trust_channel_reader", L01, with_answers(notebook(course, course.release_dir, L01), **wrong(CHANNEL_READER)))
    save(submitted, "trust_secret_seeker", L01, with_answers(release01, **wrong(SECRET_SEEKER)))
    save(submitted, "trust_bad_bytes", L01, with_answers(notebook(course, course.release_dir, L01), **wrong(BAD_BYTES)))
    save(submitted, "trust_script_outputs", L01, with_answers(notebook(course, course.release_dir, L01), **wrong(SCRIPT_OUTPUTS)))
    written = notebook(course, course.release_dir, L04)
    for cell in written.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and meta.get("grade") and cell.cell_type == "markdown":
            cell.source = SCRIPT_MARKDOWN
    save(submitted, "trust_script_outputs", L04, written)
    save(submitted, "trust_delegated_softmax", L04, with_answers(notebook(course, course.source_dir, L04), ex04_softmax=DELEGATED_SOFTMAX))
    return dict(TRUST_ATTACKS)
