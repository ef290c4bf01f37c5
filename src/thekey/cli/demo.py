"""``thekey demo``: the verification flow of the mission, on an embedded Anvil or --rpc-url."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

import typer
from eth_account.signers.local import LocalAccount
from rich.table import Table

from thekey.build import suite_artifacts
from thekey.chain import dev_accounts
from thekey.cli.common import ChainId, JsonOut, RpcUrl, Session, console
from thekey.cli.government import government_demo
from thekey.deploy import Deployment, deploy_suite
from thekey.parsing import format_amount
from thekey.workflow.demo import run_demo
from thekey.workflow.flow import StepReport
from thekey.workflow.graduate import run_graduate


def _show_step(step: StepReport) -> None:
    mark = "[green]✔[/]" if step.ok else "[yellow]✖[/]"
    console.print(f"{mark} [bold]Step {step.number} — {step.title}[/]")
    if step.summary:
        console.print(f"    {step.summary}", highlight=False)
    for tx in step.on_chain:
        console.print(f"    [cyan]on chain[/]  {tx.label}: tx {tx.tx_hash[:18]}… gas {tx.gas_used:,}", highlight=False)
    for note in step.off_chain:
        console.print(f"    [magenta]off chain[/] {note}", highlight=False)


def _played(run: Callable[..., Any], deployment: Deployment, accounts: list[LocalAccount], session: Session,
            quiet: bool) -> Any | None:  # fmt: skip
    """Run a story, printing each step (or, with --json, emitting its transcript: then None)."""
    transcript = run(
        deployment,
        accounts,
        on_step=None if quiet else _show_step,
        on_phase=None if quiet else (lambda p: console.rule(f"[bold]{p}")),
    )
    if quiet:
        session.emit(transcript.as_json())
        return None
    return transcript


def _insurance(deployment: Deployment, accounts: list[LocalAccount], session: Session, quiet: bool) -> None:
    transcript = _played(run_demo, deployment, accounts, session, quiet)
    if transcript is None:
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


def _graduate(deployment: Deployment, accounts: list[LocalAccount], session: Session, quiet: bool) -> None:
    transcript = _played(run_graduate, deployment, accounts, session, quiet)
    if transcript is None:
        return
    for case, outcome in transcript.cases.items():
        console.print(f"{case}: {outcome}", highlight=False)
    console.print(f"the employer learnt: {transcript.disclosed} (grades withheld)", highlight=False)


class Scenario(StrEnum):
    """The ``--scenario`` choices (add a member here and its runner in ``SCENARIOS``)."""

    INSURANCE = "insurance"
    GRADUATE = "graduate"
    GOVERNMENT = "government"


#: each scenario run on the suite ``demo`` deploys → the function that runs and prints it
#: (government deploys and prints through ``thekey.cli.government``)
SCENARIOS: dict[Scenario, Callable[[Deployment, list[LocalAccount], Session, bool], None]] = {
    Scenario.INSURANCE: _insurance,
    Scenario.GRADUATE: _graduate,
}

ScenarioOpt = Annotated[
    Scenario,
    typer.Option(
        "--scenario",
        help="insurance: the Beijing resident and the Singapore insurer; graduate: a degree (SD-JWT VC) "
        "checked by an employer, then revoked; government: a resident's data across two departments.",
    ),
]


def demo(
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    json_out: JsonOut = False,
    scenario: ScenarioOpt = Scenario.INSURANCE,
) -> None:
    """Run one of the mission's stories on chain (default: the insurance story: a Beijing resident is
    verified for a Singapore insurer and the verifier, the user and the hospital are paid in TKY;
    then an impostor is declined and the insurer refunded; then the audit). Starts an embedded
    Anvil unless --rpc-url is given (the dev accounts must be funded there). Exits non-zero if the
    story does not end as it must."""
    session = Session(rpc_url=rpc_url, chain_id=chain_id, json=json_out)
    quiet = json_out
    try:
        if scenario is Scenario.GOVERNMENT:
            return government_demo(session, rpc_url is not None, _show_step)
        shown = session.progress
        suite_artifacts(on_build=shown.compiling)
        if session.network.rpc_url is None:
            shown.step("starting an embedded Anvil…")
        chain = session.chain(embedded_by_default=True)
        accounts = dev_accounts(10)
        shown.step("deploying the suite…")
        deployment = deploy_suite(
            chain,
            session.signer(chain),
            write=session.network.rpc_url is not None,
            manifest=session.network.manifest,
            log=shown.step,
        )
        if not quiet:
            console.print(f"[bold]TheKey suite on chain {chain.chain_id}[/] ({chain.rpc('web3_clientVersion')})")
            for key, address in deployment.addresses.items():
                console.print(f"    {key:<12} {address}", highlight=False)
        SCENARIOS[scenario](deployment, accounts, session, quiet)
        if not quiet:
            console.print("[green]demo finished: every step ended as the story says[/]")
    finally:
        session.close()


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
