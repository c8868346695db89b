"""The audit log: every write appended with user, time, action, object and a keyed hash chained to the last.

    hash_n = HMAC-SHA-256( key, prev_hash | seq | at | username | action | object_type | object_id | detail )

with `prev_hash` of the first entry 64 zeros and `detail` canonical JSON (sorted keys, no spaces).
The key (`Settings.resolved_audit_key`) lives outside the database and reaches this module through
the session (`session.info["audit_key"]`, set by store.Database). Entries written before keying
(seq < `audit_head.keyed_from`), or by a Database built without a key, use plain SHA-256.
`audit_head` holds the seq and hash of the last entry, written in the same transaction, so that
deleting the newest entries is detected as well. Appends are serialised: SQLite transactions begin
IMMEDIATE (store/db.py), PostgreSQL locks the head row. The table refuses UPDATE and DELETE by
trigger; `verify_chain` finds what someone with enough rights to drop the trigger changed anyway.

What it protects against, and what not (docs/operations.md says the same):
- someone with write access to the database but not the key cannot delete, edit or insert an entry
  and recompute the later hashes: without the key the hashes cannot be recomputed;
- the exported head (`export_head`, written by `carbonpeak audit export-head` and by every backup)
  pins the last entry known: truncating the log back past it, or rewriting the whole chain, is
  found by `verify_chain(..., anchor=...)`;
- it does not stop someone holding both the key and the database; entries written after the last
  exported head can be removed from the end unseen by the anchor; it records writes, it does not
  prevent them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import IntegrityError
from carbonpeak.store.models import AuditEntry, AuditHead

GENESIS = "0" * 64
SYSTEM_USER = "system"


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def entry_hash(
    prev_hash: str,
    seq: int,
    at: str,
    username: str,
    action: str,
    object_type: str,
    object_id: str,
    detail: str,
    *,
    key: bytes = b"",
) -> str:
    """HMAC-SHA-256 of the fields under `key`; plain SHA-256 when `key` is empty (entries before keying)."""
    message = "\x1f".join(
        [prev_hash, str(seq), at, username, action, object_type, object_id, detail]
    ).encode()
    if key:
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    return hashlib.sha256(message).hexdigest()


def session_key(session: Session) -> bytes:
    """The audit key the session's Database was built with (b"" without one)."""
    key = session.info.get("audit_key", b"")
    return key if isinstance(key, bytes) else str(key).encode()


def record(
    session: Session,
    *,
    username: str | None,
    action: str,
    object_type: str,
    object_id: object,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry inside the caller's transaction (it commits with the write it records)."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    seq = head.seq + 1
    key = session_key(session)
    if key and head.keyed_from is None:
        head.keyed_from = seq
    elif not key and head.keyed_from is not None:
        raise IntegrityError(
            "the audit log is keyed: writing needs the audit key "
            "(CARBONPEAK_AUDIT_KEY or <data_dir>/.audit_key)",
            message_zh="审计日志已启用密钥：写入需要审计密钥（CARBONPEAK_AUDIT_KEY 或 数据目录/.audit_key）",
        )
    at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    user = username or SYSTEM_USER
    detail_json = canonical_json(detail or {})
    digest = entry_hash(head.hash, seq, at, user, action, object_type, str(object_id), detail_json, key=key)
    entry = AuditEntry(
        seq=seq,
        at=at,
        username=user,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail_json,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(entry)
    head.seq, head.hash = seq, digest
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainFault:
    """One break in the chain: the entry (`seq`) where it shows and what is wrong there."""

    seq: int
    rule: str  # edited | missing | head
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"seq": self.seq, "rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class HeadAnchor:
    """The head of the chain as exported outside the database, MAC'd with the audit key."""

    seq: int
    hash: str
    keyed_from: int | None
    exported_at: str
    mac: str

    def as_dict(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "hash": self.hash,
            "keyed_from": self.keyed_from,
            "exported_at": self.exported_at,
            "mac": self.mac,
        }


def _anchor_mac(key: bytes, seq: int, digest: str, keyed_from: int | None, at: str) -> str:
    message = f"audit-head\x1f{seq}\x1f{digest}\x1f{keyed_from}\x1f{at}".encode()
    return hmac.new(key or b"unkeyed", message, hashlib.sha256).hexdigest()


def export_head(session: Session) -> HeadAnchor:
    """The current head (seq, hash, keyed_from) with its MAC, to be kept outside the database."""
    head = session.get(AuditHead, 1)
    seq, digest, keyed_from = (head.seq, head.hash, head.keyed_from) if head else (0, GENESIS, None)
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return HeadAnchor(
        seq, digest, keyed_from, at, _anchor_mac(session_key(session), seq, digest, keyed_from, at)
    )


def write_anchor(anchor: HeadAnchor, path: Path) -> None:
    """Write the anchor to `path` atomically (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(anchor.as_dict(), indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def read_anchor(path: Path) -> HeadAnchor | None:
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return HeadAnchor(
        int(data["seq"]),
        str(data["hash"]),
        data.get("keyed_from"),
        str(data["exported_at"]),
        str(data["mac"]),
    )


def verify_chain(session: Session, *, anchor: HeadAnchor | None = None) -> list[ChainFault]:
    """Every break in the audit chain, and against `anchor` (the last exported head) when given;
    an empty list when the log is intact."""
    faults: list[ChainFault] = []
    key = session_key(session)
    head = session.get(AuditHead, 1)
    keyed_from = head.keyed_from if head is not None else None
    if keyed_from is not None and not key:
        return [
            ChainFault(keyed_from, "key", "the audit key is not available: keyed entries cannot be checked")
        ]
    prev_hash, expected_seq = GENESIS, 1
    hashes: dict[int, str] = {}
    for e in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
        if e.seq != expected_seq:
            missing = f"{expected_seq}" if e.seq == expected_seq + 1 else f"{expected_seq}–{e.seq - 1}"
            faults.append(
                ChainFault(expected_seq, "missing", f"entry {missing} deleted (next present: {e.seq})")
            )
        elif e.prev_hash != prev_hash:
            faults.append(
                ChainFault(e.seq, "edited", f"entry {e.seq - 1} changed: the link of {e.seq} breaks")
            )
        entry_key = key if keyed_from is not None and e.seq >= keyed_from else b""
        digest = entry_hash(
            e.prev_hash,
            e.seq,
            e.at,
            e.username,
            e.action,
            e.object_type,
            e.object_id,
            e.detail,
            key=entry_key,
        )
        if digest != e.hash:
            faults.append(
                ChainFault(
                    e.seq, "edited", f"entry {e.seq} ({e.action} {e.object_type} {e.object_id}) edited"
                )
            )
        if anchor is not None and e.seq == anchor.seq:
            hashes[e.seq] = e.hash
        prev_hash, expected_seq = e.hash, e.seq + 1
    last_seq = expected_seq - 1
    if head is not None and (head.seq != last_seq or head.hash != prev_hash):
        if head.seq > last_seq:
            faults.append(
                ChainFault(last_seq + 1, "missing", f"entries {last_seq + 1}–{head.seq} deleted at the end")
            )
        else:
            faults.append(ChainFault(head.seq, "head", "the head record does not match the last entry"))
    if anchor is not None:
        faults.extend(_anchor_faults(anchor, key, keyed_from, last_seq, hashes))
    return faults


def _anchor_faults(
    anchor: HeadAnchor, key: bytes, keyed_from: int | None, last_seq: int, hashes: dict[int, str]
) -> list[ChainFault]:
    mac = _anchor_mac(key, anchor.seq, anchor.hash, anchor.keyed_from, anchor.exported_at)
    if not hmac.compare_digest(mac, anchor.mac):
        return [ChainFault(anchor.seq, "anchor", "the exported head was not written with this audit key")]
    if anchor.seq > last_seq:
        return [
            ChainFault(
                last_seq + 1,
                "missing",
                f"entries {last_seq + 1}–{anchor.seq} deleted: the head exported at {anchor.exported_at} "
                f"had {anchor.seq}",
            )
        ]
    if anchor.seq and hashes.get(anchor.seq) != anchor.hash:
        return [
            ChainFault(
                anchor.seq,
                "rewritten",
                f"entry {anchor.seq} differs from the head exported at {anchor.exported_at}: "
                "the chain up to it was rewritten",
            )
        ]
    if anchor.keyed_from != keyed_from:
        return [ChainFault(anchor.seq, "rewritten", "the keyed part of the chain was moved since the export")]
    return []


def list_entries(
    session: Session,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    return list(session.execute(query.limit(limit).offset(offset)).scalars())
