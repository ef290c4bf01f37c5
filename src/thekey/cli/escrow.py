"""``thekey escrow …``: payment-sharing agreements in TKY.

The agreement draft is a JSON file passed between the parties: the provider writes it
(``create``), the verifier and the user add their EIP-712 acceptances (``sign``), and the
provider creates and funds it on chain in one transaction (``fund``, by permit by default).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from thekey.cli.common import AccountOpt, ChainId, JsonOut, KeystoreOpt, RpcUrl, open_client
from thekey.errors import BadInput, ContractRevert
from thekey.identity.did import EthrDID, parse_did_or_address
from thekey.parsing import (
    format_amount,
    format_duration,
    is_digits,
    iso_time,
    label_hash,
    parse_amount,
    parse_duration,
    parse_time,
    read_text,
)
from thekey.payments.escrow import (
    AgreementState,
    Escrow,
    Plan,
    Status,
    Terms,
    credits_of,
    draft_from_json,
    draft_to_json,
    payout,
)

app = typer.Typer(
    rich_markup_mode=None,
    help="Payment-sharing escrow: signed service agreements funded in TKY, settled by a share plan.",
    no_args_is_help=True,
)

AgreementId = Annotated[int, typer.Argument(help="The agreement id (1, 2, …).", min=1)]
DraftFile = Annotated[Path, typer.Argument(help="The agreement draft JSON file (written by `create`).", dir_okay=False)]


def _party(text: str) -> EthrDID:
    """A party named by a ``did:ethr`` DID or an address (checked before connecting; an address
    stands for any chain, chain 0 here, until `_on` pins it)."""
    return parse_did_or_address(text, 0)


def _on(party: EthrDID, chain_id: int) -> str:
    """The party's address, once its DID is known to name the connected chain."""
    if party.chain_id not in (0, chain_id):
        raise BadInput(f"{party} names chain {party.chain_id}, but the connected chain is {chain_id}")
    return party.address


def _pairs(items: list[str] | None, what: str) -> list[tuple[EthrDID, str]]:
    """``PARTY=VALUE`` items, each party a ``did:ethr`` DID or an address (pinned later by `_on`)."""
    out = []
    for item in items or []:
        party, sep, value = item.rpartition("=")
        if not sep or not party.strip() or not value.strip():
            raise BadInput(f"{what} must be DID=VALUE or ADDRESS=VALUE, got {item!r}")
        out.append((_party(party.strip()), value.strip()))
    return out


def _bps(text: str, what: str) -> int:
    if not is_digits(text.strip()) or not 0 <= int(text) <= 10_000:
        raise BadInput(f"{what} must be basis points between 0 and 10000, got {text!r}")
    return int(text)


def _read_draft(file: Path) -> tuple[Terms, dict[str, Any]]:
    return draft_from_json(read_text(file))


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text)
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror}") from None


# -- the draft: create, sign, fund ---------------------------------------------------------


@app.command()
def create(
    verifier: Annotated[str, typer.Option("--verifier", help="The verifier: a did:ethr DID or an address.")],
    user: Annotated[str, typer.Option("--user", help="The user: a did:ethr DID or an address.")],
    arbiter: Annotated[str, typer.Option("--arbiter", help="The arbiter (resolves disputes): a DID or an address.")],
    price: Annotated[str, typer.Option("--price", help="Price in TKY (e.g. 12.5) or wei ('1000wei').")],
    terms: Annotated[
        str,
        typer.Option(
            "--terms",
            help="Salted hash (0x…) of the off-chain service description, "
            "or a label hashed with keccak256. Never personal data.",
        ),
    ],
    verifier_share: Annotated[str, typer.Option("--verifier-share", help="The verifier's basis points.")] = "10000",
    user_share: Annotated[str, typer.Option("--user-share", help="The user's basis points.")] = "0",
    payee: Annotated[
        list[str] | None,
        typer.Option(
            "--payee",
            help="A further payee as DID=BPS or ADDRESS=BPS (repeatable, at most 8). All shares sum to 10000.",
        ),
    ] = None,
    due_in: Annotated[str, typer.Option("--due-in", help="Service deadline from now (e.g. 2d).")] = "1d",
    due: Annotated[str | None, typer.Option("--due", help="Service deadline as a time (overrides --due-in).")] = None,
    dispute_window: Annotated[str, typer.Option("--dispute-window", help="Dispute window (e.g. 1d).")] = "1d",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the draft here (else print it).", dir_okay=False)
    ] = None,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
) -> None:
    """Write an agreement draft as the provider (the signing account); nothing is sent."""
    named = _party(verifier), _party(user), _party(arbiter)
    wei = parse_amount(price)
    payees = [(p, _bps(b, f"the share of {p}")) for p, b in _pairs(payee, "--payee")]
    shares = _bps(verifier_share, "--verifier-share"), _bps(user_share, "--user-share")
    terms_hash = label_hash(terms)
    window = parse_duration(dispute_window)
    deadline_at = parse_time(due) if due is not None else None
    offset = parse_duration(due_in)
    session, _escrow = open_client(Escrow, rpc_url, chain_id, account, keystore, False)
    network = session.chain().chain_id
    parties = _on(named[0], network), _on(named[1], network), _on(named[2], network)
    plan = Plan.of(*shares, [(_on(p, network), bps) for p, bps in payees])
    provider = session.signer().address
    deadline = deadline_at if deadline_at is not None else session.now() + offset
    draft = Terms(provider, *parties, wei, deadline, window, terms_hash, plan)
    draft.check()
    text = draft_to_json(draft, {})
    if out is None:
        typer.echo(text, nl=False)
    else:
        _write(out, text)
        session.emit(
            {"draft": str(out)},
            f"draft written to {out}: the verifier and the user sign it with "
            f"`thekey escrow sign {out}`, then `thekey escrow fund {out}`",
        )


@app.command()
def sign(
    file: DraftFile,
    valid_for: Annotated[str, typer.Option("--valid-for", help="How long the acceptance stays valid.")] = "1d",
    nonce_opt: Annotated[
        int | None,
        typer.Option("--nonce", min=0, help="Your escrow nonce to sign with [default: the next unused one]."),
    ] = None,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Accept a draft as its verifier or user: add an EIP-712 signature to FILE (in place)."""
    duration = parse_duration(valid_for)
    terms, acceptances = _read_draft(file)
    session, escrow = open_client(Escrow, rpc_url, chain_id, account, keystore, json_out)
    signer = session.signer()
    roles = [r for r, a in (("verifier", terms.verifier), ("user", terms.user)) if a == signer.address]
    if not roles:
        raise BadInput(f"{signer.address} is neither the verifier nor the user of this draft")
    role = next((r for r in roles if r not in acceptances), roles[0])
    nonce = (
        nonce_opt
        if nonce_opt is not None
        else (escrow.nonce_of(signer.address) + sum(1 for r in acceptances if r != role and r in roles))
    )
    acceptance = escrow.sign_acceptance(signer, terms, session.now() + duration, nonce=nonce)
    acceptances[role] = acceptance
    _write(file, draft_to_json(terms, acceptances))
    session.emit(
        {"role": role, **acceptance.to_json()},
        f"signed {file} as the {role} (nonce {nonce}, valid until {iso_time(acceptance.deadline)})",
    )


@app.command()
def fund(
    file: DraftFile,
    allowance: Annotated[bool, typer.Option("--allowance", help="Use a prior approval instead of a permit.")] = False,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Create the agreement of FILE on chain and fund it in the same transaction (provider)."""
    terms, acceptances = _read_draft(file)
    terms.check()
    session, escrow = open_client(Escrow, rpc_url, chain_id, account, keystore, json_out)
    signer = session.signer()
    if signer.address != terms.provider:
        raise BadInput(f"the draft's provider is {terms.provider}; you sign as {signer.address}")
    va, ua = acceptances.get("verifier"), acceptances.get("user")
    try:
        if allowance:
            agreement_id, receipt = escrow.create(signer, terms, va, ua)
        else:
            agreement_id, receipt = escrow.create_and_fund(signer, terms, va, ua)
    except ContractRevert as exc:
        # a relayed acceptance's nonce is spent: most likely this very draft was funded before
        before = escrow.created_with(terms) if exc.name == "InvalidAccountNonce" else []
        if not before:
            raise
        state = escrow.agreement(before[-1].id, terms)
        raise BadInput(
            f"{file} was already funded: agreement {state.id} ({state.status.label}, tx {before[-1].tx_hash}); "
            f"nothing was sent — see `thekey escrow show {state.id}`"
        ) from None
    status = escrow.agreement(agreement_id).status.label
    session.emit_tx(
        f"agreement {agreement_id} funded with {format_amount(terms.price)} TKY ({status})",
        receipt,
        {"id": agreement_id, "status": status},
    )


# -- the lifecycle -------------------------------------------------------------------------


@app.command()
def accept(
    agreement_id: AgreementId,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Accept a proposed agreement on chain (its verifier or user)."""
    session, escrow = open_client(Escrow, rpc_url, chain_id, account, keystore, json_out)
    session.emit_tx(f"accepted agreement {agreement_id}", escrow.accept(session.signer(), agreement_id))


@app.command()
def complete(
    agreement_id: AgreementId,
    evidence: Annotated[
        str,
        typer.Option("--evidence", help="Hash (0x…) of the verification record, or a label hashed with keccak256."),
    ],
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Submit the verification result with its evidence hash (the verifier)."""
    evidence_hash = label_hash(evidence)
    session, escrow = open_client(Escrow, rpc_url, chain_id, account, keystore, json_out)
    receipt = escrow.complete(session.signer(), agreement_id, evidence_hash)
    session.emit_tx(f"completed agreement {agreement_id}", receipt, {"evidenceHash": evidence_hash})


@app.command()
def confirm(
    agreement_id: AgreementId,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Confirm the service (the provider): the agreement settles at once."""
    session, escrow = open_client(Escrow, rpc_url, chain_id, account, keystore, json_out)
    session.emit_tx(
        f"confirmed and settled agreement {agreement_id}",
        escrow.confirm(session.signer(), agreement_id),
    )


@app.command()
def dispute(
    agreement_id: AgreementId,
    reason: Annotated[str, typer.Option("--reason", help="Hash (0x…) of the complaint, or a label hashed.")],
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Dispute a completed agreement within its window (the provider)."""
    reason_hash = label_hash(reason)
    session, escrow = open_client(Escrow, rpc_url, chain_id, account, keystore, json_out)
    session.emit_tx(
        f"disputed agreement {agreement_id}",
        escrow.dispute(session.signer(), agreement_id, reason_hash),
    )


@app.command()
def resolve(
    agreement_id: AgreementId,
    refund: Annotated[str, typer.Option("--refund", help="Amount back to the provider (TKY or 'wei').")] = "0",
    pay: Annotated[
        list[str] | None,
        typer.Option(
            "--pay", help="DID=AMOUNT or ADDRESS=AMOUNT for the verifier, the user or a plan payee (repeatable)."
        ),
    ] = None,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Resolve a dispute (the arbiter): a refund and/or a split, summing to the price."""
    refund_wei = parse_amount(refund)
    named = [(p, parse_amount(v)) for p, v in _pairs(pay, "--pay")]
    session, escrow = open_client(Escrow, rpc_url, chain_id, account, keystore, json_out)
    network = session.chain().chain_id
    split = [(_on(p, network), amount) for p, amount in named]
    receipt = escrow.resolve(session.signer(), agreement_id, refund_wei, split)
    session.emit_tx(f"resolved agreement {agreement_id}: {escrow.agreement(agreement_id).status.label}", receipt)


@app.command()
def settle(
    agreement_id: AgreementId,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Settle a completed agreement after its dispute window (anyone)."""
    session, escrow = open_client(Escrow, rpc_url, chain_id, account, keystore, json_out)
    session.emit_tx(f"settled agreement {agreement_id}", escrow.settle(session.signer(), agreement_id))


@app.command()
def reclaim(
    agreement_id: AgreementId,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Take the price back (the provider): before the agreement binds, or after a missed deadline."""
    session, escrow = open_client(Escrow, rpc_url, chain_id, account, keystore, json_out)
    session.emit_tx(f"reclaimed agreement {agreement_id}", escrow.reclaim(session.signer(), agreement_id))


@app.command()
def withdraw(
    to: Annotated[str | None, typer.Option("--to", help="Send the credits to this DID or address instead.")] = None,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Withdraw all your credits, from every settled agreement, in one transfer."""
    named = _party(to) if to is not None else None
    session, escrow = open_client(Escrow, rpc_url, chain_id, account, keystore, json_out)
    target = _on(named, session.chain().chain_id) if named is not None else None
    signer = session.signer()
    amount = escrow.credit_of(signer.address)
    session.emit_tx(
        f"withdrew {format_amount(amount)} TKY",
        escrow.withdraw(signer, target),
        {"amount": str(amount)},
    )


# -- reads ---------------------------------------------------------------------------------


def _summary(state: AgreementState, now: int) -> str:
    return (
        f"#{state.id} {state.status.label:<9} {format_amount(state.price):>12} TKY  "
        f"provider {state.provider}  verifier {state.verifier} — {state.describe(now)}"
    )


@app.command()
def show(
    agreement_id: AgreementId, rpc_url: RpcUrl = None, chain_id: ChainId = None, json_out: JsonOut = False
) -> None:
    """An agreement: parties, terms, plan, status in words, and what each payee gets."""
    session, escrow = open_client(Escrow, rpc_url, chain_id, None, None, json_out)
    state = escrow.agreement(agreement_id)
    if state.status is Status.NONE:
        raise BadInput(f"no escrow agreement {agreement_id}")
    now = session.chain().timestamp()
    created = escrow.created(agreement_id)
    terms = created.terms
    verifier, user, payees, dust = payout(terms.price, terms.plan)
    data = {
        **state.to_json(now),
        "termsHash": "0x" + terms.terms_hash.hex(),
        "plan": terms.plan.to_json(),
        "payout": {k: str(v) for k, v in credits_of(terms).items()},
        "dust": str(dust),
        "createdInBlock": created.block_number,
    }

    def human() -> None:
        lines = [
            _summary(state, now),
            f"  user {state.user}  arbiter {state.arbiter}",
            f"  service deadline {iso_time(state.service_deadline)}, "
            f"dispute window {format_duration(state.dispute_window)}",
            f"  plan: verifier {terms.plan.shares[0]} bps → {format_amount(verifier)} TKY "
            f"(incl. dust {dust} wei); user {terms.plan.shares[1]} bps → {format_amount(user)} TKY",
            *(
                f"        {p} {b} bps → {format_amount(a)} TKY"
                for p, b, a in zip(terms.plan.payees, terms.plan.shares[2:], payees, strict=True)
            ),
        ]
        if state.evidence_hash != b"\x00" * 32:
            lines.append(f"  evidence 0x{state.evidence_hash.hex()}")
        for line in lines:
            typer.echo(line)

    session.emit(data, human)


@app.command("list")
def list_(
    party: Annotated[str | None, typer.Option("--party", help="Only agreements of this DID or address.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only agreements that have not ended.")] = False,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    json_out: JsonOut = False,
) -> None:
    """All agreements (newest first), optionally for one party or only open ones."""
    named = _party(party) if party is not None else None
    session, escrow = open_client(Escrow, rpc_url, chain_id, None, None, json_out)
    who = _on(named, session.chain().chain_id) if named is not None else None
    now = session.chain().timestamp()
    states = [escrow.agreement(i) for i in range(escrow.count(), 0, -1)]
    if who is not None:
        states = [s for s in states if who in (s.provider, s.verifier, s.user, s.arbiter)]
    if open_only:
        states = [s for s in states if not s.status.terminal]

    def human() -> None:
        if not states:
            typer.echo("no agreements")
        for s in states:
            typer.echo(_summary(s, now))

    session.emit([s.to_json(now) for s in states], human)


@app.command()
def credit(
    address: Annotated[str, typer.Argument(help="An account: a did:ethr DID or an address.")],
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    json_out: JsonOut = False,
) -> None:
    """The unwithdrawn escrow credit of ADDRESS (across all agreements)."""
    named = _party(address)
    session, escrow = open_client(Escrow, rpc_url, chain_id, None, None, json_out)
    who = _on(named, session.chain().chain_id)
    wei = escrow.credit_of(who)
    session.emit({"address": who, "credit": str(wei), "tky": format_amount(wei)}, f"{format_amount(wei)} TKY")
