"""``thekey wallet …``: the holder's encrypted wallet — receive, list, show, status, export, import, present.

The wallet file is ``--wallet`` / ``THEKEY_WALLET`` (default ``~/.thekey/wallet.json``), encrypted
under the passphrase in ``THEKEY_WALLET_PASSPHRASE`` or asked for at the prompt. Presenting signs the
KB-JWT with your account (``--account`` / ``--keystore`` / ``THEKEY_PRIVATE_KEY``), which must be
the key the credential is bound to.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from eth_account.signers.local import LocalAccount

from thekey.cli.common import (
    AccountOpt,
    ChainId,
    JsonOut,
    KeystoreOpt,
    RpcUrl,
    Session,
    console,
    dev_account,
    named_key,
    open_client,
)
from thekey.credentials import CredentialRegistry
from thekey.credentials.jws import public_jwk
from thekey.credentials.wallet import Wallet, default_path
from thekey.errors import BadInput
from thekey.parsing import read_text

app = typer.Typer(
    rich_markup_mode=None,
    help="The holder's wallet (encrypted at rest): receive credentials, list, show, check status, "
    "export/import, present to a verifier (SD-JWT VC with chosen claims, or W3C VC).",
    no_args_is_help=True,
)

WalletOpt = Annotated[
    Path | None,
    typer.Option(
        "--wallet", envvar="THEKEY_WALLET", help="The wallet file [default: ~/.thekey/wallet.json].", dir_okay=False
    ),
]
Ref = Annotated[str, typer.Argument(help="A credential's id in the wallet (0x…, or a unique prefix of 8+ characters).")]


def passphrase(confirm: bool = False) -> str:
    """``THEKEY_WALLET_PASSPHRASE``, else asked for at the terminal (never echoed)."""
    value = os.environ.get("THEKEY_WALLET_PASSPHRASE")
    if value is None:
        if not sys.stdin.isatty():
            raise BadInput("no wallet passphrase: set THEKEY_WALLET_PASSPHRASE or run at a terminal")
        value = str(typer.prompt("wallet passphrase", hide_input=True, confirmation_prompt=confirm))
    if not value:
        raise BadInput("an empty wallet passphrase")
    return value


def _open(path: Path | None) -> Wallet:
    where = path or default_path()
    return Wallet(where, passphrase(confirm=not where.exists()))


def _holder(account: str | None, keystore: Path | None) -> LocalAccount:
    """Your key, offline: --keystore, THEKEY_PRIVATE_KEY or a managed key, else a local dev account."""
    return named_key(account, keystore) or dev_account(account)


@app.command("key")
def wallet_key(account: AccountOpt = None, keystore: KeystoreOpt = None) -> None:
    """Print your public JWK: what an issuer binds an SD-JWT VC to (``credential issue --holder-jwk``)."""
    Session(json=True).emit(public_jwk(bytes(_holder(account, keystore).key)))


@app.command("receive")
def wallet_receive(
    file: Annotated[Path, typer.Argument(help="The credential file: W3C VC JSON, or an SD-JWT VC.", dir_okay=False)],
    wallet: WalletOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Keep a credential the issuer handed you (with every disclosure: the issuer is not needed again)."""
    item = _open(wallet).receive(read_text(file))
    s = item.summary()
    Session(json=json_out).emit(s, f"received {item.format} {item.id}: {s['type']} from {s['issuer']}")


@app.command("list")
def wallet_list(wallet: WalletOpt = None, json_out: JsonOut = False) -> None:
    """Every credential in the wallet."""
    items = [c.summary() for c in _open(wallet).credentials()]

    def human() -> None:
        if not items:
            console.print("the wallet is empty")
        for s in items:
            console.print(f"{s['id']}  {s['format']:<6} {s['type']}  from {s['issuer']}", highlight=False)

    Session(json=json_out).emit(items, human)


@app.command("show")
def wallet_show(ref: Ref, wallet: WalletOpt = None) -> None:
    """One credential: issuer, subject, type, validity and every claim (shown to you only)."""
    Session(json=True).emit(_open(wallet).get(ref).summary())


@app.command("status")
def wallet_status(
    ref: Ref, wallet: WalletOpt = None, rpc_url: RpcUrl = None, chain_id: ChainId = None, json_out: JsonOut = False
) -> None:
    """Check a held credential on chain (signature, issuer, anchor, status, validity, schema); exit 1 if any fails."""
    w = _open(wallet)
    session, reg = open_client(CredentialRegistry, rpc_url, chain_id, None, None, json_out)
    result = w.status(reg, ref)
    data = result.as_json()

    def human() -> None:
        console.print(("[green]VALID[/] " if result.valid else "[red]INVALID[/] ") + str(data["credentialHash"]))
        for c in result.checks:
            console.print(f"  {'[green]ok[/]  ' if c.ok else '[red]FAIL[/]'} {c.name}: {c.reason}", highlight=False)

    session.emit(data, human)
    if not result.valid:
        raise typer.Exit(1)


@app.command("export")
def wallet_export(
    out: Annotated[Path, typer.Option("--out", "-o", help="The backup file to write.", dir_okay=False)],
    wallet: WalletOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Write every credential to one encrypted file (same passphrase): a backup, or the wallet on another machine."""
    count = _open(wallet).export(out)
    Session(json=json_out).emit({"file": str(out), "count": count}, f"exported {count} credential(s) → {out}")


@app.command("import")
def wallet_import(
    file: Annotated[Path, typer.Argument(help="A file written by `wallet export`.", dir_okay=False)],
    wallet: WalletOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Add the credentials of an exported wallet file (same passphrase)."""
    count = _open(wallet).import_file(file)
    Session(json=json_out).emit({"imported": count}, f"imported {count} new credential(s)")


@app.command("present")
def wallet_present(
    ref: Ref,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the presentation.", dir_okay=False)],
    nonce: str = typer.Option(..., "--nonce", help="The verifier's challenge."),
    audience: str = typer.Option(..., "--audience", help="The verifier's identifier (the KB-JWT's aud)."),
    disclose: Annotated[
        list[str] | None, typer.Option("--disclose", help="SD-JWT: a claim to show; repeat (none for a W3C VC).")
    ] = None,
    wallet: WalletOpt = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Present a credential to a verifier, bound to its nonce and audience by your key: an SD-JWT VC's
    chosen claims with a KB-JWT, or a W3C VC whole as a VerifiablePresentation (EIP-712; challenge =
    nonce, domain = audience; check it with `credential verify-presentation`)."""
    w = _open(wallet)
    text = w.present(ref, disclose or [], bytes(_holder(account, keystore).key), nonce=nonce, audience=audience)
    try:
        out.write_text(text + "\n")
    except OSError as exc:
        raise BadInput(f"cannot write {out}: {exc.strerror}") from None
    shown = ", ".join(disclose or []) or "no claim"
    Session(json=json_out).emit(
        {"file": str(out), "disclosed": disclose or []}, f"presented {shown} to {audience} → {out}"
    )
