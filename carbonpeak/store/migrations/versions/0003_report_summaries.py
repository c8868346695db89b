"""report summaries: the office's text of a report's narrative sections (append-only, audited).

Revision ID: 0003_report_summaries
Revises: 0002s_security
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_report_summaries"
down_revision = "0002s_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=32), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_summaries_kind_year", "report_summaries", ["kind", "year", "section"])


def downgrade() -> None:
    op.drop_index("ix_report_summaries_kind_year", table_name="report_summaries")
    op.drop_table("report_summaries")
