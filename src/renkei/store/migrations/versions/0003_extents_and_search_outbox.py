"""extents and search outbox

Revision ID: 0003
Revises: 0002
Existing datasets get their extents and index entries from `renkei search reindex`.

Create Date: 2026-11-27 23:43:58.055276
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("package_id", sa.String(length=36), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("package", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bbox_west", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("bbox_south", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("bbox_east", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("bbox_north", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("temporal_start", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("temporal_end", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("package", schema=None) as batch_op:
        batch_op.drop_column("temporal_end")
        batch_op.drop_column("temporal_start")
        batch_op.drop_column("bbox_north")
        batch_op.drop_column("bbox_east")
        batch_op.drop_column("bbox_south")
        batch_op.drop_column("bbox_west")

    op.drop_table("search_outbox")
