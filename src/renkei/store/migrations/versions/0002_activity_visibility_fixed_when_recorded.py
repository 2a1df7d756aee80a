"""activity visibility fixed when recorded

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 23:35:37.082941
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("private", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Entries recorded before this column existed: the best knowledge is the dataset's privacy now.
    op.execute(
        "UPDATE activity SET private = (SELECT package.private FROM package "
        "WHERE package.id = activity.object_id) "
        "WHERE object_type = 'package' AND object_id IN (SELECT id FROM package)"
    )


def downgrade() -> None:
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_column("private")
