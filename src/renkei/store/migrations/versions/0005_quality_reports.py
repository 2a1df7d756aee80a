"""quality reports: the latest report per dataset/resource, and the history of totals

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 01:51:43.364536
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quality_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("package_id", sa.String(length=36), nullable=False),
        sa.Column("scored_at", sa.DateTime(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("band", sa.String(length=20), nullable=True),
        sa.Column("stars", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["package_id"], ["package.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quality_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_quality_history_package_scored", ["package_id", "scored_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_quality_history_scored_at"), ["scored_at"], unique=False
        )

    op.create_table(
        "quality_report",
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("package_id", sa.String(length=36), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("max_total", sa.Float(), nullable=False),
        sa.Column("band", sa.String(length=20), nullable=True),
        sa.Column("stars", sa.Integer(), nullable=True),
        sa.Column("scored_at", sa.DateTime(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["package_id"], ["package.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("subject_type", "subject_id"),
    )
    with op.batch_alter_table("quality_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quality_report_package_id"), ["package_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("quality_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quality_report_package_id"))

    op.drop_table("quality_report")
    with op.batch_alter_table("quality_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quality_history_scored_at"))
        batch_op.drop_index("ix_quality_history_package_scored")

    op.drop_table("quality_history")
