"""Where a server's CPU went during a step: py-spy sampling its worker processes (optional,
`--profile`; py-spy is not a project dependency: `pip install py-spy` anywhere and put it on
PATH or in PY_SPY).

Samples only the thread holding the GIL (--gil), so the shares are of Python CPU time, not of
threads waiting on PostgreSQL or Redis. Writes py-spy's collapsed stacks per process and
returns a summary: the functions holding the most samples inclusively (anywhere on the stack)
and by self time (the innermost frame).
"""

import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path


def find() -> str | None:
    for candidate in (os.environ.get("PY_SPY"), shutil.which("py-spy"), "/opt/pyspy/bin/py-spy"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


class Recorder:
    def __init__(self, pids: list[int], folder: Path, seconds: float, rate: int = 200):
        self.binary = find()
        self.folder = folder
        self.processes = []
        if self.binary is None:
            return
        folder.mkdir(parents=True, exist_ok=True)
        for pid in pids:
            self.processes.append(
                subprocess.Popen(
                    [
                        self.binary,
                        "record",
                        "--pid",
                        str(pid),
                        "--format",
                        "raw",
                        "--output",
                        str(folder / f"{pid}.txt"),
                        "--duration",
                        str(int(seconds) + 1),
                        "--rate",
                        str(rate),
                        "--nonblocking",
                        "--gil",  # only the thread holding the GIL: CPU, not waiting
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )

    def stop(self) -> dict:
        if self.binary is None:
            return {"error": "py-spy not found (pip install py-spy; PATH or PY_SPY)"}
        for process in self.processes:
            process.send_signal(2)  # SIGINT: py-spy writes what it has and exits
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        return summarize(self.folder)


# Where a request's CPU goes, by the first rule whose marker is on the sampled stack (order
# matters: a vote's receipt template is rendered inside the view, the session inside the
# middleware). Markers are file paths as py-spy prints them.
CATEGORIES = [
    ("worker start: importing modules", ["exec_module"]),
    ("live change mark (Redis)", ["ballots/live/marks"]),
    ("second-factor check (members/roles)", ["members/roles.py"]),
    ("session load/save", ["sessions/backends", "SessionMiddleware"]),
    ("user load (auth)", ["contrib/auth/__init__.py", "auth/middleware.py"]),
    ("CSRF", ["middleware/csrf.py"]),
    ("cast_vote service (ORM, commit)", ["ballots/services.py"]),
    ("vote form", ["ballots/forms.py", "django/forms/"]),
    ("template render", ["django/template/"]),
    ("other view code", ["ballots/views.py"]),
    ("Redis (cache)", ["redis/"]),
    ("Django handler and other middleware", ["django/"]),
    ("gunicorn", ["gunicorn/"]),
]


def summarize(folder: Path, top: int = 25) -> dict:
    inclusive: Counter = Counter()
    own: Counter = Counter()
    categories: Counter = Counter()
    total = 0
    for path in folder.glob("*.txt"):
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            samples = int(count)
            frames = stack.split(";")
            total += samples
            for frame in set(frames):
                inclusive[_short(frame)] += samples
            own[_short(frames[-1])] += samples
            categories[_category(stack)] += samples
    if not total:
        return {"samples": 0}

    def share(counter: Counter) -> list:
        return [[name, round(100 * n / total, 1)] for name, n in counter.most_common(top)]

    return {
        "samples": total,
        "folder": str(folder),
        "categories_pct": share(categories),
        "inclusive_pct": share(inclusive),
        "self_pct": share(own),
    }


def _category(stack: str) -> str:
    for name, markers in CATEGORIES:
        if any(marker in stack for marker in markers):
            return name
    return "other"


def _short(frame: str) -> str:
    """'get_user (django/contrib/auth/__init__.py)': the function and its file, without the
    line (it changes from sample to sample) or the site-packages prefix."""
    name, _, where = frame.partition(" (")
    where = re.sub(r":\d+\)?$", "", where.rstrip(")"))
    for marker in ("site-packages/", "/work/main/", "/lib/python3.13/", "/lib/python3.12/"):
        if marker in where:
            where = where.split(marker, 1)[1]
            break
    return f"{name} ({where})" if where else name
