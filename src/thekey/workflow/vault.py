"""Encrypted off-chain records (step 6): AES-256-GCM content, one key per record, wrapped per reader.

A record's content key is wrapped for each reader with X25519 ECIES: an ephemeral key pair,
ECDH with the reader's public key, HKDF-SHA256 to a key-encryption key, AES-GCM over the
content key. The record id is bound into every AEAD as associated data, so a wrapped key or a
ciphertext moved to another record fails to open. Only the ``content_hash`` (keccak-256 of
the plaintext) may go on chain; the vault itself is a local SQLite file.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from thekey.errors import BadInput, TheKeyError
from thekey.hashing import keccak
from thekey.ids import HexFields

INFO = b"thekey/vault/v1 key-wrap"


class VaultError(TheKeyError):
    """A record cannot be opened: unknown, not shared with this reader, or tampered with."""


def public_bytes(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _kek(shared: bytes, record_id: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=record_id, info=INFO).derive(shared)


@dataclass(frozen=True)
class SealedRecord(HexFields):
    record_id: bytes  # keccak-256 of the plaintext: the content hash
    nonce: bytes
    ciphertext: bytes


class Vault:
    """A local store of sealed records and their wrapped keys."""

    def __init__(self, path: Path | str = ":memory:") -> None:
        self.db = sqlite3.connect(str(path), check_same_thread=False)
        self.db.executescript(
            "CREATE TABLE IF NOT EXISTS records (id BLOB PRIMARY KEY, nonce BLOB NOT NULL, ciphertext BLOB NOT NULL);"
            "CREATE TABLE IF NOT EXISTS wrapped_keys (record_id BLOB NOT NULL, reader BLOB NOT NULL,"
            " ephemeral BLOB NOT NULL, nonce BLOB NOT NULL, wrapped BLOB NOT NULL, PRIMARY KEY (record_id, reader));"
        )

    def seal(self, plaintext: bytes, readers: list[X25519PublicKey]) -> SealedRecord:
        """Encrypt ``plaintext`` under a fresh key and wrap that key for each reader."""
        record_id = keccak(plaintext)
        key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        record = SealedRecord(record_id, nonce, AESGCM(key).encrypt(nonce, plaintext, record_id))
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?)", (record_id, nonce, record.ciphertext))
            for reader in readers:
                self._wrap(record_id, key, reader)
        return record

    def share(self, record_id: bytes, owner: X25519PrivateKey, reader: X25519PublicKey) -> None:
        """Let ``reader`` open a record ``owner`` can open (the content is not re-encrypted)."""
        key = self._unwrap(record_id, owner)
        with self.db:
            self._wrap(record_id, key, reader)

    def open(self, record_id: bytes, reader: X25519PrivateKey) -> bytes:
        """Decrypt a record; raises VaultError unless shared with ``reader`` and intact."""
        key = self._unwrap(record_id, reader)
        row = self.db.execute("SELECT nonce, ciphertext FROM records WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise VaultError(f"no record 0x{record_id.hex()}")
        try:
            plaintext = AESGCM(key).decrypt(row[0], row[1], record_id)
        except InvalidTag:
            raise VaultError(f"record 0x{record_id.hex()} was tampered with") from None
        if keccak(plaintext) != record_id:
            raise VaultError(f"record 0x{record_id.hex()} does not match its content hash")
        return plaintext

    def _wrap(self, record_id: bytes, key: bytes, reader: X25519PublicKey) -> None:
        ephemeral = X25519PrivateKey.generate()
        nonce = os.urandom(12)
        wrapped = AESGCM(_kek(ephemeral.exchange(reader), record_id)).encrypt(nonce, key, record_id)
        self.db.execute(
            "INSERT OR REPLACE INTO wrapped_keys VALUES (?, ?, ?, ?, ?)",
            (record_id, public_bytes(reader), public_bytes(ephemeral.public_key()), nonce, wrapped),
        )

    def _unwrap(self, record_id: bytes, reader: X25519PrivateKey) -> bytes:
        if len(record_id) != 32:
            raise BadInput("a record id is 32 bytes")
        row = self.db.execute(
            "SELECT ephemeral, nonce, wrapped FROM wrapped_keys WHERE record_id = ? AND reader = ?",
            (record_id, public_bytes(reader.public_key())),
        ).fetchone()
        if row is None:
            raise VaultError(f"record 0x{record_id.hex()} is not shared with this reader")
        shared = reader.exchange(X25519PublicKey.from_public_bytes(row[0]))
        try:
            return AESGCM(_kek(shared, record_id)).decrypt(row[1], row[2], record_id)
        except InvalidTag:
            raise VaultError(f"the key of record 0x{record_id.hex()} was tampered with") from None
