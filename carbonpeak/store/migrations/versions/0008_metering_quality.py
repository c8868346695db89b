"""metering quality: each assessment's quality index per unit and month (metering/quality.py
UnitIndex), kept with its history in the relational store.

Revision ID: 0008_metering_quality
Revises: 0007_budget
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_metering_quality"
down_revision = "0007_budget"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metering_quality",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("completeness", sa.Float(), nullable=False),
        sa.Column("time_labels", sa.Float(), nullable=False),
        sa.Column("validity", sa.Float(), nullable=False),
        sa.Column("timeliness", sa.Float(), nullable=False),
        sa.Column("report_match", sa.Float(), nullable=False),
        sa.Column("calibration", sa.Float(), nullable=False),
        sa.Column("index", sa.Float(), nullable=False),
        sa.Column("faults", sa.Integer(), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_metering_quality_unit_month", "metering_quality", ["uscc", "month", "assessed_at"])


def downgrade() -> None:
    op.drop_index("ix_metering_quality_unit_month", table_name="metering_quality")
    op.drop_table("metering_quality")
