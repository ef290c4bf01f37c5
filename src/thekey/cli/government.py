"""``thekey demo --scenario government``: the cross-department story, printed step by step."""

from __future__ import annotations

from collections.abc import Callable

from thekey.build import compile_project
from thekey.chain import dev_accounts
from thekey.cli.common import Session, console
from thekey.deploy import deploy_suite
from thekey.workflow.flow import StepReport
from thekey.workflow.government import run_government


def government_demo(session: Session, write: bool, show_step: Callable[[StepReport], None]) -> None:
    """Run the government scenario on the session's chain (an embedded Anvil by default),
    printing each step with ``show_step`` (the insurance demo's printer)."""
    quiet = session.json
    compile_project()
    chain = session.chain(embedded_by_default=True)
    deployment = deploy_suite(chain, session.signer(chain), write=write)
    if not quiet:
        console.print(f"[bold]TheKey suite on chain {chain.chain_id}[/] ({chain.rpc('web3_clientVersion')})")
    transcript = run_government(
        deployment,
        dev_accounts(10),
        on_step=None if quiet else show_step,
        on_phase=None if quiet else (lambda p: console.rule(f"[bold]{p}")),
    )
    if quiet:
        session.emit(transcript.as_json())
        return
    for case, outcome in transcript.cases.items():
        console.print(f"    {case}: {outcome}", highlight=False)
    console.print("[green]government scenario finished: every fetch ended as the story says[/]")
