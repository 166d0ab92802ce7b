"""The verifier as a pip-installable source archive, made from verifier/ in the repository,
so a member needs no copy of the source tree: `pip install <site>/.../ledenstem-verify.tar.gz`.
Deterministic (sorted names, fixed times and owners): the same source gives the same bytes,
whose SHA-256 the how-to page shows beside the source's own files to read."""

import gzip
import hashlib
import io
import tarfile
from functools import cache
from pathlib import Path

from django.conf import settings

from ledenstem_verify import __version__

SOURCE = Path(settings.BASE_DIR) / "verifier"
FILES = ("pyproject.toml", "README.md")


def _members() -> list[tuple[str, bytes]]:
    files = [(name, (SOURCE / name).read_bytes()) for name in FILES]
    package = SOURCE / "ledenstem_verify"
    files += [
        (f"ledenstem_verify/{path.name}", path.read_bytes())
        for path in sorted(package.glob("*.py"))
    ]
    return files


@cache
def archive() -> bytes:
    top = f"ledenstem_verify-{__version__}"
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in _members():
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def archive_name() -> str:
    return f"ledenstem_verify-{__version__}.tar.gz"


def archive_sha256() -> str:
    return hashlib.sha256(archive()).hexdigest()
