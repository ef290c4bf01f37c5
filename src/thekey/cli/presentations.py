"""``thekey credential challenge | present | verify-presentation``: holder-bound presentations.

The verifier issues a challenge (kept in its challenge file), the holder signs a presentation of
its credentials for that challenge and the verifier's domain, the verifier checks it — one line
per check, as ``credential verify`` prints them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from thekey.cli.common import AccountOpt, ChainId, JsonOut, KeystoreOpt, RpcUrl, Session, console
from thekey.credentials import CredentialRegistry
from thekey.credentials.presentation import (
    DEFAULT_TTL,
    ChallengeTracker,
    authentication_key_id,
    create_presentation,
    verify_presentation,
)
from thekey.errors import BadInput
from thekey.identity.did import did_for, parse_did
from thekey.identity.did_document import DIDResolver
from thekey.identity.registry import EIDRegistry
from thekey.parsing import read_json

ChallengeOpt = Annotated[
    str, typer.Option("--challenge", help="The verifier's challenge (from `credential challenge`).")
]
DomainOpt = Annotated[str, typer.Option("--domain", help="The verifier's domain (e.g. https://employer.example).")]
ChallengesFile = Annotated[
    Path | None,
    typer.Option(
        "--challenges",
        envvar="THEKEY_CHALLENGES",
        help="The verifier's file of issued challenges [default: ~/.thekey/challenges.json].",
        dir_okay=False,
    ),
]


def _tracker(path: Path | None, ttl: int = DEFAULT_TTL) -> ChallengeTracker:
    default = Path(os.environ.get("HOME", ".")) / ".thekey" / "challenges.json"
    return ChallengeTracker(ttl, path=path or default)


def challenge(
    ttl: int = typer.Option(DEFAULT_TTL, "--ttl", min=1, help="Seconds the challenge stays answerable."),
    challenges: ChallengesFile = None,
    json_out: JsonOut = False,
) -> None:
    """Verifier: issue a one-time challenge for a holder to sign (kept in the challenge file)."""
    tracker = _tracker(challenges, ttl)
    value = tracker.issue()
    Session(json=json_out).emit({"challenge": value, "ttl": ttl, "file": str(tracker.path)}, value)


def present(
    files: Annotated[list[Path], typer.Argument(help="Credential JSON files (each about the holder).")],
    challenge_: ChallengeOpt,
    domain: DomainOpt,
    holder: str | None = typer.Option(
        None, "--holder", help="The holder DID [default: the signing key's own DID]; sign as its owner or sigAuth key."
    ),
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the presentation here [default: stdout].")
    ] = None,
    ttl: int = typer.Option(DEFAULT_TTL, "--ttl", min=1, help="Seconds the presentation stays valid."),
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Holder: sign a VC 2.0 presentation of credentials for the verifier's challenge and domain."""
    credentials = [read_json(f) for f in files]
    for f, vc in zip(files, credentials, strict=True):
        if not isinstance(vc, dict):
            raise BadInput(f"{f} is not a credential JSON object")
    session = Session(rpc_url=rpc_url, chain_id=chain_id, account=account, keystore=keystore, json=json_out)
    try:
        chain = session.chain()
        signer = session.signer(chain)
        did = holder or did_for(chain.chain_id, signer.address)
        if parse_did(did).address == signer.address:
            method = f"{did}#controller"
        else:  # a delegate signs: its key id in the holder's DID document
            method = authentication_key_id(DIDResolver.from_deployment(session.deployment(chain)), did, signer.address)
        vp = create_presentation(
            credentials, signer, chain_id=chain.chain_id, challenge=challenge_, domain=domain, holder=did,
            verification_method=method, ttl=ttl,
        )  # fmt: skip
    finally:
        session.close()
    text = json.dumps(vp, indent=2)
    if out is None:
        typer.echo(text)
        return
    out.write_text(text + "\n")
    session.emit({"file": str(out), "holder": did, "signer": signer.address}, f"presentation by {did} → {out}")


def verify(
    file: Annotated[Path, typer.Argument(help="A presentation JSON file (from `credential present`).", dir_okay=False)],
    challenge_: ChallengeOpt,
    domain: DomainOpt,
    max_age: int = typer.Option(DEFAULT_TTL, "--max-age", min=1, help="Oldest acceptable presentation, in seconds."),
    challenges: ChallengesFile = None,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    json_out: JsonOut = False,
) -> None:
    """Verifier: check a presentation — signature, holder's control of its DID, challenge (issued
    here, answered once), domain, freshness and every credential; exit 0 only when all pass."""
    vp = read_json(file)
    session = Session(rpc_url=rpc_url, chain_id=chain_id, json=json_out)
    try:
        deployment = session.deployment()
        result = verify_presentation(
            CredentialRegistry.from_deployment(deployment), EIDRegistry.from_deployment(deployment), vp,
            challenge=challenge_, domain=domain, max_age=max_age, challenges=_tracker(challenges),
        )  # fmt: skip
    finally:
        session.close()
    data = result.as_json()

    def human() -> None:
        verdict = "[green]VALID[/]" if data["valid"] else "[red]INVALID[/]"
        console.print(f"{verdict} presentation by {data['holder']}", highlight=False)
        for c in data["checks"]:
            mark = "[green]ok[/]  " if c["ok"] else "[red]FAIL[/]"
            console.print(f"  {mark} {c['name']}: {c['reason']}", highlight=False)
        for n, vc in enumerate(data["credentials"], 1):
            console.print(f"  credential {n} {vc['credentialHash']}", highlight=False)
            for c in vc["checks"]:
                mark = "[green]ok[/]  " if c["ok"] else "[red]FAIL[/]"
                console.print(f"    {mark} {c['name']}: {c['reason']}", highlight=False)

    session.emit(data, human)
    if not result.valid:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the presentation commands to the ``credential`` group."""
    app.command("challenge")(challenge)
    app.command("present")(present)
    app.command("verify-presentation")(verify)
