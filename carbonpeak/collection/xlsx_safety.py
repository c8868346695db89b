"""Checks on an upload's bytes before any parser allocates for them: size, type, zip, XML, sheet extent.

An .xlsx is a zip archive of XML parts. openpyxl trusts them: `iter_rows` walks every position up
to the farthest cell (one cell at XFD1048576 in a 20 kB file is 17 billion positions), merged
ranges become one object per cell, and a number it cannot read is a "damaged file". So before
openpyxl opens a workbook, `container_problems` and then `part_problems` decide, in bounded memory:

1. from the zip's central directory only (no decompression): not a zip / a legacy .xls /
   not a workbook, and the *declared* total size and member count (`file.zip_bomb`). No ratio
   limit: a high ratio is harmless once inflation is counted (step 2), and a legitimate long
   cell of repeated text compresses 500×;
2. streaming every member through zlib in 64 kB steps and through a real XML parser (expat),
   stopping at the first limit reached:
   - the bytes actually inflated, per member and in total, whatever the member declares
     (`file.inflated_size`); a member inflating to more or less than it declares is damaged;
   - a DTD in any part that parses as XML, whatever its name or encoding (UTF-16 included)
     (`file.xml_entities`);
   - in every worksheet: the number of rows (`sheet.rows`), a cell or merged range beyond
     `max_rows` × `max_columns` (`sheet.extent`), a cell's text longer than `max_cell_chars`
     (`cell.too_long`, also for shared strings), a number cell that is not a finite number
     (`cell.type`, e.g. NaN), each located at its cell.

After these pass, openpyxl reads at most `max_uncompressed_bytes` of XML holding cells within
the limits. Memory stays bounded by the 64 kB steps plus what expat holds for one element.
"""

from __future__ import annotations

import io
import math
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from carbonpeak.collection.rules import problem
from carbonpeak.errors import Problem
from carbonpeak.validation import column_letter

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header, or the end record of an empty zip
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOK_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
CHUNK = 64 * 1024
EXCEL_MAX_CELL_CHARS = 32_767  # Excel itself stores no longer text in a cell


@dataclass(frozen=True)
class UploadLimits:
    """Limits on an upload. A reporting unit's template is tens of kB, under 100 rows and 12 columns;
    the defaults leave room and keep openpyxl's work under about 100 MB and a second."""

    max_bytes: int = 5_000_000
    # the largest template of the packaged plan (38 tasks, 32 projects) is 19 kB zipped, 78 kB of XML;
    # openpyxl peaked at 8× the XML in memory (tracemalloc: 4.3 MB of sheet XML, 20,000 rows → 33 MB)
    max_uncompressed_bytes: int = 10_000_000  # declared and actually inflated, all members together
    max_members: int = 500
    max_rows: int = 10_000  # rows per sheet, and the farthest row a cell may be in
    max_columns: int = 64  # the farthest column a cell may be in (BL)
    max_cell_chars: int = EXCEL_MAX_CELL_CHARS

    def text(self) -> str:
        return f"≤ {self.max_uncompressed_bytes} B, ≤ {self.max_members} members"


DEFAULT_LIMITS = UploadLimits()


def file_kind(filename: str) -> str | None:
    """`xlsx` or `csv` from the file name's extension (case-insensitive); None for anything else."""
    name = filename.lower().strip()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".csv"):
        return "csv"
    return None


def bytes_problems(data: bytes, filename: str, limits: UploadLimits) -> list[Problem]:
    """Problems visible without opening anything: empty, too large, wrong type."""
    if not data:
        return [problem("file.empty", filename, filename=filename)]
    out = []
    if len(data) > limits.max_bytes:
        out.append(problem("file.too_large", filename, len(data), size=len(data), limit=limits.max_bytes))
    if file_kind(filename) is None:
        out.append(problem("file.type", filename, filename, filename=filename))
    return out


def container_problems(data: bytes, filename: str, limits: UploadLimits) -> list[Problem]:
    """Problems of the bytes as a zip/xlsx, read from the zip directory only; [] when safe to stream."""
    if data.startswith(OLE2_MAGIC):
        return [problem("file.legacy_xls", filename, filename=filename)]
    if not data.startswith(ZIP_MAGIC):
        return [problem("file.not_zip", filename, filename=filename)]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        return [problem("file.unreadable", filename, detail=str(exc) or type(exc).__name__)]
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes or len(infos) > limits.max_members:
        return [
            problem("file.zip_bomb", filename, total, size=total, members=len(infos), limit=limits.text())
        ]
    names = {i.filename for i in infos}
    if not all(part in names for part in WORKBOOK_PARTS):
        return [problem("file.not_xlsx", filename, filename=filename)]
    return []


# -- streaming the members ------------------------------------------------------------------------
class _Stop(Exception):
    """Raised inside a parser callback to stop reading at the first limit reached."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found.rule)
        self.problem = found


class _Damaged(Exception):
    pass


def _inflate(data: bytes, info: zipfile.ZipInfo, budget: int, filename: str, limit: int) -> Iterator[bytes]:
    """The member's bytes in steps of at most CHUNK, never more than `budget` in total (`_Stop`
    with `file.inflated_size` beyond), checked against its CRC and declared size at the end."""
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise _Damaged(f"{info.filename}: no local header")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_len + extra_len
    compressed = memoryview(data)[start : start + info.compress_size]
    if info.flag_bits & 0x1:
        raise _Damaged(f"{info.filename}: encrypted")
    if info.compress_type == zipfile.ZIP_STORED:
        steps: Iterator[bytes] = (bytes(compressed[i : i + CHUNK]) for i in range(0, len(compressed), CHUNK))
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        steps = _deflate_steps(compressed, info.filename)
    else:
        raise _Damaged(f"{info.filename}: compression method {info.compress_type}")
    size, crc = 0, 0
    for step in steps:
        size += len(step)
        if size > budget:
            found = problem(
                "file.inflated_size",
                filename,
                size,
                member=info.filename,
                declared=info.file_size,
                limit=limit,
            )
            raise _Stop(found)
        crc = zlib.crc32(step, crc)
        yield step
    if size != info.file_size or crc != info.CRC:
        raise _Damaged(f"{info.filename}: inflates to {size} B, declares {info.file_size} B (or a bad CRC)")


def _deflate_steps(compressed: memoryview, name: str) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    for i in range(0, len(compressed), CHUNK):
        pending = bytes(compressed[i : i + CHUNK])
        while not inflater.eof:
            try:
                out = inflater.decompress(pending, CHUNK)  # at most CHUNK out per call: memory stays flat
            except zlib.error as exc:
                raise _Damaged(f"{name}: {exc}") from None
            if out:
                yield out
            pending = inflater.unconsumed_tail
            if not pending and len(out) < CHUNK:
                break


_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


_SINGLE = [chr(65 + i) for i in range(26)]
_COLUMNS = {ref: _column_number(ref) for ref in [*_SINGLE, *(a + b for a in _SINGLE for b in _SINGLE)]}


@dataclass
class _Part:
    """What one pass over an XML part found: its root element, and for a worksheet its faults."""

    name: str
    limits: UploadLimits
    long_strings: set[int]
    root: str | None = None
    row: int = 0
    col: int = 0
    rows_seen: int = 0
    cell_type: str = "n"
    in_value: bool = False
    text_len: int = 0
    value_head: list[str] = field(default_factory=list)
    string_index: int = -1  # shared strings: the index of the <si> being read
    in_si: bool = False
    sheet_names: dict[str, str] = field(default_factory=dict)  # workbook: r:id → sheet name
    targets: dict[str, str] = field(default_factory=dict)  # rels: Id → Target
    faults: list[tuple[str, int, int, dict[str, object]]] = field(default_factory=list)
    parser: Any = None  # the expat parser reading the part (its handlers are swapped for a worksheet)

    def stop(self, rule: str, row: int, col: int, **fields: object) -> None:
        self.faults.append((rule, row, col, fields))
        raise _Stop(problem("file.unreadable", self.name, detail=rule))  # replaced by the located fault

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if self.root is None:
            self.root = local
            if local == "worksheet" and self.parser is not None:
                # a worksheet has hundreds of thousands of elements: its own lean handlers
                self.parser.StartElementHandler = self._sheet_element
                self.parser.EndElementHandler = self._sheet_end
                self.parser.CharacterDataHandler = self._sheet_text
        if self.root == "worksheet":
            self._sheet_element(tag, attrs)
        elif self.root == "sst" and local == "si":
            self.string_index += 1
            self.in_si, self.text_len = True, 0
        elif self.root == "workbook" and local == "sheet":
            rid = next((v for k, v in attrs.items() if k.endswith("id") and k != "sheetId"), "")
            self.sheet_names[rid] = attrs.get("name", "")
        elif self.root == "Relationships" and local == "Relationship":
            self.targets[attrs.get("Id", "")] = attrs.get("Target", "")

    def _sheet_element(self, tag: str, attrs: dict[str, str]) -> None:
        local = tag if ":" not in tag else tag.rsplit(":", 1)[-1]
        if local == "c":  # the commonest element, read here; every other one in _sheet_start
            m = _REF.match(attrs.get("r", ""))
            if m:
                letters = m[1]
                col = _COLUMNS.get(letters)
                self.col, self.row = (_column_number(letters) if col is None else col), int(m[2])
            else:
                self.col += 1
            lim = self.limits
            if self.row > lim.max_rows or self.col > lim.max_columns:
                self.stop("sheet.extent", self.row, self.col, **self._extent_fields())
            self.cell_type = attrs.get("t", "n")
        else:
            self._sheet_start(local, attrs)

    def _sheet_text(self, data: str) -> None:
        if self.in_value:
            self.text_len += len(data)
            if self.text_len > self.limits.max_cell_chars:
                self.stop("cell.too_long", self.row, self.col, limit=self.limits.max_cell_chars)
            self.value_head.append(data)

    def _sheet_end(self, tag: str) -> None:
        if self.in_value:
            self._value_end(tag if ":" not in tag else tag.rsplit(":", 1)[-1])

    def _sheet_start(self, local: str, attrs: dict[str, str]) -> None:
        lim = self.limits
        if local == "v" or local == "t":
            if self.row:
                self.in_value, self.text_len, self.value_head = True, 0, []
        elif local == "row":
            self.rows_seen += 1
            self.row = int(attrs["r"]) if attrs.get("r", "").isdigit() else self.row + 1
            self.col = 0
            if self.rows_seen > lim.max_rows:
                self.stop("sheet.rows", self.row, 1, limit=lim.max_rows)
        elif local == "mergeCell":
            for corner in attrs.get("ref", "").split(":"):
                m = _REF.match(corner)
                if m and (int(m[2]) > lim.max_rows or _column_number(m[1]) > lim.max_columns):
                    self.stop("sheet.extent", int(m[2]), _column_number(m[1]), **self._extent_fields())

    def _extent_fields(self) -> dict[str, object]:
        lim = self.limits
        return {"limit": f"A1:{column_letter(lim.max_columns - 1)}{lim.max_rows}"}

    def text(self, data: str) -> None:
        if self.in_si:
            self.text_len += len(data)
        if self.in_value:
            self._value_text(data)

    def _value_text(self, data: str) -> None:
        self.text_len += len(data)
        if self.text_len > self.limits.max_cell_chars:
            self.stop("cell.too_long", self.row, self.col, limit=self.limits.max_cell_chars)
        # the whole value is kept (at most max_cell_chars): a number padded past any prefix is
        # still read in full
        self.value_head.append(data)

    def end(self, tag: str) -> None:
        local = _local(tag)
        if self.root == "sst" and local == "si":
            self.in_si = False
            if self.text_len > self.limits.max_cell_chars:
                self.long_strings.add(self.string_index)
            return
        if self.root != "worksheet" or not self.in_value:
            return
        self._value_end(local)

    def _value_end(self, local: str) -> None:
        if local != "v" and local != "t":
            return
        self.in_value = False
        if local == "t":
            return
        cell_type = self.cell_type
        if cell_type == "n":
            head = self.value_head
            value = (head[0] if len(head) == 1 else "".join(head)).strip()
            if value:
                try:
                    number = float(value)
                except ValueError:
                    number = math.nan
                if not math.isfinite(number):
                    self.stop("cell.type", self.row, self.col, value=value[:64])
        elif cell_type == "s" and self.long_strings:
            value = "".join(self.value_head).strip()
            if value.isdigit() and int(value) in self.long_strings:
                self.stop("cell.too_long", self.row, self.col, limit=self.limits.max_cell_chars)


def _local(tag: str) -> str:
    """An element's name without its namespace prefix (the parser runs without namespaces)."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _looks_like_xml(head: bytes) -> bool:
    """True for bytes an XML parser would take: a BOM or `<` first (UTF-8, or UTF-16 either way)."""
    head = head.lstrip(b" \t\r\n")
    return head.startswith((b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00"))


def part_problems(data: bytes, filename: str, limits: UploadLimits) -> list[Problem]:
    """Stream every member (call after `container_problems` found none): the first limit reached,
    located at its cell; [] when openpyxl may open the workbook. See the module docstring."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        return [problem("file.unreadable", filename, detail=str(exc) or type(exc).__name__)]
    # the workbook, its relationships and the shared strings first: a sheet's fault is then located
    # by the sheet's name, and a cell pointing at an over-long shared string by its cell
    first = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
    infos.sort(key=lambda i: (i.filename not in first, "sharedStrings" not in i.filename))
    budget = limits.max_uncompressed_bytes
    long_strings: set[int] = set()
    parts: list[_Part] = []
    for info in infos:
        if info.is_dir():
            continue
        part = _Part(info.filename, limits, long_strings)
        parser = expat.ParserCreate()
        part.parser = parser
        parser.buffer_text = True  # a text run in one call, not one per line or reference
        parser.buffer_size = 65536
        parser.StartElementHandler = part.start
        parser.EndElementHandler = part.end
        parser.CharacterDataHandler = part.text

        def refuse_dtd(*_: object, member: str = info.filename) -> None:
            raise _Stop(problem("file.xml_entities", filename, member, member=member))

        parser.StartDoctypeDeclHandler = refuse_dtd
        parser.EntityDeclHandler = refuse_dtd
        is_xml: bool | None = None
        size = 0
        try:
            for step in _inflate(data, info, budget, filename, limits.max_uncompressed_bytes):
                size += len(step)
                if is_xml is None:
                    is_xml = _looks_like_xml(step[:16])
                if is_xml:
                    parser.Parse(step, False)
            if is_xml:
                parser.Parse(b"", True)
        except _Stop as stop:
            if part.faults:
                return [_located(part, parts, filename)]
            return [stop.problem]
        except expat.ExpatError as exc:
            return [problem("file.unreadable", filename, detail=f"{info.filename}: {exc}")]
        except _Damaged as exc:
            return [problem("file.unreadable", filename, detail=str(exc))]
        budget -= size
        parts.append(part)
    return []


def _located(part: _Part, parts: list[_Part], filename: str) -> Problem:
    """The worksheet fault of `part` as a Problem at `sheet!row:column` (sheet named when the
    workbook and its relationships were read before it, else the part's path)."""
    rule, row, col, fields = part.faults[0]
    names: dict[str, str] = {}
    for wb in parts:
        if wb.root == "workbook":
            names.update(wb.sheet_names)
    targets: dict[str, str] = {}
    for rels in parts:
        if rels.root == "Relationships" and rels.name.endswith("workbook.xml.rels"):
            targets.update(rels.targets)
    sheet = part.name
    for rid, target in targets.items():
        path = target.lstrip("/")
        path = path if path.startswith("xl/") else "xl/" + path
        if path == part.name and rid in names:
            sheet = names[rid]
    where = f"{sheet}!{row}:{column_letter(col - 1)}"
    value = fields.pop("value", f"{column_letter(col - 1)}{row}" if rule == "sheet.extent" else None)
    return problem(rule, where, value, **fields)
