"""The audit log: every write appended with user, time, action, object and a hash chained to the last.

    hash_n = SHA-256( prev_hash | seq | at | username | action | object_type | object_id | detail )

with `prev_hash` of the first entry 64 zeros and `detail` canonical JSON (sorted keys, no spaces).
`audit_head` holds the seq and hash of the last entry, written in the same transaction, so that
deleting the newest entries is detected as well. Appends are serialised: SQLite transactions begin
IMMEDIATE (store/db.py), PostgreSQL locks the head row. The table refuses UPDATE and DELETE by
trigger; `verify_chain` finds what someone with enough rights to drop the trigger changed anyway.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

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
) -> str:
    parts = [prev_hash, str(seq), at, username, action, object_type, object_id, detail]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


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
    at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    user = username or SYSTEM_USER
    detail_json = canonical_json(detail or {})
    digest = entry_hash(head.hash, seq, at, user, action, object_type, str(object_id), detail_json)
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


def verify_chain(session: Session) -> list[ChainFault]:
    """Every break in the audit chain; an empty list when the log is intact."""
    faults: list[ChainFault] = []
    prev_hash, expected_seq = GENESIS, 1
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
        digest = entry_hash(
            e.prev_hash, e.seq, e.at, e.username, e.action, e.object_type, e.object_id, e.detail
        )
        if digest != e.hash:
            faults.append(
                ChainFault(
                    e.seq, "edited", f"entry {e.seq} ({e.action} {e.object_type} {e.object_id}) edited"
                )
            )
        prev_hash, expected_seq = e.hash, e.seq + 1
    head = session.get(AuditHead, 1)
    last_seq = expected_seq - 1
    if head is not None and (head.seq != last_seq or head.hash != prev_hash):
        if head.seq > last_seq:
            faults.append(
                ChainFault(last_seq + 1, "missing", f"entries {last_seq + 1}–{head.seq} deleted at the end")
            )
        else:
            faults.append(ChainFault(head.seq, "head", "the head record does not match the last entry"))
    return faults


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
