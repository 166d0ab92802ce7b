"""A small WebSocket client (RFC 6455) for the bench's watchers: the opening handshake with a
cookie and an Origin, text frames received, pings answered, permessage-deflate when the
server accepts it (RFC 7692), the closing handshake.

Why not the websockets library: its client cost ~60 µs of CPU per message received, and at an
assembly the watchers' process took half a core of the two the server runs on (bench, 5,000
watchers at ~2 frames/s, 2026-12-02). Here frames are parsed in the protocol's callback, with
no task woken per message. It speaks only what the bench needs: one connection per watcher,
messages from the server, no fragmentation of what it sends.
"""

import asyncio
import base64
import hashlib
import os
import struct
import time
import zlib
from collections.abc import Callable
from urllib.parse import urlsplit

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
DEFLATE_OFFER = "permessage-deflate; client_max_window_bits"
TEXT, BINARY, CONTINUATION, CLOSE, PING, PONG = 1, 2, 0, 8, 9, 10


class HandshakeError(Exception):
    pass


class Connection(asyncio.Protocol):
    """One watcher's socket. `on_message(text, received_us)` is called for every text message,
    in the event loop's thread; `closed` resolves with the close code when the socket ends."""

    def __init__(self, request: bytes, key: bytes, on_message: Callable[[str, int], None]):
        self._request = request
        self._accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
        self._on_message = on_message
        self._buffer = bytearray()
        self._opened = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.close_code: int | None = None
        self._inflater = None
        self._fresh_inflater_each_message = False
        self._parts: list[bytes] = []
        self._compressed = False
        self._close_sent = False  # after our close frame we send nothing more (RFC 6455, 5.5.1)
        self.transport: asyncio.Transport | None = None

    # --- asyncio.Protocol ----------------------------------------------------------------
    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if not self._opened.done():
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self._buffer[:end]).decode("latin-1")
            del self._buffer[: end + 4]
            try:
                self._check_handshake(head)
            except HandshakeError as refused:
                self._opened.set_exception(refused)
                self.transport.close()
                return
            self._opened.set_result(None)
        self._read_frames(time.time_ns() // 1000)

    def connection_lost(self, exc) -> None:
        if not self._opened.done():
            self._opened.set_exception(exc or HandshakeError("connection closed"))
        if not self.closed.done():
            self.closed.set_result(self.close_code if self.close_code is not None else 1006)

    # --- the handshake -------------------------------------------------------------------
    def _check_handshake(self, head: str) -> None:
        status, *lines = head.split("\r\n")
        if not status.startswith("HTTP/1.1 101"):
            raise HandshakeError(status)
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("sec-websocket-accept", "").encode() != self._accept:
            raise HandshakeError("wrong Sec-WebSocket-Accept")
        extensions = headers.get("sec-websocket-extensions", "")
        if "permessage-deflate" in extensions:
            self._inflater = zlib.decompressobj(wbits=-15)
            self._fresh_inflater_each_message = "server_no_context_takeover" in extensions

    async def opened(self, timeout: float) -> None:
        await asyncio.wait_for(asyncio.shield(self._opened), timeout)

    # --- frames --------------------------------------------------------------------------
    def _read_frames(self, received_us: int) -> None:
        buffer = self._buffer
        while len(buffer) >= 2:
            first, second = buffer[0], buffer[1]
            length, start = second & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, start = struct.unpack_from("!H", buffer, 2)[0], 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, start = struct.unpack_from("!Q", buffer, 2)[0], 10
            if second & 0x80:
                self._fail(1002, "masked frame from the server")
                return
            if len(buffer) < start + length:
                return
            payload = bytes(buffer[start : start + length])
            del buffer[: start + length]
            self._frame(first & 0x80, first & 0x40, first & 0x0F, payload, received_us)

    def _frame(self, fin: int, rsv1: int, opcode: int, payload: bytes, received_us: int) -> None:
        if opcode == PING:
            self._send(PONG, payload)
        elif opcode == CLOSE:
            self.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            self._send(CLOSE, payload[:2])
            self.transport.close()
        elif opcode in (TEXT, BINARY, CONTINUATION):
            if opcode != CONTINUATION:
                self._parts, self._compressed = [], bool(rsv1)
            self._parts.append(payload)
            if fin:
                self._message(b"".join(self._parts), received_us)

    def _message(self, data: bytes, received_us: int) -> None:
        if self._compressed:
            if self._inflater is None:
                self._fail(1002, "compressed frame without the extension")
                return
            if self._fresh_inflater_each_message:
                self._inflater = zlib.decompressobj(wbits=-15)
            data = self._inflater.decompress(data + b"\x00\x00\xff\xff")
        self._on_message(data.decode("utf-8"), received_us)

    def _send(self, opcode: int, payload: bytes) -> None:
        """A client's frames are masked (RFC 6455, 5.3); the bench sends only short ones."""
        if self.transport is None or self.transport.is_closing() or self._close_sent:
            return
        self._close_sent = opcode == CLOSE
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    def _fail(self, code: int, reason: str) -> None:
        self.close_code = code
        self._send(CLOSE, struct.pack("!H", code))
        self.transport.close()

    async def close(self, timeout: float) -> None:
        """The closing handshake: our close frame, then the server's (or the timeout)."""
        self._send(CLOSE, struct.pack("!H", 1000))
        try:
            await asyncio.wait_for(asyncio.shield(self.closed), timeout)
        finally:
            if self.transport is not None:
                self.transport.close()


async def connect(
    url: str,
    *,
    origin: str,
    cookie: str,
    compression: str | None,
    on_message: Callable[[str, int], None],
    timeout: float,
) -> Connection:
    """An open connection to ws://host:port/path?query (the bench speaks plain ws)."""
    parts = urlsplit(url)
    if parts.scheme != "ws":
        raise ValueError(f"only ws:// URLs: {url}")
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    key = base64.b64encode(os.urandom(16))
    lines = [
        f"GET {target} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key.decode()}",
        "Sec-WebSocket-Version: 13",
        f"Origin: {origin}",
        f"Cookie: {cookie}",
    ]
    if compression == "deflate":
        lines.append(f"Sec-WebSocket-Extensions: {DEFLATE_OFFER}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    loop = asyncio.get_running_loop()
    _, connection = await asyncio.wait_for(
        loop.create_connection(
            lambda: Connection(request, key, on_message), parts.hostname, parts.port or 80
        ),
        timeout,
    )
    await connection.opened(timeout)
    return connection
