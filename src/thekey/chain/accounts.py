"""Signing keys: Anvil's well-known dev accounts, an environment key, or an encrypted keystore.

Private keys are never printed or logged by the SDK. The dev accounts are public knowledge
and only ever used against a local chain.
"""

from __future__ import annotations

import json
import os
from getpass import getpass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from thekey.errors import BadInput, ConfigError

DEV_MNEMONIC = "test test test test test test test test test test test junk"


def dev_accounts(count: int = 10, mnemonic: str = DEV_MNEMONIC) -> list[LocalAccount]:
    """The accounts Anvil funds by default (derivation path m/44'/60'/0'/0/i). Local chains only."""
    Account.enable_unaudited_hdwallet_features()
    return [Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{i}") for i in range(count)]


def from_private_key(key: str) -> LocalAccount:
    try:
        account: LocalAccount = Account.from_key(key.strip())
        return account
    except (ValueError, TypeError):
        raise BadInput("the private key is not a 32-byte hex string") from None


def from_keystore(path: Path, password: str | None = None) -> LocalAccount:
    """Decrypt an eth-account (Web3 Secret Storage) keystore. The password comes from the
    argument, else ``THEKEY_KEYSTORE_PASSWORD``, else an interactive prompt."""
    data = read_keystore(path)
    if password is None:
        password = os.environ.get("THEKEY_KEYSTORE_PASSWORD")
    if password is None:
        password = getpass(f"Password for {path}: ")
    try:
        key = Account.decrypt(data, password)
    except (KeyError, TypeError, AttributeError):
        raise BadInput(f"{path} is not a valid keystore: {_KEYSTORE_SHAPE}") from None
    except ValueError:  # eth-account's "MAC mismatch"
        raise BadInput(f"wrong password for keystore {path}") from None
    account: LocalAccount = Account.from_key(key)
    return account


_KEYSTORE_SHAPE = "expected a Web3 Secret Storage (keystore v3) JSON file"


def read_keystore(path: Path) -> dict[str, Any]:
    """The JSON of a keystore v3 file, checked for the fields decryption needs (no password asked)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot read keystore {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path} is not a keystore JSON file (not UTF-8 text)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise BadInput(f"{path} is not a keystore JSON file") from None
    crypto = data.get("crypto", data.get("Crypto")) if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or data.get("version") != 3
        or not isinstance(crypto, dict)
        or not {"cipher", "ciphertext", "kdf", "kdfparams", "mac"} <= crypto.keys()
    ):
        raise BadInput(f"{path} is not a keystore: {_KEYSTORE_SHAPE}")
    return data


def write_keystore(account: LocalAccount, path: Path, password: str) -> Path:
    """Encrypt ``account`` into a keystore file (mode 0600). Refuses to overwrite."""
    path = Path(path)
    if path.exists():
        raise BadInput(f"{path} already exists; refusing to overwrite a keystore")
    path.parent.mkdir(parents=True, exist_ok=True)
    blob = Account.encrypt(account.key, password)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(blob, f)
    return path


def signer_from_env(keystore: Path | None = None) -> LocalAccount:
    """The operator key for a non-local chain: ``--keystore`` file, else ``THEKEY_PRIVATE_KEY``."""
    if keystore is not None:
        return from_keystore(keystore)
    key = os.environ.get("THEKEY_PRIVATE_KEY")
    if key:
        return from_private_key(key)
    raise ConfigError("no signing key: set THEKEY_PRIVATE_KEY or pass --keystore FILE")
