"""Cheap facts about an uploaded PDF, learnt before pyHanko's full analysis runs.

Anyone can upload to the verification page, and pyHanko's work grows with the number of
revisions (incremental updates) in a file: reading them is linear, its difference analysis
quadratic (3,000 tiny appended updates took 23-48 s). A genuine proces-verbaal has two
revisions, so these checks look at no more than a handful of them, whatever the file holds.
"""

import contextlib
import io
import os
import re

from pyhanko.pdf_utils.decode_limits import DecodeContext, DecodeLimits
from pyhanko.pdf_utils.reader import process_data_at_eof
from pyhanko.pdf_utils.rw_common import PdfHandler
from pyhanko.pdf_utils.xref import XRefBuilder

_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def last_byte_range_end(data: bytes) -> int | None:
    """Where the byte range of the signature written last ends (offset of its second part plus
    its length), read from the bytes; None when there is no readable one.

    A signature dictionary is never compressed (its byte range is filled in after writing),
    so the last one in the file is the last signature. An attacker can fake this hint (a
    /ByteRange in a comment), but only to be sent on to the bounded checks that follow."""
    at = data.rfind(b"/ByteRange")
    if at < 0:
        return None
    match = _BYTE_RANGE.match(data, at, at + 200)
    if match is None:
        return None
    _start, _length, second_start, second_length = (int(value) for value in match.groups())
    return second_start + second_length


class _Enough(Exception):
    pass


class _CountingXRefBuilder(XRefBuilder):
    """pyHanko's own cross-reference reader (so the count is exactly the number of revisions
    its reader will find, following /Prev from the last startxref, with or without %%EOF
    markers in between), stopped as soon as there are more than `stop_after`."""

    def __init__(self, *args, stop_after: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.stop_after = stop_after
        self.counted = 0

    def _counted(self, previous):
        self.counted += 1
        if self.counted > self.stop_after:
            raise _Enough
        return previous

    def _read_xref_table(self, declared_startxref: int):
        return self._counted(super()._read_xref_table(declared_startxref))

    def _read_xref_stream(self, declared_startxref: int):
        return self._counted(super()._read_xref_stream(declared_startxref))


class _XrefOnlyHandler(PdfHandler):
    """What reading cross-reference sections needs of a document: the same lenient mode and
    decoding limits as the verification's reader. It resolves no objects (neither does a
    reader before its cross-references are read)."""

    strict = False

    def __init__(self, size: int):
        self._decode_context = DecodeContext(DecodeLimits(), input_size=size)

    @property
    def decode_context(self) -> DecodeContext:
        return self._decode_context


def count_revisions(data: bytes, *, stop_after: int) -> int:
    """The number of revisions in `data`, or stop_after + 1 when there are more.

    Raises pyHanko's read errors for a file whose cross-references cannot be read."""
    stream = io.BytesIO(data)
    stream.seek(-1, os.SEEK_END)
    builder = _CountingXRefBuilder(
        handler=_XrefOnlyHandler(len(data)),
        stream=stream,
        strict=False,
        last_startxref=process_data_at_eof(stream),
        stop_after=stop_after,
    )
    with contextlib.suppress(_Enough):
        builder.read_xrefs()
    return builder.counted
