"""The tables of the password policy (21 CFR 11.300), imported by ``ebr.models``.

``password_policy`` is master data: one row (id ``site``) that a site's master-data file sets
(``password_policy:``), sealed and audited like every other master-data row. Without it the
safe defaults of ``ebr.password_policy`` apply.

``password_history`` keeps the argon2id hash of every password a user was given (initial,
reset, own), with when: what "no reuse of the last N" and the ageing are judged by. It is
insert-only, never exported and never in an audit event's payload (a hash is no password,
but a list of them is still nobody's business but the check's).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ebr.models import Base, UtcTimestamp, _uid


class PasswordPolicyRow(Base):
    __tablename__ = "password_policy"
    uid: Mapped[str] = _uid()
    id: Mapped[str] = mapped_column(String(16), unique=True)  # "site"
    min_length: Mapped[int] = mapped_column(Integer)
    min_classes: Mapped[int] = mapped_column(Integer)
    history: Mapped[int] = mapped_column(Integer)
    max_age_days: Mapped[int | None] = mapped_column(Integer)


class PasswordHistory(Base):
    __tablename__ = "password_history"
    __table_args__ = (Index(None, "user_id", "set_at"),)
    uid: Mapped[str] = _uid()
    user_id: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)
