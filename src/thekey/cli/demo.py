"""``thekey demo``: the verification flow of the mission, on an embedded Anvil or --rpc-url."""

from __future__ import annotations

import typer
from rich.table import Table

from thekey.build import suite_artifacts
from thekey.chain import dev_accounts
from thekey.cli.common import ChainId, JsonOut, RpcUrl, Session, console
from thekey.cli.government import government_demo
from thekey.deploy import deploy_suite
from thekey.errors import BadInput
from thekey.parsing import format_amount
from thekey.workflow.demo import run_demo
from thekey.workflow.flow import StepReport


def _show_step(step: StepReport) -> None:
    mark = "[green]✔[/]" if step.ok else "[yellow]✖[/]"
    console.print(f"{mark} [bold]Step {step.number} — {step.title}[/]")
    if step.summary:
        console.print(f"    {step.summary}", highlight=False)
    for tx in step.on_chain:
        console.print(f"    [cyan]on chain[/]  {tx.label}: tx {tx.tx_hash[:18]}… gas {tx.gas_used:,}", highlight=False)
    for note in step.off_chain:
        console.print(f"    [magenta]off chain[/] {note}", highlight=False)


def demo(
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    json_out: JsonOut = False,
    scenario: str = typer.Option("insurance", "--scenario", help="insurance (default) or government."),
) -> None:
    """Run the mission's story: a Beijing resident is verified for a Singapore insurer and the
    verifier, the user and the hospital are paid in TKY; then an impostor is declined and the
    insurer refunded; then the audit. Starts an embedded Anvil unless --rpc-url is given (the
    dev accounts must be funded there). Exits non-zero if the story does not end as it must."""
    session = Session(rpc_url=rpc_url, chain_id=chain_id, json=json_out)
    quiet = json_out
    try:
        if scenario == "government":
            return government_demo(session, rpc_url is not None, _show_step)
        if scenario != "insurance":
            raise BadInput(f"unknown --scenario {scenario!r} (insurance or government)")
        with console.status("compiling contracts…") if not quiet else _null():
            suite_artifacts()
        chain = session.chain(embedded_by_default=True)
        accounts = dev_accounts(10)
        with console.status("deploying the suite…") if not quiet else _null():
            deployment = deploy_suite(
                chain,
                session.signer(chain),
                write=session.network.rpc_url is not None,
                manifest=session.network.manifest,
            )
        if not quiet:
            console.print(f"[bold]TheKey suite on chain {chain.chain_id}[/] ({chain.rpc('web3_clientVersion')})")
            for key, address in deployment.addresses.items():
                console.print(f"    {key:<12} {address}", highlight=False)
        transcript = run_demo(
            deployment,
            accounts,
            on_step=None if quiet else _show_step,
            on_phase=None if quiet else (lambda p: console.rule(f"[bold]{p}")),
        )
        if quiet:
            session.emit(transcript.as_json())
            return
        table = Table(title="Final TKY balances")
        table.add_column("party")
        table.add_column("address")
        table.add_column("TKY", justify="right")
        for name, address in transcript.actors.items():
            table.add_row(name, address, format_amount(transcript.balances[name]))
        console.print(table)
        if transcript.report is not None:
            console.print(transcript.report.as_markdown(transcript.actors), highlight=False, markup=False)
        if transcript.credit is not None:
            c = transcript.credit
            console.print(f"Credit rating of the user {c.address}: {c.score} ({c.band})", highlight=False)
        console.print("[green]demo finished: every step ended as the story says[/]")
    finally:
        session.close()


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_exc: object) -> None:
        return None


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
