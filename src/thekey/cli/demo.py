"""``thekey demo``: the suite at work on a chain (embedded Anvil by default)."""

from __future__ import annotations

from typing import Any

import typer

from thekey.build import compile_project
from thekey.chain import dev_accounts
from thekey.cli.common import ChainId, JsonOut, RpcUrl, Session, console
from thekey.deploy import deploy_suite
from thekey.parsing import format_amount
from thekey.token import Token


def demo(rpc_url: RpcUrl = None, chain_id: ChainId = None, json_out: JsonOut = False) -> None:
    """Compile, start an embedded Anvil (or use --rpc-url), deploy the suite and run the product flow."""
    session = Session(rpc_url=rpc_url, chain_id=chain_id, json=json_out)
    say = (lambda _m: None) if json_out else (lambda m: console.print(m, highlight=False))
    try:
        compile_project()
        chain = session.chain(embedded_by_default=True)
        deployer, user = session.signer(chain), dev_accounts(2)[1]
        deployment = deploy_suite(chain, deployer, log=say)
        token = Token.from_deployment(deployment)
        receipt = token.transfer(deployer, user.address, 250 * 10**18)
        transcript: dict[str, Any] = {
            "chainId": chain.chain_id,
            "contracts": deployment.addresses,
            "transfer": {"txHash": receipt.tx_hash, "gasUsed": receipt.gas_used, "to": user.address},
            "balances": {a.address: str(token.balance_of(a.address)) for a in (deployer, user)},
        }
        say(f"transferred 250 TKY to {user.address} (tx {receipt.tx_hash}, gas {receipt.gas_used})")
        for who, wei in transcript["balances"].items():
            say(f"  {who}: {format_amount(int(wei))} TKY")
        if json_out:
            session.emit(transcript)
    finally:
        session.close()


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
