"""A small HTTP/1.1 client on asyncio streams: keep-alive connections to one host, GET and
form POST, Content-Length or chunked bodies.

Why not httpx: on this 2-core machine the load generator shares the CPU with the server it
measures. httpx 0.28 costs ~0.5 ms of CPU per request with a few connections and ~2.3 ms with
64 concurrent ones (its pool's bookkeeping grows with the connections); this costs ~0.1 ms,
so the figures are the server's, not the client's. It speaks only what the bench needs.
"""

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass
from urllib.parse import urlencode

TIMEOUT = 30.0


class ProtocolError(Exception):
    pass


@dataclass
class Response:
    status_code: int
    headers: list[tuple[str, str]]  # (lower-case name, value), in order
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def header(self, name: str, default: str = "") -> str:
        for key, value in self.headers:
            if key == name:
                return value
        return default

    def header_list(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name]


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


class Client:
    """Up to `connections` keep-alive connections to http://host:port."""

    def __init__(self, host: str, port: int, connections: int, timeout: float = TIMEOUT):
        self.host, self.port, self.timeout = host, port, timeout
        self.authority = f"{host}:{port}"
        self._slots = asyncio.Semaphore(connections)
        self._idle: deque[_Connection] = deque()

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        while self._idle:
            self._idle.pop().close()

    async def get(self, path: str, headers: dict | None = None) -> Response:
        return await self.request("GET", path, headers or {})

    async def post(self, path: str, data: dict, headers: dict | None = None) -> Response:
        body = urlencode(data).encode()
        return await self.request(
            "POST",
            path,
            {**(headers or {}), "Content-Type": "application/x-www-form-urlencoded"},
            body,
        )

    async def request(self, method: str, path: str, headers: dict, body: bytes = b"") -> Response:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.authority}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        message = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        async with self._slots, asyncio.timeout(self.timeout):
            # A kept-alive connection may have been closed by the server meanwhile: then a GET
            # is sent once more on a new connection (only if nothing was received). A POST is
            # not: the server may have acted on it (a vote counted, its answer lost), so the
            # loss is reported as an error, as a browser would show it.
            while True:
                reused = bool(self._idle)
                conn = self._idle.pop() if reused else await self._connect()
                try:
                    conn.writer.write(message)
                    response, keep = await _read_response(conn.reader, method)
                except (ConnectionError, asyncio.IncompleteReadError) as lost:
                    conn.close()
                    idempotent = method in ("GET", "HEAD")
                    if reused and idempotent and getattr(lost, "partial", b"") == b"":
                        continue
                    raise
                except BaseException:
                    conn.close()
                    raise
                if keep:
                    self._idle.append(conn)
                else:
                    conn.close()
                return response

    async def _connect(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)
        return _Connection(reader, writer)


async def _read_response(reader: asyncio.StreamReader, method: str) -> tuple[Response, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise ProtocolError(f"not an HTTP/1.x status line: {status_line[:60]!r}")
    status = int(parts[1])
    headers = []
    for line in header_lines:
        name, _, value = line.partition(":")
        headers.append((name.strip().lower(), value.strip()))
    response = Response(status, headers, b"")
    keep = response.header("connection").lower() != "close" and parts[0] == "HTTP/1.1"
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        return response, keep
    if "chunked" in response.header("transfer-encoding").lower():
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # no trailers are sent to us
                break
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        response.content = b"".join(chunks)
    elif response.header("content-length"):
        response.content = await reader.readexactly(int(response.header("content-length")))
    else:
        response.content = await reader.read()
        keep = False
    return response, keep
