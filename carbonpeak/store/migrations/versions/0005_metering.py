"""metering: refused SenML packs (counted on a unit's quality page). A retried bulk intake is
recognised by its Idempotency-Key (carbonpeak/api/idempotency.py, table idempotency_keys).

The meter register itself is a data record (kind meter_register, submission_rows); the readings are
Parquet files (metering/storage.py).

Revision ID: 0005_metering
Revises: 0004_idempotency
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_metering"
down_revision = "0004_idempotency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metering_rejections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=32), nullable=False),
        sa.Column("meter", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("message_zh", sa.Text(), nullable=False),
        sa.Column("message_en", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_metering_rejections_uscc", "metering_rejections", ["uscc", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_metering_rejections_uscc", table_name="metering_rejections")
    op.drop_table("metering_rejections")
