"""``thekey consent …`` and ``thekey route …``: consent records, usage receipts, data routes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from thekey.cli.common import AccountOpt, ChainId, JsonOut, KeystoreOpt, RpcUrl, Session, open_client
from thekey.consent import (
    ConsentRegistry,
    DataRoutes,
    GrantRequest,
    RouteRequest,
    SignedGrant,
    SignedRevoke,
    SignedRoute,
    account_key,
    purpose_id,
    route_digest,
    scope_id,
)
from thekey.consent.ids import PURPOSES, SCOPES, documented_purpose, documented_scope
from thekey.errors import BadInput
from thekey.hashing import to_checksum_address
from thekey.identity.did import EthrDID, did_for, parse_did
from thekey.parsing import (
    iso_time,
    label_hash,
    parse_address,
    parse_bytes32,
    parse_duration,
    parse_time,
    read_bytes,
    read_json,
)

app = typer.Typer(
    rich_markup_mode=None, help="Consent records: grant, revoke, check, list, record uses.", no_args_is_help=True
)
route_app = typer.Typer(
    rich_markup_mode=None,
    help="Data routes: which organisation holds which category of a DID's data.",
    no_args_is_help=True,
)

Identity = Annotated[str, typer.Argument(help="A did:ethr DID or an address (0x…).")]
ScopeOpt = Annotated[
    str, typer.Option("--scope", help="Data category: a documented name (see `consent names`) or 0x-id.")
]
PurposeOpt = Annotated[
    str, typer.Option("--purpose", help="Purpose: a documented name (see `consent names`) or 0x-id.")
]
ValidFor = Annotated[str, typer.Option("--valid-for", help="With --sign-only: how long the signature stays valid.")]
SignOnly = Annotated[bool, typer.Option("--sign-only", help="Sign off-line and print the JSON document to relay.")]
SignedFile = Annotated[Path, typer.Argument(help="A signed JSON document (from --sign-only).", dir_okay=False)]


class _Id:
    """A DID or bare address, checked against the node's chain once connected."""

    def __init__(self, text: str) -> None:
        t = text.strip()
        self.did: EthrDID | None = parse_did(t) if t.startswith("did:") else None
        self.address = self.did.address if self.did else parse_address(t)

    def on(self, chain_id: int) -> str:
        if self.did is not None and self.did.chain_id != chain_id:
            raise BadInput(f"{self.did} names chain {self.did.chain_id}, the node is chain {chain_id}")
        return self.address


def _read_json(file: Path) -> dict[str, Any]:
    data = read_json(file)
    if not isinstance(data, dict):
        raise BadInput(f"{file} is not a JSON object")
    return data


def _hex(b: bytes) -> str:
    return "0x" + b.hex()


# -- consent -----------------------------------------------------------------------------


@app.command()
def grant(
    grantee: Identity,
    scope: ScopeOpt,
    purpose: PurposeOpt,
    subject: Annotated[
        str | None, typer.Option("--subject", help="The subject DID [default: the signer's own].")
    ] = None,
    valid_from: Annotated[
        str | None, typer.Option("--from", help="Start (UNIX seconds or ISO 8601) [default: now].")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="End, inclusive (UNIX seconds or ISO 8601).")] = None,
    duration: Annotated[str | None, typer.Option("--for", help="Or: length from the start (e.g. 30d).")] = None,
    max_uses: Annotated[int, typer.Option("--max-uses", min=0, help="Maximum recorded uses, 0 = unlimited.")] = 0,
    receipt_file: Annotated[
        Path | None,
        typer.Option("--receipt", help="Also write the consent receipt JSON here.", dir_okay=False),
    ] = None,
    sign_only: SignOnly = False,
    valid_for: ValidFor = "1h",
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Grant GRANTEE consent to use SCOPE of the subject's data for PURPOSE; prints the receipt."""
    who, sid, pid = _Id(grantee), documented_scope(scope), documented_purpose(purpose)
    subj = _Id(subject) if subject else None
    start = parse_time(valid_from) if valid_from else 0
    if until and duration:
        raise BadInput("give --until or --for, not both")
    end = parse_time(until) if until else 0
    length = parse_duration(duration) if duration else 0
    sig_life = parse_duration(valid_for)
    _check_writable(receipt_file)
    session, consents = open_client(ConsentRegistry, rpc_url, chain_id, account, keystore, json_out or sign_only)
    chain = session.chain()
    signer = session.signer()
    now = session.now()
    if length:
        end = (start or now) + length
    req = GrantRequest(
        subj.on(chain.chain_id) if subj else signer.address,
        who.on(chain.chain_id),
        sid,
        pid,
        start,
        end,
        max_uses,
    )
    if sign_only:
        session.emit(consents.sign_grant(signer, req, now + sig_life).document())
        return
    rc = consents.grant(signer, req)
    _emit_receipt(session, rc.document(), receipt_file)


def _check_writable(receipt_file: Path | None) -> None:
    """Refuse an unwritable --receipt before anything is sent (not after the grant is on chain)."""
    if receipt_file is not None and not os.access(receipt_file.parent, os.W_OK):
        raise BadInput(f"cannot write {receipt_file}: its folder does not exist or is not writable")


def _emit_receipt(session: Session, doc: dict[str, Any], receipt_file: Path | None) -> None:
    if receipt_file is not None:
        try:
            receipt_file.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        except OSError as exc:
            raise BadInput(f"cannot write {receipt_file}: {exc.strerror}") from None
    session.emit(
        doc,
        f"consent {doc['consentId']} granted to {doc['grantee']} — tx {doc['txHash']} (block {doc['block']})",
    )


@app.command()
def relay(
    file: SignedFile,
    receipt_file: Annotated[
        Path | None,
        typer.Option("--receipt", help="For a grant: write the receipt JSON here.", dir_okay=False),
    ] = None,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Submit a signed grant or revocation (any account may pay the gas)."""
    doc = _read_json(file)
    _check_writable(receipt_file)
    kind = doc.get("type")
    if kind == "TheKeySignedGrant":
        signed_grant = SignedGrant.from_document(doc)
        session, consents = open_client(ConsentRegistry, rpc_url, chain_id, account, keystore, json_out)
        _emit_receipt(session, consents.grant_by_sig(session.signer(), signed_grant).document(), receipt_file)
    elif kind == "TheKeySignedRevoke":
        signed_revoke = SignedRevoke.from_document(doc)
        session, consents = open_client(ConsentRegistry, rpc_url, chain_id, account, keystore, json_out)
        rc = consents.revoke_by_sig(session.signer(), signed_revoke)
        session.emit_tx(f"consent {_hex(signed_revoke.id)} revoked", rc, {"consentId": _hex(signed_revoke.id)})
    else:
        raise BadInput(f"{file} is not a signed grant or revocation (type {kind!r})")


@app.command()
def revoke(
    consent_id: Annotated[str, typer.Argument(help="The consent id (0x…, 32 bytes).")],
    sign_only: SignOnly = False,
    valid_for: ValidFor = "1h",
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Revoke a consent for good (the subject's owner or a sigAuth delegate)."""
    cid, sig_life = parse_bytes32(consent_id), parse_duration(valid_for)
    session, consents = open_client(ConsentRegistry, rpc_url, chain_id, account, keystore, json_out or sign_only)
    signer = session.signer()
    if sign_only:
        session.emit(consents.sign_revoke(signer, cid, session.now() + sig_life).document())
        return
    session.emit_tx(f"consent {consent_id} revoked", consents.revoke(signer, cid), {"consentId": _hex(cid)})


@app.command()
def check(
    subject: Identity,
    grantee: Identity,
    scope: ScopeOpt,
    purpose: PurposeOpt,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    json_out: JsonOut = False,
) -> None:
    """Whether GRANTEE may now use SCOPE of SUBJECT's data for PURPOSE (exit 1 when not)."""
    subj, who, sid, pid = _Id(subject), _Id(grantee), documented_scope(scope), documented_purpose(purpose)
    session, consents = open_client(ConsentRegistry, rpc_url, chain_id, None, None, json_out)
    cid_ = session.chain().chain_id
    ok = consents.is_authorized(subj.on(cid_), who.on(cid_), sid, pid)
    current = consents.current_consent(subj.address, who.address, sid, pid)
    session.emit(
        {"authorized": ok, "consentId": _hex(current) if current else None},
        f"{'authorized' if ok else 'NOT authorized'}" + (f" (consent {_hex(current)})" if current else ""),
    )
    if not ok:
        raise typer.Exit(1)


@app.command("list")
def list_(subject: Identity, rpc_url: RpcUrl = None, chain_id: ChainId = None, json_out: JsonOut = False) -> None:
    """Every consent SUBJECT ever granted, with its status now (the subject's dashboard)."""
    subj = _Id(subject)
    session, consents = open_client(ConsentRegistry, rpc_url, chain_id, None, None, json_out)
    chain = session.chain()
    who = subj.on(chain.chain_id)
    now = chain.timestamp()
    rows = []
    for c in consents.consents(who):
        live = consents.is_live(c.id)
        rows.append({**c.as_json(chain.chain_id), "status": "live" if live else c.status(now, subject_active=False)})

    def human() -> None:
        for r in rows:
            typer.echo(
                f"{r['id']}  {r['status']:<16} {r['scope']} / {r['purpose']} → {r['grantee']} "
                f"uses {r['uses']}/{r['maxUses'] or '∞'}"
            )
        if not rows:
            typer.echo(f"no consents for {did_for(chain.chain_id, who)}")

    session.emit(rows, human)


@app.command()
def use(
    consent_id: Annotated[str, typer.Argument(help="The consent id (0x…, 32 bytes).")],
    access: Annotated[str, typer.Option("--access", help="What was accessed: a 0x 32-byte hash, or a label to hash.")],
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Record a use of a live consent (the grantee's owner or a sigAuth delegate)."""
    cid, access_hash = parse_bytes32(consent_id), label_hash(access)
    session, consents = open_client(ConsentRegistry, rpc_url, chain_id, account, keystore, json_out)
    u = consents.record_use(session.signer(), cid, access_hash)
    session.emit(u.as_json(), f"use {u.use} of consent {consent_id} recorded — tx {u.tx_hash} (block {u.block_number})")


@app.command()
def audit(
    consent_id: Annotated[str, typer.Argument(help="The consent id (0x…, 32 bytes).")],
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    json_out: JsonOut = False,
) -> None:
    """The audit trail of a consent: every recorded use."""
    cid = parse_bytes32(consent_id)
    session, consents = open_client(ConsentRegistry, rpc_url, chain_id, None, None, json_out)
    consents.key_of(cid)  # ConsentNotFound: one line naming the id
    rows = [u.as_json() for u in consents.audit_trail(cid)]
    session.emit(
        rows,
        "\n".join(f"use {r['use']}: {r['accessHash']} tx {r['txHash']} (block {r['block']})" for r in rows)
        or "no recorded uses",
    )


@app.command()
def names(json_out: JsonOut = False) -> None:
    """The documented purpose and scope names, with their ids."""
    data = {
        "purposes": {n: {"id": _hex(purpose_id(n)), "meaning": m} for n, m in PURPOSES.items()},
        "scopes": {n: {"id": _hex(scope_id(n)), "meaning": m} for n, m in SCOPES.items()},
    }
    Session(json=json_out).emit(
        data,
        "\n".join(
            [f"purpose {n:<24} {m}" for n, m in PURPOSES.items()] + [f"scope   {n:<24} {m}" for n, m in SCOPES.items()]
        ),
    )


# -- route -------------------------------------------------------------------------------

OrgOpt = Annotated[str | None, typer.Option("--organisation", help="The organisation DID [default: the signer's own].")]


@route_app.command()
def publish(
    subject: Identity,
    category: Annotated[str, typer.Option("--category", help="Data category name or 0x-id.")],
    digest: Annotated[str | None, typer.Option("--digest", help="The 0x 32-byte digest of the data held.")] = None,
    data_file: Annotated[
        Path | None,
        typer.Option("--data-file", help="Or: compute the digest of this file (needs --salt).", dir_okay=False),
    ] = None,
    salt: Annotated[str | None, typer.Option("--salt", help="Hex salt (≥ 16 bytes) for --data-file.")] = None,
    updated_at: Annotated[
        str | None, typer.Option("--updated-at", help="When the data last changed [default: now].")
    ] = None,
    organisation: OrgOpt = None,
    sign_only: SignOnly = False,
    valid_for: ValidFor = "1h",
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Publish that the organisation holds CATEGORY data of SUBJECT (needs SUBJECT's data-route consent)."""
    subj, cat = _Id(subject), documented_scope(category)
    org = _Id(organisation) if organisation else None
    if (digest is None) == (data_file is None):
        raise BadInput("give exactly one of --digest or --data-file")
    if digest is not None:
        dg = parse_bytes32(digest)
    else:
        assert data_file is not None
        if salt is None:
            raise BadInput("--data-file needs --salt")
        try:
            salt_bytes = bytes.fromhex(salt.removeprefix("0x"))
        except ValueError:
            raise BadInput(f"--salt is not hex: {salt!r}") from None
        content = read_bytes(data_file)
        dg = route_digest(content, salt_bytes)
    at = parse_time(updated_at) if updated_at else None
    sig_life = parse_duration(valid_for)
    session, routes = open_client(DataRoutes, rpc_url, chain_id, account, keystore, json_out or sign_only)
    chain = session.chain()
    signer = session.signer()
    now = chain.timestamp()
    req = RouteRequest(
        org.on(chain.chain_id) if org else signer.address,
        subj.on(chain.chain_id),
        cat,
        dg,
        now if at is None else at,
    )
    if sign_only:
        session.emit(routes.sign_publish(signer, req, session.now() + sig_life).document())
        return
    rid = routes.route_id(req.subject, req.organisation, cat)
    session.emit_tx(
        f"route {_hex(rid)} published",
        routes.publish(signer, req),
        {"routeId": _hex(rid), "digest": _hex(dg)},
    )


@route_app.command("relay")
def route_relay(
    file: SignedFile,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Submit a signed route publication (any account may pay the gas)."""
    signed = SignedRoute.from_document(_read_json(file))
    session, routes = open_client(DataRoutes, rpc_url, chain_id, account, keystore, json_out)
    session.emit_tx("route published", routes.publish_by_sig(session.signer(), signed))


_NOT_LIVE = "not live (withdrawn, or its consent no longer stands)"


@route_app.command("list")
def route_list(subject: Identity, rpc_url: RpcUrl = None, chain_id: ChainId = None, json_out: JsonOut = False) -> None:
    """Which organisations hold which categories of SUBJECT's data (never the data)."""
    subj = _Id(subject)
    session, routes = open_client(DataRoutes, rpc_url, chain_id, None, None, json_out)
    cid_ = session.chain().chain_id
    rows = [{**r.as_json(), "organisation": did_for(cid_, r.organisation)} for r in routes.routes(subj.on(cid_))]
    session.emit(
        rows,
        "\n".join(
            f"{r['organisation']}  {r['category']}  "
            + (f"digest {r['digest']}  updated {iso_time(r['updatedAt'])}" if r["live"] else _NOT_LIVE)
            for r in rows
        )
        or "no routes",
    )


LocalIdOpt = Annotated[str, typer.Option("--local-id", help="The organisation's own account id (never sent).")]
SecretFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--secret-file",
        help="The organisation's account-mapping key (≥ 16 bytes) [default: $THEKEY_ACCOUNT_SECRET, hex].",
        dir_okay=False,
    ),
]


def _account_key(local_id: str, secret_file: Path | None) -> bytes:
    """The keyed hash of ``local_id`` under the organisation's key (file, or $THEKEY_ACCOUNT_SECRET)."""
    if secret_file is not None:
        secret = read_bytes(secret_file)
    else:
        env = os.environ.get("THEKEY_ACCOUNT_SECRET")
        if not env:
            raise BadInput("no account-mapping key: pass --secret-file or set THEKEY_ACCOUNT_SECRET (hex)")
        try:
            secret = bytes.fromhex(env.removeprefix("0x"))
        except ValueError:
            raise BadInput("THEKEY_ACCOUNT_SECRET is not hex") from None
    return account_key(secret, local_id)


@route_app.command("link-account")
def link_account(
    subject: Identity,
    local_id: LocalIdOpt,
    secret_file: SecretFileOpt = None,
    organisation: OrgOpt = None,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Map a local account to SUBJECT by keyed hash (HMAC-SHA256); uses one of SUBJECT's account-link consent uses."""
    subj = _Id(subject)
    org = _Id(organisation) if organisation else None
    key = _account_key(local_id, secret_file)
    session, routes = open_client(DataRoutes, rpc_url, chain_id, account, keystore, json_out)
    chain = session.chain()
    signer = session.signer()
    org_address = org.on(chain.chain_id) if org else signer.address
    rc = routes.link_account(signer, org_address, key, subj.on(chain.chain_id))
    session.emit_tx(
        "account linked",
        rc,
        {"accountKey": _hex(key), "organisation": to_checksum_address(org_address)},
    )


@route_app.command("unlink-account")
def unlink_account(
    organisation: Annotated[str, typer.Argument(help="The organisation DID whose local account is unlinked.")],
    local_id: Annotated[
        str | None, typer.Option("--local-id", help="The organisation's account id (needs its key).")
    ] = None,
    secret_file: SecretFileOpt = None,
    key_hex: Annotated[
        str | None, typer.Option("--account-key", help="Or: the 0x keyed hash, as printed by link-account.")
    ] = None,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Remove the link of a local account of ORGANISATION (the signer acts for the subject or the organisation)."""
    org = _Id(organisation)
    if (local_id is None) == (key_hex is None):
        raise BadInput("give exactly one of --local-id or --account-key")
    key = parse_bytes32(key_hex) if key_hex is not None else _account_key(local_id or "", secret_file)
    session, routes = open_client(DataRoutes, rpc_url, chain_id, account, keystore, json_out)
    rc = routes.unlink_account(session.signer(), org.on(session.chain().chain_id), key)
    session.emit_tx("account unlinked", rc, {"accountKey": _hex(key)})


@route_app.command()
def withdraw(
    subject: Identity,
    category: Annotated[str, typer.Option("--category", help="Data category name or 0x-id.")],
    organisation: OrgOpt = None,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Withdraw the route of SUBJECT's CATEGORY data at the organisation (the signer acts for either)."""
    subj, cat = _Id(subject), documented_scope(category)
    org = _Id(organisation) if organisation else None
    session, routes = open_client(DataRoutes, rpc_url, chain_id, account, keystore, json_out)
    chain = session.chain()
    signer = session.signer()
    org_address = org.on(chain.chain_id) if org else signer.address
    subject_address = subj.on(chain.chain_id)
    rid = routes.route_id(subject_address, org_address, cat)
    session.emit_tx(
        f"route {_hex(rid)} withdrawn",
        routes.withdraw_route(signer, subject_address, org_address, cat),
        {"routeId": _hex(rid)},
    )


@route_app.command()
def admit(
    organisation: Identity,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Admit ORGANISATION to the data route (GOVERNOR_ROLE only)."""
    org = _Id(organisation)
    session, routes = open_client(DataRoutes, rpc_url, chain_id, account, keystore, json_out)
    session.emit_tx("organisation admitted", routes.admit(session.signer(), org.on(session.chain().chain_id)))
