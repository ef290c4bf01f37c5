"""``thekey dev …``: conveniences for local development chains only (Anvil, Hardhat)."""

from __future__ import annotations

from typing import Annotated

import typer

from thekey.cli.common import AccountOpt, ChainId, JsonOut, RpcUrl, Session
from thekey.errors import BadInput
from thekey.parsing import format_amount, parse_amount, parse_party

app = typer.Typer(
    rich_markup_mode=None,
    help="Local development chains only: fund a new key with ETH for gas.",
    no_args_is_help=True,
)


@app.command()
def fund(
    address: Annotated[str, typer.Argument(help="The account to fund: an address or a did:ethr DID.")],
    amount: Annotated[str, typer.Option("--amount", help="ETH to send (e.g. 0.5), or wei with a 'wei' suffix.")] = "10",
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Send ETH for gas to ADDRESS from a dev account (default 0). Refused on a non-local chain."""
    to, wei = parse_party(address), parse_amount(amount)
    if wei == 0:
        raise BadInput("--amount must be more than 0")
    session = Session(rpc_url=rpc_url, chain_id=chain_id, account=account, json=json_out)
    chain = session.chain()
    if not chain.is_local:
        raise BadInput(
            f"`thekey dev fund` works on local development chains only; chain {chain.chain_id} at {chain.endpoint} "
            "is not one: get ETH for gas from the network's faucet or an exchange"
        )
    receipt = chain.send_eth(to, wei, session.signer(chain))
    balance = int(chain.rpc("eth_getBalance", [to, "latest"]), 16)
    session.emit_tx(
        f"sent {format_amount(wei)} ETH to {to} (balance now {format_amount(balance)} ETH)",
        receipt,
        {"to": to, "amount": str(wei), "balance": str(balance)},
    )
