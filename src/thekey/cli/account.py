"""``thekey account …``: managed keys (encrypted keystore v3 files), TheKey's and ape's.

Secrets never come from the command line: a private key or mnemonic and the password are read
from a hidden prompt, or from an environment variable whose *name* an option gives.
"""

from __future__ import annotations

import os
from getpass import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from thekey.chain.keys import (
    DEFAULT_PATH,
    KEYS_DIR_ENV,
    ManagedKey,
    account_from_secret,
    ape_accounts_dir,
    check_alias,
    check_path,
    keys_dir,
    list_keys,
    new_key,
    store_key,
)
from thekey.cli.common import JsonOut, Session, console
from thekey.errors import BadInput

app = typer.Typer(
    rich_markup_mode=None,
    help="Managed signing keys: list, create, import (use one with --account ALIAS).",
    no_args_is_help=True,
)

Alias = Annotated[str, typer.Argument(help="The key's name (a letter, then letters, digits, '.', '_', '-').")]
KeysDir = Annotated[
    Path | None,
    typer.Option(
        "--keys-dir",
        envvar=KEYS_DIR_ENV,
        help="Folder of TheKey's keystores [default: ~/.thekey/keys]. ape's ~/.ape/accounts is always read too.",
        file_okay=False,
        show_default=False,
    ),
]
PasswordEnv = Annotated[
    str | None,
    typer.Option(
        "--password-env",
        metavar="NAME",
        help="Read the new key's password from the environment variable NAME [default: a hidden prompt].",
    ),
]


def _from_env(name: str, what: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise BadInput(f"environment variable {name} (the {what}) is not set or empty")
    return value


def _new_password(password_env: str | None) -> str:
    if password_env is not None:
        return _from_env(password_env, "password")
    first = getpass("Password for the new keystore: ")
    if getpass("Repeat the password: ") != first:
        raise BadInput("the two passwords differ; nothing was written")
    return first


def _row(key: ManagedKey) -> dict[str, str]:
    return {"alias": key.alias, "address": key.address, "source": key.source, "path": str(key.path)}


def _emit_key(session: Session, key: ManagedKey, verb: str) -> None:
    session.emit(_row(key), f"{verb} key {key.alias!r}: {key.address} ({key.path})")


@app.command("list")
def list_(keys_dir_opt: KeysDir = None, json_out: JsonOut = False) -> None:
    """List managed keys (alias, address, where) from TheKey's folder and ape's."""
    keys = list_keys(keys_dir_opt)
    session = Session(json=json_out)

    def human() -> None:
        if not keys:
            console.print(f"no managed keys in {keys_dir_opt or keys_dir()} or {ape_accounts_dir()}", highlight=False)
            return
        table = Table()
        for column in ("alias", "address", "source", "path"):
            table.add_column(column)
        for k in keys:
            table.add_row(k.alias, k.address, k.source, str(k.path))
        console.print(table)

    session.emit([_row(k) for k in keys], human)


@app.command("new")
def new(
    alias: Alias, password_env: PasswordEnv = None, keys_dir_opt: KeysDir = None, json_out: JsonOut = False
) -> None:
    """Create a new random key, encrypted under a password, as ALIAS."""
    check_alias(alias)
    key = new_key(alias, _new_password(password_env), keys_dir_opt)
    _emit_key(Session(json=json_out), key, "created")


@app.command("import")
def import_(
    alias: Alias,
    mnemonic: Annotated[
        bool, typer.Option("--mnemonic", help="The secret is a BIP-39 mnemonic [default: a raw private key].")
    ] = False,
    path: Annotated[str, typer.Option("--path", help="With --mnemonic: the BIP-32 derivation path.")] = DEFAULT_PATH,
    secret_env: Annotated[
        str | None,
        typer.Option(
            "--secret-env",
            metavar="NAME",
            help="Read the private key or mnemonic from the environment variable NAME [default: a hidden prompt].",
        ),
    ] = None,
    password_env: PasswordEnv = None,
    keys_dir_opt: KeysDir = None,
    json_out: JsonOut = False,
) -> None:
    """Import a key from a raw private key or a BIP-39 mnemonic, encrypted as ALIAS."""
    check_alias(alias)
    check_path(path)
    what = "mnemonic" if mnemonic else "private key"
    secret = _from_env(secret_env, what) if secret_env is not None else getpass(f"{what.capitalize()}: ")
    account = account_from_secret(secret, mnemonic=mnemonic, path=path)
    del secret
    key = store_key(alias, account, _new_password(password_env), keys_dir_opt)
    _emit_key(Session(json=json_out), key, "imported")
