"""budget: a data record row's kind is as long as its submission's data kind (32 characters), so the
monthly kinds (`electricity_monthly`, `metered_energy_monthly`) fit on PostgreSQL.

Revision ID: 0007_budget
Revises: 0003_report_summaries
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_budget"
down_revision = "0005_metering"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submission_rows") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=16), type_=sa.String(length=32))


def downgrade() -> None:
    with op.batch_alter_table("submission_rows") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=32), type_=sa.String(length=16))
