"""JP ledger: hours of competency development credited per employee and year

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jp_credit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nip", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("jp", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("credited_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id"),
    )
    op.create_index("ix_jp_credit_nip_year", "jp_credit", ["nip", "year"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_jp_credit_nip_year", table_name="jp_credit")
    op.drop_table("jp_credit")
