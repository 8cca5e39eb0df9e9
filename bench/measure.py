"""Measuring tools shared by the benchmark's parts."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def throughput(ask: Callable[[str], object], questions: list[str], askers: int = 8) -> float:
    """Questions answered per second with ``askers`` threads asking at once."""
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=askers) as pool:
        list(pool.map(ask, questions))
    return len(questions) / (time.perf_counter() - started)


def folder_mb(folder: Path) -> float:
    """Size on disk of every file under ``folder``, in MB."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def timed_process(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds to exit, peak resident MB) of one fresh process."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"{' '.join(argv)} failed with status {status}")
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is in KB on Linux


def batched_throughput(
    answer_many: Callable[[list[str]], list[object]], questions: list[str], askers: int = 8
) -> float:
    """Questions answered per second with ``askers`` asking at once, as the bot answers them:
    through its ``Batcher``, on one worker thread."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from bot.batching import Batcher

    async def run() -> float:
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(max_workers=1) as worker:
            batcher: Batcher[str, object] = Batcher(lambda qs: loop.run_in_executor(worker, answer_many, qs))

            async def asker(mine: list[str]) -> None:
                for q in mine:
                    await batcher.submit(q)

            started = time.perf_counter()
            await asyncio.gather(*(asker(questions[i::askers]) for i in range(askers)))
            return len(questions) / (time.perf_counter() - started)

    return asyncio.run(run())


def machine() -> str:
    """The CPU model, its cores and memory, for the table's caption."""
    import platform

    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GB"
    except (OSError, ValueError):
        memory = ""
    return f"{model}, {len(os.sched_getaffinity(0))} cores{memory}, Python {platform.python_version()}"
