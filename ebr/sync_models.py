"""The tables of the sync with the central hub, at both ends (imported by ``ebr.models``).

The station: its chain's identity and the hub's signed receipts, both insert-only. The hub
(``mes-station hub serve``, on PostgreSQL): each station's chain as received, insert-only, with
the head it holds per chain and the alarms it raised. One Alembic history serves both ends, so
a hub database is made and upgraded like a station's.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ebr.models import Base, Seq


class ChainIdentity(Base):
    """The single row (id 1): the chain's id, made by the migration that brought sync."""

    __tablename__ = "chain_identity"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    chain_id: Mapped[str] = mapped_column(String(36), unique=True)


class SyncReceipt(Base):
    """A receipt the hub signed: it holds the chain up to ``seq``, whose hash is ``hash``."""

    __tablename__ = "sync_receipts"
    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    chain_id: Mapped[str] = mapped_column(String(36))
    hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[str] = mapped_column(String(27))
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(100))


class SyncAlarm(Base):
    """Something the sync refused that a person must look at (a fork, a forged receipt)."""

    __tablename__ = "sync_alarms"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[str] = mapped_column(String(27))


class HubChain(Base):
    """The hub's head of one station's chain. Pushes to a chain lock its row."""

    __tablename__ = "hub_chains"
    chain_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    station_id: Mapped[str] = mapped_column(String(64))
    head_seq: Mapped[int] = mapped_column(BigInteger)
    head_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(27))


class HubEvent(Base):
    """One event of a station's chain as the hub received it (checked, insert-only)."""

    __tablename__ = "hub_events"
    chain_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    uid: Mapped[str] = mapped_column(String(36))
    stream: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[str] = mapped_column(String(27))
    body: Mapped[str] = mapped_column(Text)  # the event and its record, canonical JSON as pushed


class HubAlarm(Base):
    """A refused run that is more than bad input: a fork or tamper, another station's chain."""

    __tablename__ = "hub_alarms"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chain_id: Mapped[str] = mapped_column(String(36))
    station_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[str] = mapped_column(String(27))


class HubMasterDelta(Base):
    """A master-data delta as the hub signed it at its import: ``body`` is the exact text the
    signature covers (``ebr.sync.masterdelta``); ``version`` counts from 1 without a gap."""

    __tablename__ = "hub_master_deltas"
    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    signed_at: Mapped[str] = mapped_column(String(27))
    signer_id: Mapped[str | None] = mapped_column(String(64))  # None: the hub's bootstrap import
    key_id: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(String(100))


class HubDeviationNumber(Base):
    """The central number the hub gave a deviation: ``DEV-{year}-{id:06d}``; ``id`` is the
    site-wide sequence (a PostgreSQL sequence: unique with any number of hub processes)."""

    __tablename__ = "hub_deviation_numbers"
    __table_args__ = (UniqueConstraint("chain_id", "seq"),)
    id: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    chain_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(BigInteger)
    deviation_uid: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    assigned_at: Mapped[str] = mapped_column(String(27))


class MasterPull(Base):
    """A hub master-data delta the station verified and applied (in the same transaction)."""

    __tablename__ = "master_pulls"
    version: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    sha256: Mapped[str] = mapped_column(String(64))
    signer_id: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[str] = mapped_column(String(27))
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(100))
    applied_at: Mapped[str] = mapped_column(String(27))


class DeviationNumber(Base):
    """The central number the hub gave one of the station's deviations, with the hub's signature."""

    __tablename__ = "deviation_numbers"
    deviation_uid: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    chain_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(Seq)
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[str] = mapped_column(String(27))


#: Insert-only at the database (triggers, as the record's tables).
SYNC_APPEND_ONLY_TABLES: tuple[str, ...] = (
    "chain_identity",
    "sync_receipts",
    "sync_alarms",
    "hub_events",
    "hub_alarms",
    "hub_master_deltas",
    "hub_deviation_numbers",
    "master_pulls",
    "deviation_numbers",
)
