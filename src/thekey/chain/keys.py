"""Managed keys: named, encrypted keystore v3 files in a keys folder.

Two folders are read: TheKey's own (``THEKEY_KEYS_DIR``, default ``~/.thekey/keys``) and ape's
(``$APE_DATA_FOLDER/accounts``, default ``~/.ape/accounts``), used as they are — ape writes the
same format (``<alias>.json`` holding eth-account's ``Account.encrypt`` output). A key's alias is
its file name without ``.json``. New and imported keys go to TheKey's folder unless told otherwise.

Secrets (private keys, mnemonics, passwords) are passed in by the caller; nothing here prints,
logs or returns them, and no error message quotes them.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from thekey.chain.accounts import from_keystore, from_private_key, write_keystore
from thekey.errors import BadInput
from thekey.hashing import to_checksum_address

KEYS_DIR_ENV = "THEKEY_KEYS_DIR"
APE_DATA_ENV = "APE_DATA_FOLDER"
DEFAULT_PATH = "m/44'/60'/0'/0/0"
_ALIAS = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,63}$")
_PATH = re.compile(r"^m(/\d+'?)+$")


def keys_dir() -> Path:
    """TheKey's keys folder: ``THEKEY_KEYS_DIR``, else ``~/.thekey/keys``."""
    env = os.environ.get(KEYS_DIR_ENV)
    return Path(env).expanduser() if env else Path.home() / ".thekey" / "keys"


def ape_accounts_dir() -> Path:
    """The folder ape keeps its keystores in: ``$APE_DATA_FOLDER/accounts``, else ``~/.ape/accounts``."""
    env = os.environ.get(APE_DATA_ENV)
    return (Path(env).expanduser() if env else Path.home() / ".ape") / "accounts"


@dataclass(frozen=True)
class ManagedKey:
    """A keystore file found in a keys folder (the key itself stays encrypted)."""

    alias: str
    address: str
    path: Path
    source: str  # "thekey" or "ape"

    def unlock(self, password: str | None = None) -> LocalAccount:
        """Decrypt the key: ``password``, else ``THEKEY_KEYSTORE_PASSWORD``, else a hidden prompt."""
        return from_keystore(self.path, password)


def check_alias(alias: str) -> str:
    if not _ALIAS.fullmatch(alias):
        raise BadInput(f"not a key alias: {alias!r} (a letter, then up to 63 letters, digits, '.', '_' or '-')")
    return alias


def _read(path: Path, source: str) -> ManagedKey | None:
    """The key in ``path``, or None when the file is not a keystore with an address."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        address = to_checksum_address("0x" + str(data["address"]).lower().removeprefix("0x"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return ManagedKey(path.stem, address, path, source)


def list_keys(folder: Path | None = None, ape_folder: Path | None = None) -> list[ManagedKey]:
    """Every managed key: TheKey's folder first, then ape's, each sorted by alias."""
    found: list[ManagedKey] = []
    for source, where in (("thekey", folder or keys_dir()), ("ape", ape_folder or ape_accounts_dir())):
        if where.is_dir():
            found += [k for p in sorted(where.glob("*.json")) if (k := _read(p, source)) is not None]
    return found


def find_key(name: str, folder: Path | None = None, ape_folder: Path | None = None) -> ManagedKey:
    """The managed key named ``name`` (an alias, or an address one of them holds)."""
    keys = list_keys(folder, ape_folder)
    for key in keys:
        if key.alias == name or key.address.lower() == name.strip().lower():
            return key
    where = f"{folder or keys_dir()} or {ape_folder or ape_accounts_dir()}"
    raise BadInput(f"no managed key {name!r} in {where} (see `thekey account list`)")


def check_path(path: str) -> str:
    if not _PATH.fullmatch(path):
        raise BadInput(f"not a derivation path: {path!r} (e.g. {DEFAULT_PATH})")
    return path


def account_from_mnemonic(mnemonic: str, path: str = DEFAULT_PATH) -> LocalAccount:
    """The account a BIP-39 mnemonic derives at ``path`` (BIP-32/44)."""
    check_path(path)
    Account.enable_unaudited_hdwallet_features()
    try:
        account: LocalAccount = Account.from_mnemonic(" ".join(mnemonic.split()), account_path=path)
    except Exception:  # eth-account raises several types; the message could quote the words
        raise BadInput("not a valid BIP-39 mnemonic (words or checksum wrong)") from None
    return account


def account_from_secret(secret: str, *, mnemonic: bool = False, path: str = DEFAULT_PATH) -> LocalAccount:
    """The account of a raw private key, or of a mnemonic at ``path``."""
    return account_from_mnemonic(secret, path) if mnemonic else from_private_key(secret)


def store_key(alias: str, account: LocalAccount, password: str, folder: Path | None = None) -> ManagedKey:
    """Encrypt ``account`` as ``<folder>/<alias>.json`` (mode 0600). Refuses an alias already
    taken in either folder, and an empty password."""
    check_alias(alias)
    if not password:
        raise BadInput("an empty password: a managed key must be encrypted with a password")
    for key in list_keys(folder):
        if key.alias == alias:
            raise BadInput(f"alias {alias!r} is taken ({key.path}); pick another")
    path = write_keystore(account, (folder or keys_dir()) / f"{alias}.json", password)
    return ManagedKey(alias, account.address, path, "thekey")


def new_key(alias: str, password: str, folder: Path | None = None) -> ManagedKey:
    """Create a fresh random key and store it."""
    check_alias(alias)
    account: LocalAccount = Account.create()
    return store_key(alias, account, password, folder)
