"""dataset views: page-view counts behind the home page's "most viewed"

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 01:47:09.173796
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dataset_views",
        sa.Column("package_id", sa.String(length=36), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("last_viewed", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["package_id"], ["package.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("package_id"),
    )
    with op.batch_alter_table("dataset_views", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_views_views"), ["views"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dataset_views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_views_views"))

    op.drop_table("dataset_views")
