"""CPU seconds of the server's processes, read from /proc (Linux only).

The server is the process tree under the command that started it; each process is put in a
role by its command line (asgi, wsgi, worker, proxy), so a figure like "server CPU per live
delivery" counts exactly the ASGI workers.
"""

import os
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")

ROLES = (  # first match wins
    ("uvicorn", "asgi"),
    ("daphne", "asgi"),
    ("gunicorn", "wsgi"),
    ("run_huey", "worker"),
    ("nginx", "proxy"),
)


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces.
    return raw[raw.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of one process (its own threads, not its children)."""
    fields = _stat(pid)
    if fields is None:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def resident_mb(pid: int) -> float | None:
    """The process's resident set (VmRSS) in MiB; None if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            found.append(child)
            todo.append(child)
    return found


def role(pid: int) -> str | None:
    line = cmdline(pid)
    for needle, name in ROLES:
        if needle in line:
            return name
    return None


def server_processes(root: int) -> dict[str, list[int]]:
    """role -> pids, over the tree under `root` (the root itself included)."""
    out: dict[str, list[int]] = {}
    for pid in [root, *descendants(root)]:
        name = role(pid)
        if name:
            out.setdefault(name, []).append(pid)
    return out


def sample(processes: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds so far per role (processes that have gone count as 0 from then on)."""
    return {name: sum(cpu_seconds(pid) or 0.0 for pid in pids) for name, pids in processes.items()}


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent not idle, since boot (from /proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / TICKS


class Meter:
    """CPU used per role (and by the whole machine, and by this process) between start() and
    stop(), with the wall time, so rates and per-event costs can be derived.

    The server's processes are looked up again at stop(): a worker that started meanwhile
    (gunicorn's max-requests recycling) counts from its start; one that ended loses what it
    used after start() (an undercount, never an overcount)."""

    def __init__(self, discover):
        self.discover = discover  # () -> {role: [pids]}

    def start(self) -> "Meter":
        self._wall = time.monotonic()
        self._pids = {
            pid: cpu_seconds(pid) or 0.0 for pids in self.discover().values() for pid in pids
        }
        self._machine = machine_busy_seconds()
        self._self = time.process_time()
        return self

    def stop(self) -> dict:
        wall = time.monotonic() - self._wall
        used: dict[str, float] = {}
        started: dict[str, int] = {}
        for name, pids in self.discover().items():
            for pid in pids:
                now = cpu_seconds(pid)
                if now is not None:
                    used[name] = used.get(name, 0.0) + now - self._pids.get(pid, 0.0)
                if pid not in self._pids:
                    started[name] = started.get(name, 0) + 1
        return {
            "wall_s": round(wall, 3),
            "cpu_s": {name: round(value, 3) for name, value in used.items()},
            "processes_started": started,  # e.g. gunicorn workers recycled (max-requests)
            "machine_busy_s": round(machine_busy_seconds() - self._machine, 3),
            "load_generator_s": round(time.process_time() - self._self, 3),
        }


def per_event_ms(use: dict, events: int) -> dict:
    """CPU milliseconds per event (vote, request) by role, plus the rest of the machine
    (PostgreSQL, Redis and anything else running) and this load generator."""
    if not events:
        return {}
    roles = use["cpu_s"]
    rest = use["machine_busy_s"] - sum(roles.values()) - use["load_generator_s"]
    out = {name: round(1000 * value / events, 3) for name, value in sorted(roles.items())}
    out["load_generator"] = round(1000 * use["load_generator_s"] / events, 3)
    out["rest_of_machine"] = round(1000 * max(0.0, rest) / events, 3)
    out["machine_total"] = round(1000 * use["machine_busy_s"] / events, 3)
    return out
