"""datastore tables of link resources: the URL fetched, when, and how many bytes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 04:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("datastore_table") as batch:
        batch.add_column(sa.Column("source_url", sa.Text(), nullable=True))
        batch.add_column(sa.Column("fetched_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("fetched_bytes", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("datastore_table") as batch:
        batch.drop_column("fetched_bytes")
        batch.drop_column("fetched_at")
        batch.drop_column("source_url")
