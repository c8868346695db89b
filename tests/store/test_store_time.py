"""Timestamps are timezone-aware end to end: SQLite's DATETIME keeps no offset, and read back naive
they were served as `2024-05-01T08:00:00` (schemathesis ST108: not an RFC 3339 date-time)."""

from __future__ import annotations

import datetime as dt

from carbonpeak.services.users import create_user
from carbonpeak.store.models import ApiToken, User

BEIJING = dt.timezone(dt.timedelta(hours=8))


def test_timestamps_read_back_aware_and_as_the_same_instant(database, tiny_plan):
    from carbonpeak.services.init import init_database

    init_database(database, tiny_plan)
    at = dt.datetime(2024, 5, 1, 16, 30, tzinfo=BEIJING)
    with database.session() as s:
        user = create_user(s, username="u", password="correct horse 1", role="office", unit_code="office")
        s.add(ApiToken(user_id=user.id, kind="api", name="t", token_sha256="0" * 64, expires_at=at))
        s.commit()
    with database.session() as s:  # a new session: values come from the database, not the identity map
        token = s.query(ApiToken).one()
        created = s.get(User, user.id).created_at
    assert token.expires_at == at and token.expires_at.utcoffset() == dt.timedelta(0)
    assert created.tzinfo is not None and created.utcoffset() == dt.timedelta(0)
    assert token.expires_at.isoformat() == "2024-05-01T08:30:00+00:00"
