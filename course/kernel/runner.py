"""Execute a graded notebook cell by cell in a fresh, possibly sandboxed kernel / 在新的（可能带沙箱的）内核中逐个执行单元格。

A cell that runs past the timeout is interrupted and the next cells still run; if the kernel
ignores the interrupt or dies (``os._exit``, the memory limit, a crash), the cells it could not run
are reported, never the whole batch.
超时的单元格会被中断，后续单元格继续执行；内核无法中断或崩溃时，报告未能执行的单元格，而不会让整批评阅失败。
"""

import asyncio
import contextlib
import json
import os
import time
from pathlib import Path
from queue import Empty

import nbformat
import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from course.bilingual import Text
from course.kernel.launch import choose_launcher
from course.kernel.sandbox import Limits, SandboxSpec, is_root, kernel_environment
from course.kernel.scratch import KernelFolder
from course.results import CellProblem, Status

KERNEL_NAME = "course-sandbox"
# Seconds a kernel gets to answer after an interrupt / 中断之后内核作出响应的时限（秒）
RESPONSIVE_SECONDS = 10
# What one cell may show, and one message may weigh: a kernel that floods its outputs cannot exhaust the grader
# 一个单元格最多显示多少、一条消息最大多少：刷屏的内核无法耗尽评阅程序的内存
MAX_CELL_OUTPUT_BYTES = 32 * 2**20
MAX_MESSAGE_BYTES = 64 * 2**20
OUTPUT_DROPPED = "[more output than the grader keeps was dropped / 输出超过评阅程序保留的上限，其余部分已丢弃]"


class QuickKernelClient(AsyncKernelClient):
    """jupyter_client's client, ready as soon as the kernel answered, without two fixed waits a grading batch
    would pay hundreds of times: ``wait_for_ready`` waiting for 0.2 s of silence on IOPub (stray start-up
    messages are harmless: nbclient keeps only the replies to its own requests), and ZeroMQ retrying a
    connection to a kernel that has not bound its sockets yet only every 100 ms.

    内核一旦应答即可使用，省去两处固定等待：IOPub 静默 0.2 秒，以及 ZeroMQ 每 100 毫秒才重连一次尚未就绪的内核。
    """

    def _create_connected_socket(self, channel: str, identity: bytes | None = None):
        # The kernel binds its sockets after the client connects: retry every 10 ms, not ZeroMQ's 100 ms
        # 内核在客户端连接之后才绑定套接字：每 10 毫秒重试一次，而不是 ZeroMQ 默认的 100 毫秒
        self.context.setsockopt(zmq.RECONNECT_IVL, 10)
        # A larger message ends the connection instead of filling the grader's memory / 过大的消息断开连接，而不是占满内存
        self.context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        return super()._create_connected_socket(channel, identity)

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")


def prepare_scratch(scratch: Path, uid: int | None = None, matplotlib_cache: Path | None = None) -> None:
    """Folders the kernel may write to, owned by its user / 内核可以写入的目录，归内核用户所有。"""
    folder = KernelFolder(scratch)
    for sub in folder.private_folders():
        sub.mkdir(parents=True, exist_ok=True)
    if matplotlib_cache is not None and matplotlib_cache.is_dir():
        for cached in matplotlib_cache.glob("fontlist-*.json"):
            (folder.matplotlib / cached.name).write_bytes(cached.read_bytes())
    if uid is not None and is_root():  # rootless, the kernel is the grader / 非 root 时内核即评阅者
        os.chown(scratch, uid, uid)
        os.chmod(scratch, 0o700)


class CappedNotebookClient(NotebookClient):
    """nbclient's client keeping at most ``MAX_CELL_OUTPUT_BYTES`` of outputs per cell: later ones are dropped, once said.

    每个单元格最多保留 MAX_CELL_OUTPUT_BYTES 的输出，其后的输出被丢弃（只说明一次）。
    """

    def output(self, outs, msg, display_id, cell_index):
        used = vars(self).setdefault("_course_output_bytes", {})  # per cell, clears included / 按单元格累计，清除输出也不重置
        used[cell_index] = used.get(cell_index, 0) + len(json.dumps(msg.get("content", {}), default=str))
        if used[cell_index] > MAX_CELL_OUTPUT_BYTES:
            if not any(o.get("text") == OUTPUT_DROPPED for o in outs):
                outs.append(nbformat.v4.new_output("stream", name="stdout", text=OUTPUT_DROPPED))
            return None
        return super().output(outs, msg, display_id, cell_index)


def run_cells(
    nb, scratch: Path, *, timeout: int, uid: int = 0, view: tuple = ((), (), ()), limits: Limits | None = None,
    sandboxed: bool = True, zygote: str | None = None, timings: dict | None = None, on_cell_end=None, lang: str | None = None,
) -> dict[str, CellProblem]:
    """Execute ``nb`` in place in a kernel working in ``scratch``; return {cell id: CellProblem}
    for cells that timed out or could not run. ``zygote``: fork the kernel from that ``course.kernel.zygote``;
    ``timings``, if given, receives ``"start"`` (seconds until the kernel answered) and each cell id's seconds;
    ``on_cell_end(index, cell)`` is called as soon as a cell has ended (ran, raised or was interrupted after
    a timeout), with its outputs as they are then: what a later cell sends can no longer reach them there.

    在以 scratch 为工作目录的内核中原地执行 nb；返回超时或未能执行的单元格。单元格一结束（运行完、报错或超时后被中断）
    就调用 on_cell_end(index, cell)，此时的输出不会再被之后的单元格改变。
    """
    folder = KernelFolder(scratch)
    spec_root = folder.kernelspec
    spec_dir = spec_root / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    covered, exposed, hidden = view
    spec = SandboxSpec(str(scratch), uid, list(covered), list(exposed), list(hidden), limits or Limits())
    argv = choose_launcher(sandboxed, zygote).argv(spec, spec_root / "sandbox.json")
    (spec_dir / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "course sandbox", "language": "python", "interrupt_mode": "message"})
    )
    km = AsyncKernelManager(
        kernel_name=KERNEL_NAME,
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec_root)]),
        transport="ipc",
        ip=str(folder.sockets),
        connection_file=str(folder.connection_file),
        client_class="course.kernel.runner.QuickKernelClient",
    )
    return asyncio.run(_run(nb, km, scratch, timeout, {} if timings is None else timings, on_cell_end, lang))


async def _run(nb, km: AsyncKernelManager, scratch: Path, timeout: int, timings: dict, on_cell_end, lang) -> dict[str, CellProblem]:
    client = CappedNotebookClient(nb, km=km, timeout=timeout, allow_errors=True, record_timing=False, interrupt_on_timeout=False)
    problems: dict[str, CellProblem] = {}
    current = 0  # the cell running now: if the kernel dies, it did not pass / 正在运行的单元格：内核崩溃时它不算通过
    clock = time.perf_counter()
    try:
        async with client.async_setup_kernel(env=kernel_environment(scratch, lang), cwd=str(scratch)):
            timings["start"] = time.perf_counter() - clock
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                current = index
                clock = time.perf_counter()
                try:
                    await client.async_execute_cell(cell, index)
                    timings[cell.get("id")] = time.perf_counter() - clock
                except CellTimeoutError:
                    problems[cell.id] = CellProblem(Status.TIMEOUT, Text(f"the cell ran over {timeout} s", f"单元格运行超过 {timeout} 秒"))
                    if not await _interrupted(client, km):
                        _skip_rest(nb, index + 1, problems, Status.TIMEOUT, Text("the kernel did not stop after a timeout", "超时后内核未能停止"))
                        break
                if on_cell_end is not None:
                    on_cell_end(index, cell)
    except DeadKernelError:
        _skip_rest(nb, current, problems, Status.ERROR, Text("the kernel died (exit, memory limit or crash)", "内核已退出（退出、内存限制或崩溃）"))
    except RuntimeError as error:  # the kernel never started / 内核未能启动
        _skip_rest(nb, current, problems, Status.ERROR, Text(f"the kernel did not start: {error}", f"内核未能启动：{error}"))
    finally:
        if client.kc is not None:  # nbclient leaves a client it did not start open / nbclient 不会关闭非自己启动的客户端
            client.kc.stop_channels()
        await _stop(km)
    return problems


async def _interrupted(client: NotebookClient, km: AsyncKernelManager) -> bool:
    """Interrupt the kernel and check that it answers again / 中断内核并确认它重新响应。"""
    try:
        await km.interrupt_kernel()
        probe = client.kc.execute("pass", store_history=False)
        deadline = asyncio.get_running_loop().time() + RESPONSIVE_SECONDS
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            reply = await client.kc.get_shell_msg(timeout=max(remaining, 0.01))
            if reply["parent_header"].get("msg_id") == probe:
                return True
    except Exception:  # no answer in time: the kernel is stuck / 未及时响应：内核卡住了
        return False


def _skip_rest(nb, start: int, problems: dict, status: Status, message: str) -> None:
    for cell in nb.cells[start:]:
        if cell.cell_type == "code":
            problems.setdefault(cell.id, CellProblem(status, message))


async def _stop(km: AsyncKernelManager) -> None:
    """Stop the kernel whatever state it is in; killing the sandbox ends all its processes.
    无论内核处于什么状态都将其停止；杀死沙箱会结束其中所有进程。"""
    process = getattr(km.provisioner, "process", None)
    if process is not None and process.poll() is None:
        # Killed and reaped here: jupyter_client would poll for its end every 0.1 s / 在此杀死并回收，免去每 0.1 秒一次的轮询
        with contextlib.suppress(Exception):
            await km.provisioner.kill()
            process.wait(timeout=30)
    try:
        if km.has_kernel:
            await km.shutdown_kernel(now=True)
    except Exception:  # already dead, or its sockets are gone / 已经退出，或其套接字已不存在
        process = getattr(km.provisioner, "process", None)
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    with contextlib.suppress(Exception):
        await km.cleanup_resources()
