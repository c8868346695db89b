"""Hostile uploads built from a valid filled template, each with the (rule, location) it must get.

`python tests/collection/hostile.py NAME` parses one of them in a fresh process and prints JSON:
the problems found, the seconds taken and how far the peak resident memory rose during the parse
(MB, from getrusage), so a test or benchmarks/load.py can bound memory without risking its own
process.
"""

from __future__ import annotations

import io
import json
import re
import struct
import sys
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

SHEET = "xl/worksheets/sheet2.xml"  # the 指标 sheet of the test template


def _rezip(
    xlsx: bytes, member: str, change: Callable[[bytes], bytes], extra: dict[str, bytes] | None = None
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, change(body) if info.filename == member else body)
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def _before_sheetdata_end(xml: bytes, rows: bytes) -> bytes:
    return xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)


def far_cell(xlsx: bytes, ref: str = "XFD1048576") -> bytes:
    """One number cell at `ref`: openpyxl's iter_rows walks every position up to it."""
    row = re.sub(r"[A-Z]", "", ref)
    return _rezip(
        xlsx,
        SHEET,
        lambda x: _before_sheetdata_end(x, f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>'.encode()),
    )


def many_rows(xlsx: bytes, n: int = 200_000) -> bytes:
    """`n` more (empty) rows after the template's."""
    rows = b"".join(b'<row r="%d"/>' % r for r in range(100, 100 + n))
    return _rezip(xlsx, SHEET, lambda x: _before_sheetdata_end(x, rows))


def long_cell(xlsx: bytes, n: int = 2_000_000) -> bytes:
    """An inline string of `n` characters in cell F5 (说明)."""
    cell = b'<row r="90"><c r="F90" t="inlineStr"><is><t>' + b"x" * n + b"</t></is></c></row>"
    return _rezip(xlsx, SHEET, lambda x: _before_sheetdata_end(x, cell))


def nan_cell(xlsx: bytes) -> bytes:
    """A number cell holding NaN (openpyxl fails the whole file on it)."""
    return _rezip(
        xlsx, SHEET, lambda x: _before_sheetdata_end(x, b'<row r="90"><c r="D90"><v>NaN</v></c></row>')
    )


def padded_nan_cell(xlsx: bytes) -> bytes:
    """A number cell holding NaN behind 100 spaces (a check reading only a value's first 64
    characters let it through)."""
    cell = b'<row r="90"><c r="D90"><v>' + b" " * 100 + b"NaN</v></c></row>"
    return _rezip(xlsx, SHEET, lambda x: _before_sheetdata_end(x, cell))


def utf16_dtd(xlsx: bytes) -> bytes:
    """The workbook part re-encoded as UTF-16 with an entity declaration (a byte search misses it)."""

    def change(xml: bytes) -> bytes:
        text = xml.decode("utf-8")
        text = text.split("?>", 1)[-1] if text.startswith("<?xml") else text
        doc = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY a "aaaaaaaa">]>' + text
        return doc.encode("utf-16")

    return _rezip(xlsx, "xl/workbook.xml", change)


def renamed_dtd(xlsx: bytes) -> bytes:
    """A part under a name that is not .xml, declaring entities."""
    body = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "a">]><x>&a;</x>'
    return _rezip(xlsx, "", lambda x: x, {"xl/media/data.bin": body})


def lying_member(xlsx: bytes, inflated: int = 200_000_000) -> bytes:
    """The 指标 sheet replaced by `inflated` bytes of zeros that declare 100 bytes (a 200 MB stream
    deflates to about 200 kB)."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = b"\x00" * (1 << 20)
    parts = [deflater.compress(block) for _ in range(inflated // len(block))]
    parts.append(deflater.flush())
    compressed = b"".join(parts)
    members: list[tuple[str, bytes, int, int]] = []  # name, compressed, declared size, crc
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src:
        for info in src.infolist():
            if info.filename == SHEET:
                members.append((info.filename, compressed, 100, 0))
            else:
                body = src.read(info)
                c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
                members.append((info.filename, c.compress(body) + c.flush(), len(body), zlib.crc32(body)))
    out, central = io.BytesIO(), io.BytesIO()
    for name, comp, size, crc in members:
        offset = out.tell()
        raw = name.encode()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(comp), size, len(raw), 0))
        out.write(raw + comp)
        central.write(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(comp),
                size,
                len(raw),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw
        )
    start = out.tell()
    out.write(central.getvalue())
    out.write(
        struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central.getvalue()), start, 0
        )
    )
    return out.getvalue()


# name → (builder, the (rule, location) it must get)
CORPUS: dict[str, tuple[Callable[[bytes], bytes], tuple[str, str]]] = {
    "cell_at_XFD1048576": (far_cell, ("sheet.extent", "指标!1048576:XFD")),
    "cell_at_I200000": (lambda x: far_cell(x, "I200000"), ("sheet.extent", "指标!200000:I")),
    "rows_200000": (many_rows, ("sheet.rows", "指标!10092:A")),
    "cell_2M_chars": (long_cell, ("cell.too_long", "指标!90:F")),
    "nan_number": (nan_cell, ("cell.type", "指标!90:D")),
    "nan_number_padded": (padded_nan_cell, ("cell.type", "指标!90:D")),
    "utf16_dtd": (utf16_dtd, ("file.xml_entities", "a.xlsx")),
    "renamed_dtd": (renamed_dtd, ("file.xml_entities", "a.xlsx")),
    "member_under_declared_200MB": (lying_member, ("file.inflated_size", "a.xlsx")),
}


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def measure(name: str) -> dict[str, object]:
    """Build `name`, then parse it here: problems, seconds, peak RSS rise (MB) during the parse."""
    sys.path.insert(0, str(Path(__file__).parent))
    from collection_helpers import fill, full_spec, valid_answers

    from carbonpeak.collection import build_template, parse_upload
    from carbonpeak.errors import UploadError

    spec = full_spec()
    data = CORPUS[name][0](fill(build_template(spec), valid_answers(spec)))
    del fill, valid_answers
    before = _rss_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM) to the current RSS
    start = time.perf_counter()
    try:
        parse_upload(data, "a.xlsx", spec)
        problems: list[dict[str, object]] = []
    except UploadError as err:
        problems = [dict(p.as_dict()) for p in err.problems]
    seconds = time.perf_counter() - start
    peak = _rss_kb("VmHWM")
    return {
        "name": name,
        "bytes": len(data),
        "problems": problems,
        "seconds": seconds,
        "rss_rise_mb": round((peak - before) / 1024, 1),
    }


if __name__ == "__main__":
    import resource

    # a regression fails here with MemoryError instead of taking the machine down
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    print(json.dumps(measure(sys.argv[1]), ensure_ascii=False))
