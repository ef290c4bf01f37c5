"""``thekey nonce show|cancel``: a signer's EIP-712 nonces on a suite contract, and burning them."""

from __future__ import annotations

from typing import Annotated

import typer

from thekey.cli.common import AccountOpt, ChainId, JsonOut, KeystoreOpt, RpcUrl, open_client
from thekey.client import ContractClient
from thekey.consent.routes import DataRoutes
from thekey.credentials.anchoring import CredentialRegistry
from thekey.errors import BadInput
from thekey.identity.did import parse_did_or_address
from thekey.identity.registry import EIDRegistry
from thekey.payments.escrow import Escrow
from thekey.token.tky import Token

app = typer.Typer(
    rich_markup_mode=None,
    help="Signed-action nonces: show a signer's next nonce, or cancel outstanding signatures by burning nonces.",
    no_args_is_help=True,
)

CLIENTS: dict[str, type[ContractClient]] = {
    c.KEY: c
    for c in (EIDRegistry, Token, CredentialRegistry, DataRoutes, Escrow)  # consent signatures carry no nonce
}
ContractOpt = Annotated[
    str,
    typer.Option("--contract", "-c", help=f"Which suite contract: {', '.join(CLIENTS)}.", show_default=False),
]
LaneOpt = Annotated[
    int,
    typer.Option("--lane", min=0, help="The nonce lane (high 192 bits of a keyed nonce); 0 is the sequential lane."),
]


def _client(contract: str) -> type[ContractClient]:
    try:
        return CLIENTS[contract]
    except KeyError:
        raise BadInput(f"no contract {contract!r}: choose one of {', '.join(CLIENTS)}") from None


@app.command()
def show(
    signer: Annotated[str, typer.Argument(help="The signer: a did:ethr DID or an address.")],
    contract: ContractOpt,
    lane: LaneOpt = 0,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    json_out: JsonOut = False,
) -> None:
    """The signer's next nonce in a lane (what its next signature must carry)."""
    cls = _client(contract)
    session, client = open_client(cls, rpc_url, chain_id, None, None, json_out)
    who = parse_did_or_address(signer, session.chain().chain_id).address
    value = client.nonce_of(who, lane)
    session.emit({"contract": contract, "signer": who, "lane": lane, "nonce": value},
                 f"next nonce of {who} on {contract}, lane {lane}: {value}")  # fmt: skip


@app.command()
def cancel(
    contract: ContractOpt,
    lane: LaneOpt = 0,
    count: int = typer.Option(1, "--count", min=1, max=65_535, help="How many of the next nonces to burn."),
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Burn your next --count nonces of a lane: every signature you made over them (handed to a
    relayer, say) can never be used. To cancel a whole lane at once, sign new actions in another lane."""
    cls = _client(contract)
    session, client = open_client(cls, rpc_url, chain_id, account, keystore, json_out)
    signer = session.signer()
    receipt = client.invalidate_nonces(signer, lane, count)
    session.emit_tx(f"burnt {count} nonce(s) of {signer.address} on {contract}, lane {lane}", receipt,
                    {"next": client.nonce_of(signer.address, lane)})  # fmt: skip
