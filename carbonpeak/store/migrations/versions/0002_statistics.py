"""statistics records: a submission may be a data record of a kind (energy balance, GDP …) and year
instead of a round's progress report; its rows carry a region, a flag and a source.

- submissions.round_id becomes nullable (a data record belongs to no round);
- submissions: dataset (the data kind, NULL for round reports), year, flag (published | estimated |
  sample), source (the document the record transcribes);
- submission_rows: region, flag, source (a row may be more specific than its record).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.alter_column("round_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("dataset", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("flag", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("source", sa.Text(), nullable=True))
        batch.create_index("ix_submissions_dataset_year", ["dataset", "year"])
    with op.batch_alter_table("submission_rows") as batch:
        batch.add_column(sa.Column("region", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("flag", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("source", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submission_rows") as batch:
        batch.drop_column("source")
        batch.drop_column("flag")
        batch.drop_column("region")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_dataset_year")
        batch.drop_column("source")
        batch.drop_column("flag")
        batch.drop_column("year")
        batch.drop_column("dataset")
        batch.alter_column("round_id", existing_type=sa.Integer(), nullable=False)
