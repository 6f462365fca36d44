"""org chart: units, employees, acting officials

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 02:37:44.764843
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "org_unit",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("head_nip", sa.String(length=32), nullable=True),
        sa.Column("service_unit", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["org_unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_org_unit_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "employee",
        sa.Column("nip", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("jabatan", sa.String(length=255), nullable=False),
        sa.Column("jenis_jabatan", sa.String(length=16), nullable=False),
        sa.Column("jenis_asn", sa.String(length=8), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("supervisor_nip", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("frontline", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["supervisor_nip"],
            ["employee.nip"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["org_unit.id"],
        ),
        sa.PrimaryKeyConstraint("nip"),
    )
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_employee_supervisor_nip"), ["supervisor_nip"], unique=False)
        batch_op.create_index(batch_op.f("ix_employee_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "acting_official",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=3), nullable=False),
        sa.Column("official_nip", sa.String(length=32), nullable=False),
        sa.Column("acting_nip", sa.String(length=32), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("decree", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["acting_nip"],
            ["employee.nip"],
        ),
        sa.ForeignKeyConstraint(
            ["official_nip"],
            ["employee.nip"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("acting_official", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_acting_official_official_nip"), ["official_nip"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("acting_official", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_acting_official_official_nip"))

    op.drop_table("acting_official")
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employee_unit_id"))
        batch_op.drop_index(batch_op.f("ix_employee_supervisor_nip"))

    op.drop_table("employee")
    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_org_unit_parent_id"))

    op.drop_table("org_unit")
