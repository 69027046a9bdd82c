"""The machine's CPU and load: this machine is shared, and others' work shows as load before
the run and as busy CPU beside gunicorn's during it."""

import os
import threading
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / CLOCK_TICKS, sum(fields) / CLOCK_TICKS


def busy_share(before, after) -> float:
    return (after[0] - before[0]) / max(after[1] - before[1], 1e-9)


def process_tree_cpu(root_pid: int) -> float:
    """CPU seconds used so far by a process and its children (gunicorn's master and workers)."""
    parents, times = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        rest = text[text.rindex(")") + 2 :].split()
        pid = int(stat.parent.name)
        parents[pid] = int(rest[1])
        times[pid] = (int(rest[11]) + int(rest[12])) / CLOCK_TICKS  # utime + stime
    tree, todo = set(), [root_pid]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return sum(times.get(pid, 0.0) for pid in tree)


def load_average() -> float:
    """The 1-minute load average: processes running or waiting for a CPU (2 cores: 2 is full)."""
    return float(Path("/proc/loadavg").read_text().split()[0])


class LoadSampler(threading.Thread):
    """Samples the machine's busy share and load average every few seconds while the run goes
    on, so that the report can show the load during it, not only its mean."""

    def __init__(self, every: float = 5.0):
        super().__init__(daemon=True)
        self.every = every
        self.samples: list[tuple[float, float]] = []  # (busy share, load average)
        self._done = threading.Event()

    def run(self):
        last = machine_cpu()
        while not self._done.wait(self.every):
            now = machine_cpu()
            self.samples.append((busy_share(last, now), load_average()))
            last = now

    def stop(self) -> list[tuple[float, float]]:
        self._done.set()
        self.join()
        return self.samples
