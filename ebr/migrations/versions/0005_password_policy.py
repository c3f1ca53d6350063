"""The password policy (21 CFR 11.300): the site's policy as master data, and the insert-only
history of password hashes. Each user who has a password gets its hash into the history, set
when the trail last recorded one (imported, reset or changed), or now where it holds none.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 22:00:00

"""

import datetime as dt
import uuid
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: Union[str, None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "password_policy",
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("min_length", sa.Integer(), nullable=False),
        sa.Column("min_classes", sa.Integer(), nullable=False),
        sa.Column("history", sa.Integer(), nullable=False),
        sa.Column("max_age_days", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_password_policy")),
        sa.UniqueConstraint("id", name=op.f("uq_password_policy_id")),
    )
    op.create_table(
        "password_history",
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("set_at", sa.String(length=27), nullable=False),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_password_history")),
    )
    op.create_index(
        op.f("ix_password_history_user_id_set_at"), "password_history", ["user_id", "set_at"], unique=False
    )
    bind = op.get_bind()
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    users = bind.execute(sa.text("SELECT id, password_hash FROM users WHERE password_hash IS NOT NULL"))
    history = sa.table(
        "password_history",
        sa.column("uid"),
        sa.column("user_id"),
        sa.column("password_hash"),
        sa.column("set_at"),
    )
    rows = []
    for user_id, password_hash in users.all():
        last = bind.execute(
            sa.text(
                "SELECT max(occurred_at) FROM audit_events WHERE stream = 'site' AND entity_type = 'user' "
                "AND entity_id = :user AND action IN ('master.user.added', 'user.password_reset', "
                "'user.password_changed')"
            ),
            {"user": user_id},
        ).scalar()
        rows.append({"uid": str(uuid.uuid4()), "user_id": user_id, "password_hash": password_hash,
                     "set_at": last or now})  # fmt: skip
    if rows:
        op.bulk_insert(history, rows)
    # mes_refuse_change() was made by 0001 on PostgreSQL.
    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER password_history_append_only BEFORE UPDATE OR DELETE ON password_history "
            "FOR EACH ROW EXECUTE FUNCTION mes_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER password_history_no_truncate BEFORE TRUNCATE ON password_history "
            "FOR EACH STATEMENT EXECUTE FUNCTION mes_refuse_change()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER password_history_no_{verb.lower()} BEFORE {verb} ON password_history "
                f"BEGIN SELECT RAISE(ABORT, 'password_history is append-only: {verb} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS password_history_append_only ON password_history")
        op.execute("DROP TRIGGER IF EXISTS password_history_no_truncate ON password_history")
    op.drop_index(op.f("ix_password_history_user_id_set_at"), table_name="password_history")
    op.drop_table("password_history")
    op.drop_table("password_policy")
