"""Equipment: the serial number the device reports, and a scale's minimum net weight.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 17:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "0002"
down_revision: Union[str, None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Master data (current state, not append-only): plain nullable columns; existing rows get
    # NULL (no serial known, no minimum weight), which the next import fills in.
    with op.batch_alter_table("equipment") as batch:
        batch.add_column(sa.Column("serial_number", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("scale_min_weight", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("equipment") as batch:
        batch.drop_column("scale_min_weight")
        batch.drop_column("serial_number")
