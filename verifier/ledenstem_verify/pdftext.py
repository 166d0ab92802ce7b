"""The text a PDF prints, read from its content streams, enough to compare printed figures.

Made for the proces-verbaal (WeasyPrint: Type0 fonts, Identity-H, a ToUnicode map per font),
not for every PDF in the world: each text-showing operator (Tj, TJ, ', ") becomes one run, in
the order the page draws it; a table cell or a line of a paragraph is one run. A font without
a ToUnicode map, or a code the map does not know, reads as U+FFFD, so text the verifier
cannot read never matches an expected figure by accident.
"""

import re

from pyhanko.pdf_utils import generic

TOKEN = re.compile(
    rb"""
    (?P<space>\s+|%[^\r\n]*)
  | (?P<hex><[0-9A-Fa-f\s]*>)
  | (?P<literal>\((?:\\.|[^\\()])*\))
  | (?P<dict><<|>>)
  | (?P<array>[\[\]])
  | (?P<name>/[^\s/\[\]()<>{}%]*)
  | (?P<number>[+-]?(?:\d+\.?\d*|\.\d+))
  | (?P<op>[A-Za-z'"*][A-Za-z0-9'"*]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
REPLACEMENT = "\ufffd"


def _get(obj, key: str):
    """obj[key] with indirect references resolved, or None."""
    if obj is None:
        return None
    obj = obj.get_object() if isinstance(obj, generic.IndirectObject) else obj
    return obj[key] if key in obj else None  # noqa: SIM401 (get() would not resolve it)


def _hex(token: bytes) -> bytes:
    digits = re.sub(rb"\s", b"", token[1:-1])
    if len(digits) % 2:
        digits += b"0"
    return bytes.fromhex(digits.decode("ascii"))


def _literal(token: bytes) -> bytes:
    body = token[1:-1]
    out = bytearray()
    i = 0
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    while i < len(body):
        char = body[i : i + 1]
        if char == b"\\" and i + 1 < len(body):
            nxt = body[i + 1 : i + 2]
            octal = re.match(rb"[0-7]{1,3}", body[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(), 8) & 0xFF)
                i += 1 + len(octal.group())
                continue
            out += escapes.get(nxt, nxt)
            i += 2
            continue
        out += char
        i += 1
    return bytes(out)


def _unicode_map(font) -> dict[int, str] | None:
    """The font's ToUnicode map (bfchar and bfrange), codes as 2-byte integers."""
    if "/ToUnicode" not in font:
        return None
    data = font["/ToUnicode"].data
    mapping: dict[int, str] = {}

    def text(hexcode: bytes) -> str:
        return _hex(hexcode).decode("utf-16-be", errors="replace")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.DOTALL):
        for src, dst in re.findall(rb"(<[0-9A-Fa-f]+>)\s*(<[0-9A-Fa-f]*>)", block):
            mapping[int.from_bytes(_hex(src))] = text(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.DOTALL):
        for start, end, dst in re.findall(
            rb"(<[0-9A-Fa-f]+>)\s*(<[0-9A-Fa-f]+>)\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", block
        ):
            first, last = int.from_bytes(_hex(start)), int.from_bytes(_hex(end))
            if dst.startswith(b"["):
                targets = re.findall(rb"<[0-9A-Fa-f]*>", dst)
                for offset, target in enumerate(targets[: last - first + 1]):
                    mapping[first + offset] = text(target)
            else:
                base = _hex(dst)
                value = int.from_bytes(base)
                for offset in range(last - first + 1):
                    mapping[first + offset] = (
                        (value + offset).to_bytes(len(base)).decode("utf-16-be", errors="replace")
                    )
    return mapping


def _decode(raw: bytes, font_map: dict[int, str] | None, two_bytes: bool) -> str:
    if font_map is None:
        return REPLACEMENT * (len(raw) // (2 if two_bytes else 1))
    if two_bytes:
        codes = [int.from_bytes(raw[i : i + 2]) for i in range(0, len(raw) - 1, 2)]
    else:
        codes = list(raw)
    return "".join(font_map.get(code, REPLACEMENT) for code in codes)


def _fonts(resources) -> dict[str, tuple[dict[int, str] | None, bool]]:
    fonts = {}
    font_dict = _get(resources, "/Font")
    if font_dict is None:
        return fonts
    for name in font_dict:
        ref = font_dict[name]
        font = ref.get_object() if isinstance(ref, generic.IndirectObject) else ref
        two_bytes = _get(font, "/Subtype") == "/Type0"
        fonts[name] = (_unicode_map(font), two_bytes)
    return fonts


def _runs(stream: bytes, resources, depth: int = 0) -> list[str]:
    fonts = _fonts(resources)
    runs: list[str] = []
    operands: list = []
    array: list | None = None
    current = (None, False)
    for match in TOKEN.finditer(stream):
        kind, token = match.lastgroup, match.group()
        if kind == "space":
            continue
        if kind == "array":
            if token == b"[":
                array = []
            else:
                operands.append(array or [])
                array = None
            continue
        value = {
            "hex": lambda t: ("string", _hex(t)),
            "literal": lambda t: ("string", _literal(t)),
            "name": lambda t: ("name", t.decode("latin-1")),
            "number": lambda t: ("number", t),
        }.get(kind, lambda t: None)(token)
        if value is not None:
            (array if array is not None else operands).append(value)
            continue
        if kind != "op":
            continue
        op = token.decode("latin-1")
        if op == "Tf" and len(operands) >= 2 and operands[-2][0] == "name":
            current = fonts.get(operands[-2][1], (None, False))
        elif op in ("Tj", "'", '"') and operands and operands[-1][0] == "string":
            runs.append(_decode(operands[-1][1], *current))
        elif op == "TJ" and operands and isinstance(operands[-1], list):
            runs.append(
                "".join(_decode(v[1], *current) for v in operands[-1] if v and v[0] == "string")
            )
        elif op == "Do" and operands and operands[-1][0] == "name" and depth < 4:
            runs += _form_runs(resources, operands[-1][1], depth)
        operands = []
    return runs


def _form_runs(resources, name: str, depth: int) -> list[str]:
    xobject = _get(_get(resources, "/XObject"), name)
    if xobject is None or _get(xobject, "/Subtype") != "/Form":
        return []
    return _runs(xobject.data, _get(xobject, "/Resources") or resources, depth + 1)


def _pages(node):
    node = node.get_object()
    if "/Kids" in node:
        for kid in node["/Kids"]:
            yield from _pages(kid)
    else:
        yield node


def text_runs(reader) -> list[str]:
    """Every text run of every page, in drawing order."""
    runs: list[str] = []
    for page in _pages(reader.root["/Pages"]):
        contents = _get(page, "/Contents")
        if contents is None:
            continue
        streams = contents if isinstance(contents, generic.ArrayObject) else [contents]
        data = b"\n".join(s.get_object().data for s in streams)
        runs += _runs(data, _get(page, "/Resources"))
    return runs


def normalised(runs: list[str]) -> str:
    """The runs as one line: joined by spaces, every run of white space one space."""
    return " ".join(" ".join(runs).split())
