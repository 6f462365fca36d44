"""queue index: task_candidate carries the task's due date; rows only while the task is open

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("task_candidate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_task_candidate_queue", ["who", "due_at", "task_id"], unique=False)
    # A claimed task is no longer in a queue; the others take their task's due date.
    op.execute(
        "DELETE FROM task_candidate WHERE task_id IN (SELECT id FROM human_task WHERE status <> 'open')"
    )
    op.execute(
        "UPDATE task_candidate SET due_at = (SELECT due_at FROM human_task WHERE human_task.id = task_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("task_candidate", schema=None) as batch_op:
        batch_op.drop_index("ix_task_candidate_queue")
        batch_op.drop_column("due_at")
