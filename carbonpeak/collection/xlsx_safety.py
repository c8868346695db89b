"""Checks on an upload's bytes before any parser sees them: size, type, zip bomb, XML entities.

An .xlsx is a zip archive of XML parts. Before openpyxl opens one, `container_problems` reads only
the zip's central directory (no decompression) and rejects:

- bytes that are not a zip (`file.not_zip`), or an OLE2 file, i.e. a legacy .xls or a
  password-encrypted workbook (`file.legacy_xls`);
- a zip that is not a workbook (`file.not_xlsx`);
- a declared total uncompressed size, a per-member compression ratio or a member count above
  `UploadLimits` (`file.zip_bomb`).

Declared sizes bound the real work: Python's zipfile stops inflating a member at its declared
`file_size` and fails its CRC check if the data goes on, so a member that lies about its size fails
to open (`file.unreadable`) instead of filling memory. Only after these checks are the XML parts
read (within the declared limit) and scanned for a DTD (`file.xml_entities`).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from carbonpeak.collection.rules import problem
from carbonpeak.errors import Problem

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header, or the end record of an empty zip
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOK_PARTS = ("[Content_Types].xml", "xl/workbook.xml")


@dataclass(frozen=True)
class UploadLimits:
    """Limits on an upload (bytes). A reporting unit's template is tens of kB; the defaults leave room."""

    max_bytes: int = 5_000_000
    # the largest template of the packaged plan (38 tasks, 32 projects) is 19 kB zipped, 78 kB of XML;
    # openpyxl peaked at 8× the XML in memory (tracemalloc: 4.3 MB of sheet XML, 20,000 rows → 33 MB)
    max_uncompressed_bytes: int = 10_000_000
    max_ratio: float = 200.0  # per member; worksheets of repeated styled cells compress about 10–100×
    ratio_floor_bytes: int = 1_000_000  # members smaller than this are not ratio-checked
    max_members: int = 500

    def text(self) -> str:
        return f"≤ {self.max_uncompressed_bytes} B, ratio ≤ {self.max_ratio:g}, ≤ {self.max_members} members"


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
    """Problems of the bytes as a zip/xlsx, read from the zip directory only; [] when safe to open."""
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
    ratios = [i.file_size / max(i.compress_size, 1) for i in infos if i.file_size >= limits.ratio_floor_bytes]
    worst = max(ratios, default=0.0)
    if total > limits.max_uncompressed_bytes or worst > limits.max_ratio or len(infos) > limits.max_members:
        return [
            problem(
                "file.zip_bomb",
                filename,
                total,
                size=total,
                ratio=f"{worst:.0f}",
                members=len(infos),
                limit=limits.text(),
            )
        ]
    names = {i.filename for i in infos}
    if not all(part in names for part in WORKBOOK_PARTS):
        return [problem("file.not_xlsx", filename, filename=filename)]
    return []


def entity_problems(data: bytes, filename: str) -> list[Problem]:
    """XML parts that declare a DTD (the door to entity expansion); call after `container_problems`."""
    out = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if not info.filename.endswith((".xml", ".rels", ".vml")):
                    continue
                head = archive.read(info)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    out.append(problem("file.xml_entities", filename, info.filename, member=info.filename))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        return [problem("file.unreadable", filename, detail=str(exc) or type(exc).__name__)]
    return out
