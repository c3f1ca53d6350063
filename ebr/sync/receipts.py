"""The hub's signed receipts: Ed25519 over the canonical JSON of (chain_id, seq, hash, received_at).

Ed25519 signatures are deterministic, so the hub signs the same receipt again for a resent run
(the stored event keeps its ``received_at``) and the station gets what it got the first time.
The station pins the hub's public key; ``key_id`` (the first 16 hex digits of the SHA-256 of the
raw public key) names it in each receipt so a rotated key is told apart from a forged receipt.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ebr.chain import canonical


class ReceiptInvalid(Exception):
    """A receipt that is malformed or whose signature does not verify with the pinned key."""


@dataclass(frozen=True)
class Receipt:
    chain_id: str
    seq: int
    hash: str
    received_at: str
    key_id: str
    signature: str  # base64 of the 64-byte Ed25519 signature

    def signed_text(self) -> bytes:
        return signed_text(self.chain_id, self.seq, self.hash, self.received_at)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: Any) -> Receipt:
        if not isinstance(value, dict):
            raise ReceiptInvalid("a receipt is a JSON object")
        try:
            receipt = cls(
                chain_id=str(value["chain_id"]),
                seq=int(value["seq"]),
                hash=str(value["hash"]),
                received_at=str(value["received_at"]),
                key_id=str(value["key_id"]),
                signature=str(value["signature"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ReceiptInvalid(f"a receipt lacks or mistypes {exc}") from None
        return receipt


def signed_text(chain_id: str, seq: int, hash_: str, received_at: str) -> bytes:
    body = {"chain_id": chain_id, "seq": seq, "hash": hash_, "received_at": received_at}
    return canonical(body).encode("utf-8")


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(private: Ed25519PrivateKey, chain_id: str, seq: int, hash_: str, received_at: str) -> Receipt:
    signature = private.sign(signed_text(chain_id, seq, hash_, received_at))
    return Receipt(
        chain_id, seq, hash_, received_at, key_id(private.public_key()), base64.b64encode(signature).decode()
    )


def check(receipt: Receipt, public: Ed25519PublicKey) -> None:
    """Raise ReceiptInvalid unless the pinned key signed exactly this receipt."""
    if receipt.key_id != key_id(public):
        raise ReceiptInvalid(
            f"receipt for seq {receipt.seq} names key {receipt.key_id}, not the pinned hub key"
        )
    try:
        public.verify(base64.b64decode(receipt.signature, validate=True), receipt.signed_text())
    except (InvalidSignature, ValueError):
        raise ReceiptInvalid(f"receipt for seq {receipt.seq}: the signature does not verify") from None


def new_private_key(path: Path) -> Ed25519PrivateKey:
    """Make a hub signing key (PEM, PKCS#8, mode 0600) and its public key beside it (``.pub``)."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.touch(mode=0o600)
    path.write_bytes(pem)
    public_path(path).write_bytes(public_pem(private.public_key()))
    return private


def public_path(private_path: Path) -> Path:
    return private_path.with_name(private_path.name + ".pub")


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The pinned hub key from a PEM file; ValueError (one line) for anything else."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (ValueError, TypeError):
        raise ValueError(f"{path}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path}: not an Ed25519 public key")
    return key
