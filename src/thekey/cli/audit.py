"""``thekey audit …``: index the suite's events, report a period, rate a user's credit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from thekey.cli.common import ChainId, JsonOut, RpcUrl, Session
from thekey.config import state_dir
from thekey.errors import BadInput
from thekey.identity.did import parse_did_or_address
from thekey.parsing import parse_time
from thekey.workflow.audit import AuditIndex
from thekey.workflow.report import FOREVER, build_report, credit_rating

app = typer.Typer(
    rich_markup_mode=None,
    help="Audit: index every suite event into SQLite, report a period, rate users.",
    no_args_is_help=True,
)

DbOpt = Annotated[
    Path | None,
    typer.Option("--db", envvar="THEKEY_AUDIT_DB", dir_okay=False,
                 help="SQLite index [default: audit-<chainId>-<genesis>.sqlite in .thekey/ of the checkout, "
                 "else in $THEKEY_HOME or ~/.local/share/thekey]."),
]  # fmt: skip


def _index(session: Session, db: Path | None) -> AuditIndex:
    chain = session.chain()
    path = db or state_dir() / f"audit-{chain.chain_key}.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    index = AuditIndex(session.deployment(chain), path)
    index.sync()
    return index


@app.command()
def index(db: DbOpt = None, rpc_url: RpcUrl = None, chain_id: ChainId = None, json_out: JsonOut = False) -> None:
    """Index new blocks (incremental: re-running resumes after the last indexed block)."""
    session = Session(rpc_url=rpc_url, chain_id=chain_id, json=json_out)
    idx = _index(session, db)
    session.emit({"events": idx.count(), "lastBlock": idx.last_block},
                 f"{idx.count()} events indexed up to block {idx.last_block}")  # fmt: skip


@app.command()
def report(
    since: str = typer.Option("0", "--since", help="Start of the period: UNIX seconds or ISO 8601."),
    until: str | None = typer.Option(None, "--until", help="End of the period (default: now)."),
    out: Annotated[
        Path | None, typer.Option("--out", "-o", dir_okay=False, help="Also write the report to this file.")
    ] = None,
    db: DbOpt = None, rpc_url: RpcUrl = None, chain_id: ChainId = None, json_out: JsonOut = False,
) -> None:  # fmt: skip
    """Requests, outcomes, rejections with reasons, payments per party, consents and credentials
    of a period, as Markdown (or JSON with --json)."""
    start, end = parse_time(since), FOREVER if until is None else parse_time(until)
    if end < start:
        raise BadInput("--until is before --since")
    session = Session(rpc_url=rpc_url, chain_id=chain_id, json=json_out)
    rep = build_report(_index(session, db), start, end)
    text = rep.as_markdown()
    if out is not None:
        out.write_text(json.dumps(rep.as_json(), indent=2) if json_out else text)
    session.emit(rep.as_json(), lambda: typer.echo(text))


@app.command()
def credit(
    who: Annotated[str, typer.Argument(help="The user: a did:ethr DID or an address.")],
    db: DbOpt = None, rpc_url: RpcUrl = None, chain_id: ChainId = None, json_out: JsonOut = False,
) -> None:  # fmt: skip
    """The credit rating of a user from its on-chain history (formula in the README)."""
    if not who.strip():
        raise BadInput("an empty DID or address")
    session = Session(rpc_url=rpc_url, chain_id=chain_id, json=json_out)
    chain = session.chain()
    user = parse_did_or_address(who, chain.chain_id)
    rating = credit_rating(_index(session, db), user.address)
    session.emit(rating.as_json(), f"{rating.address}: {rating.score} ({rating.band}) — settled {rating.settled}, "
                 f"identity failures {rating.identity_failures}, consents {rating.consents_granted}")  # fmt: skip
