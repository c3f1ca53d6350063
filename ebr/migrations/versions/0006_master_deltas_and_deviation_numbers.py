"""Master data pulled from the hub and central deviation numbers: the hub's signed, versioned
master-data deltas and the numbers it gives deviations; at the station, the deltas it applied
and the central numbers it learnt. All insert-only.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 22:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: Union[str, None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

APPEND_ONLY = ("hub_master_deltas", "hub_deviation_numbers", "master_pulls", "deviation_numbers")


def upgrade() -> None:
    op.create_table(
        "hub_master_deltas",
        sa.Column("version", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("signed_at", sa.String(length=27), nullable=False),
        sa.Column("signer_id", sa.String(length=64), nullable=True),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_hub_master_deltas")),
    )
    op.create_table(
        "hub_deviation_numbers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("chain_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("deviation_uid", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.String(length=27), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_deviation_numbers")),
        sa.UniqueConstraint("chain_id", "seq", name=op.f("uq_hub_deviation_numbers_chain_id_seq")),
    )
    op.create_table(
        "master_pulls",
        sa.Column("version", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("signer_id", sa.String(length=64), nullable=True),
        sa.Column("signed_at", sa.String(length=27), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("applied_at", sa.String(length=27), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_master_pulls")),
    )
    op.create_table(
        "deviation_numbers",
        sa.Column("deviation_uid", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("chain_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.String(length=27), nullable=False),
        sa.PrimaryKeyConstraint("deviation_uid", name=op.f("pk_deviation_numbers")),
        sa.UniqueConstraint("number", name=op.f("uq_deviation_numbers_number")),
    )
    # mes_refuse_change() was made by 0001 on PostgreSQL.
    for table in APPEND_ONLY:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION mes_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION mes_refuse_change()"
            )
        else:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"
                )


def downgrade() -> None:
    for table in reversed(APPEND_ONLY):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.drop_table(table)
