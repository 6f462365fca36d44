"""audit checkpoints (the heads of every chain, themselves chained) and the auditors' access log

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 05:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=150), nullable=True),
        sa.Column("chains", sa.Integer(), nullable=False),
        sa.Column("heads", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_table(
        "audit_access",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("actor", sa.String(length=150), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("params", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_access", schema=None) as batch_op:
        batch_op.create_index("ix_audit_access_instance", ["instance_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_access_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_access_at"), ["at"], unique=False)
    # Checkpoints and the access log are append-only like the events they vouch for.
    for table in ("audit_checkpoint", "audit_access"):
        if op.get_context().dialect.name == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
            )
        else:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END"
                )


def downgrade() -> None:
    for table in ("audit_checkpoint", "audit_access"):
        if op.get_context().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    with op.batch_alter_table("audit_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_access_at"))
        batch_op.drop_index(batch_op.f("ix_audit_access_actor"))
        batch_op.drop_index("ix_audit_access_instance")
    op.drop_table("audit_access")
    op.drop_table("audit_checkpoint")
