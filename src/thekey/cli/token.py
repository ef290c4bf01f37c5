"""``thekey token …``: the TKY token."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from thekey.cli.common import AccountOpt, ChainId, JsonOut, KeystoreOpt, RpcUrl, open_client
from thekey.errors import BadInput
from thekey.parsing import (
    format_amount,
    label_hash,
    parse_address,
    parse_amount,
    parse_bytes32,
    parse_duration,
    parse_party,
    read_json,
)
from thekey.token.tky import Permit, Token

app = typer.Typer(
    rich_markup_mode=None,
    help="The TKY token: balances, transfers, allowances, permits, rewards.",
    no_args_is_help=True,
)

Address = Annotated[str, typer.Argument(help="An account: a did:ethr DID or an address (0x…).")]
Amount = Annotated[str, typer.Argument(help="Amount in TKY (e.g. 12.5), or in wei with a 'wei' suffix.")]


@app.command()
def info(rpc_url: RpcUrl = None, chain_id: ChainId = None, json_out: JsonOut = False) -> None:
    """Name, symbol, supply, cap and address of the deployed token."""
    session, token = open_client(Token, rpc_url, chain_id, None, None, json_out)
    data: dict[str, Any] = {
        "address": token.address,
        "name": token.name(),
        "symbol": token.symbol(),
        "decimals": token.decimals(),
        "totalSupply": str(token.total_supply()),
        "cap": str(token.cap()),
    }
    supply, cap = format_amount(int(data["totalSupply"])), format_amount(int(data["cap"]))
    session.emit(data, f"{data['name']} ({data['symbol']}) at {token.address}: supply {supply} of cap {cap}")


@app.command()
def balance(address: Address, rpc_url: RpcUrl = None, chain_id: ChainId = None, json_out: JsonOut = False) -> None:
    """The TKY balance of ADDRESS."""
    who = parse_party(address)
    session, token = open_client(Token, rpc_url, chain_id, None, None, json_out)
    wei = token.balance_of(who)
    session.emit({"address": who, "balance": str(wei), "tky": format_amount(wei)}, f"{format_amount(wei)} TKY")


@app.command()
def allowance(
    owner: Address, spender: Address, rpc_url: RpcUrl = None, chain_id: ChainId = None, json_out: JsonOut = False
) -> None:
    """How much SPENDER may still move from OWNER."""
    owner, spender = parse_party(owner), parse_party(spender)
    session, token = open_client(Token, rpc_url, chain_id, None, None, json_out)
    wei = token.allowance(owner, spender)
    session.emit({"allowance": str(wei), "tky": format_amount(wei)}, f"{format_amount(wei)} TKY")


@app.command()
def transfer(
    to: Address, amount: Amount, rpc_url: RpcUrl = None, chain_id: ChainId = None,
    account: AccountOpt = None, keystore: KeystoreOpt = None, json_out: JsonOut = False,
) -> None:  # fmt: skip
    """Send AMOUNT TKY to TO."""
    to, wei = parse_party(to), parse_amount(amount)
    session, token = open_client(Token, rpc_url, chain_id, account, keystore, json_out)
    session.emit_tx(f"sent {format_amount(wei)} TKY to {to}", token.transfer(session.signer(), to, wei))


@app.command()
def approve(
    spender: Address, amount: Amount, rpc_url: RpcUrl = None, chain_id: ChainId = None,
    account: AccountOpt = None, keystore: KeystoreOpt = None, json_out: JsonOut = False,
) -> None:  # fmt: skip
    """Allow SPENDER to move up to AMOUNT TKY of yours."""
    spender, wei = parse_party(spender), parse_amount(amount)
    session, token = open_client(Token, rpc_url, chain_id, account, keystore, json_out)
    session.emit_tx(f"approved {format_amount(wei)} TKY", token.approve(session.signer(), spender, wei))


@app.command()
def permit(
    spender: Address, amount: Amount,
    valid_for: str = typer.Option("1h", "--valid-for", help="How long the signature stays valid (e.g. 30m, 2h, 1d)."),
    rpc_url: RpcUrl = None, chain_id: ChainId = None, account: AccountOpt = None, keystore: KeystoreOpt = None,
) -> None:  # fmt: skip
    """Sign an EIP-2612 permit offline and print it as JSON (submit it with `submit-permit`)."""
    spender, wei, duration = parse_party(spender), parse_amount(amount), parse_duration(valid_for)
    session, token = open_client(Token, rpc_url, chain_id, account, keystore, True)
    deadline = session.now() + duration
    p = token.sign_permit(session.signer(), spender, wei, deadline)
    session.emit({"owner": p.owner, "spender": p.spender, "value": str(p.value), "deadline": p.deadline,
                  "signature": "0x" + p.signature.hex()})  # fmt: skip


@app.command("submit-permit")
def submit_permit(
    file: Annotated[
        Path, typer.Argument(help="A permit JSON file as printed by `thekey token permit`.", dir_okay=False)
    ],
    rpc_url: RpcUrl = None, chain_id: ChainId = None, account: AccountOpt = None, keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:  # fmt: skip
    """Submit a signed permit (any account may pay the gas)."""
    d = read_json(file)
    try:
        sig = bytes.fromhex(str(d["signature"]).removeprefix("0x"))
        p = Permit(parse_address(d["owner"]), parse_address(d["spender"]), int(d["value"]), int(d["deadline"]), sig)
    except (ValueError, KeyError, TypeError):
        raise BadInput(f"{file} is not a permit JSON document (owner, spender, value, deadline, signature)") from None
    session, token = open_client(Token, rpc_url, chain_id, account, keystore, json_out)
    session.emit_tx("permit submitted", token.permit(session.signer(), p))


@app.command()
def reward(
    to: Address, amount: Amount,
    reason: str = typer.Option(..., "--reason", help="Reason code: a label (hashed with keccak256) or 0x-32-byte hex."),
    rpc_url: RpcUrl = None, chain_id: ChainId = None, account: AccountOpt = None, keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:  # fmt: skip
    """Mint AMOUNT TKY to TO as a reward (REWARDER_ROLE only)."""
    to, wei = parse_party(to), parse_amount(amount)
    code = parse_bytes32(reason) if reason.startswith("0x") else label_hash(reason)
    session, token = open_client(Token, rpc_url, chain_id, account, keystore, json_out)
    session.emit_tx(f"rewarded {format_amount(wei)} TKY", token.reward(session.signer(), to, wei, code),
        {"reasonCode": "0x" + code.hex()})  # fmt: skip


@app.command()
def mint(
    to: Address, amount: Amount, rpc_url: RpcUrl = None, chain_id: ChainId = None,
    account: AccountOpt = None, keystore: KeystoreOpt = None, json_out: JsonOut = False,
) -> None:  # fmt: skip
    """Mint AMOUNT TKY to TO within the cap (MINTER_ROLE only)."""
    to, wei = parse_party(to), parse_amount(amount)
    session, token = open_client(Token, rpc_url, chain_id, account, keystore, json_out)
    session.emit_tx(f"minted {format_amount(wei)} TKY", token.mint(session.signer(), to, wei))
