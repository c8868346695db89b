"""Alembic environment, run programmatically by carbonpeak.store.migrate (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context

from carbonpeak.store.models import Base

config = context.config
target_metadata = Base.metadata

connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - offline mode is not used
    raise RuntimeError("carbonpeak migrations run through carbonpeak.store.migrate.upgrade(engine)")

context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
