"""``thekey issuer …``, ``thekey schema …`` and ``thekey credential …``: verifiable credentials."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from thekey.cli.common import AccountOpt, ChainId, JsonOut, KeystoreOpt, RpcUrl, Session, console, open_client
from thekey.cli.progress import Reporter
from thekey.credentials import CredentialRegistry, CredentialStore, StatusAction, anchor_credential, credential_hash
from thekey.credentials.anchoring import Query
from thekey.credentials.issuance import (
    IssuedCredential,
    anchor_batch,
    batch_evidence,
    issue_credential,
    next_status_indexes,
)
from thekey.credentials.jws import jwk_public_bytes
from thekey.credentials.schemas import check_schema
from thekey.credentials.sdjwt import SdJwt, anchor_sd_jwt, issue_sd_jwt, parse_sd_jwt
from thekey.credentials.sdjwt_verify import verify_sd_jwt
from thekey.credentials.status import PURPOSES, status_list_credential, status_pointer
from thekey.credentials.vc import type_hash, view
from thekey.credentials.verify import verify_credential
from thekey.errors import BadInput
from thekey.identity.did import EthrDID, parse_did
from thekey.parsing import iso_time as iso
from thekey.parsing import label_hash, parse_address, parse_bytes32, parse_duration, parse_time, read_json, read_text

issuer_app = typer.Typer(
    rich_markup_mode=None,
    help="Authority issuers: admit, suspend, reinstate, remove (governance).",
    no_args_is_help=True,
)
schema_app = typer.Typer(
    rich_markup_mode=None, help="Credential schemas: register a JSON Schema, show, deprecate.", no_args_is_help=True
)
credential_app = typer.Typer(
    rich_markup_mode=None,
    help="Verifiable credentials: issue, anchor (singly or as a batch), verify, revoke/suspend/reinstate, "
    "status; W3C VC 2.0 or SD-JWT VC (selective disclosure).",
    no_args_is_help=True,
)

Who = Annotated[str, typer.Argument(help="The issuer: a did:ethr DID or an address (0x…).")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Reason code: a label (hashed) or 0x-32-byte hex.")]
StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        envvar="THEKEY_STORE",
        help="Local credential store (SQLite) [default: ~/.thekey/credentials.sqlite].",
        dir_okay=False,
    ),
]
CredentialFile = Annotated[Path, typer.Argument(help="A credential JSON file.", dir_okay=False)]
Target = Annotated[str, typer.Argument(help="A credential file (W3C JSON or SD-JWT VC), or a credential hash (0x…).")]
IssuerOpt = Annotated[
    str | None,
    typer.Option(
        "--issuer",
        help="The issuer DID or address whose namespace holds the credential "
        "[default: the credential file's issuer, else your own account].",
    ),
]


def _type_id(text: str) -> bytes:
    t = text.strip()
    if not t:
        raise BadInput("an empty credential type")
    return parse_bytes32(t) if t.startswith("0x") else type_hash(t)


class _Who:
    """A DID or bare address, parsed before connecting; a DID's chain is checked once connected."""

    def __init__(self, text: str) -> None:
        t = text.strip()
        self.did: EthrDID | None = parse_did(t) if t.startswith("did:") else None
        self.address = self.did.address if self.did else parse_address(t)

    def on(self, session: Session) -> str:
        chain_id = session.chain().chain_id
        if self.did is not None and self.did.chain_id != chain_id:
            raise BadInput(f"{self.did} names chain {self.did.chain_id}, but the node is chain {chain_id}")
        return self.address


def _reason(text: str) -> bytes:
    return label_hash(text)


def _read_sd_jwt(path: Path) -> SdJwt | None:
    """The SD-JWT VC in ``path`` (its JWT header is base64url JSON: ``eyJ…``), else None (JSON: a W3C credential)."""
    text = read_text(path).strip()
    return parse_sd_jwt(text) if text.startswith("eyJ") else None


def _read_credential(path: Path) -> dict[str, Any]:
    doc = read_json(path)
    if not isinstance(doc, dict):
        raise BadInput(f"{path} is not a credential JSON object")
    view(doc)
    return doc


def _write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text + "\n")
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror}") from None


def _write_json(path: Path, data: Any) -> None:
    try:
        path.write_text(json.dumps(data, indent=2) + "\n")
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror}") from None


def _hex(b: bytes) -> str:
    return "0x" + b.hex()


# ------------------------------------------------------------------------------ issuer


def _issuer_action(
    action: str,
    who: str,
    reason: str,
    rpc_url: str | None,
    chain_id: int | None,
    account: str | None,
    keystore: Path | None,
    json_out: bool,
) -> None:
    code, issuer = _reason(reason), _Who(who)
    session, reg = open_client(CredentialRegistry, rpc_url, chain_id, account, keystore, json_out)
    address = issuer.on(session)
    send = {"suspend": reg.suspend_issuer, "reinstate": reg.reinstate_issuer, "remove": reg.remove_issuer}[action]
    done = {"suspend": "suspended", "reinstate": "reinstated", "remove": "removed for good"}[action]
    session.emit_tx(f"issuer {address} {done}", send(session.signer(), address, code), {"issuer": address})


@issuer_app.command("add")
def issuer_add(
    who: Who,
    types: Annotated[
        list[str], typer.Option("--type", help="A credential type it may issue (VC type name or 0x-id); repeat.")
    ],
    name: str = typer.Option(..., "--name", help="The issuer's legal name (only its keccak-256 goes on chain)."),
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Admit WHO as an authority issuer (GOVERNOR_ROLE only)."""
    issuer, name_hash, type_ids = _Who(who), label_hash(name), [_type_id(t) for t in types]
    session, reg = open_client(CredentialRegistry, rpc_url, chain_id, account, keystore, json_out)
    address = issuer.on(session)
    receipt = reg.add_issuer(session.signer(), address, name_hash, type_ids)
    session.emit_tx(f"issuer {address} admitted", receipt, {"issuer": address, "types": [_hex(t) for t in type_ids]})


def _issuer_command(action: str, doc: str) -> Callable[..., None]:
    """A governance command on an issuer (suspend, reinstate, remove): one shape, three actions."""

    def command(
        who: Who,
        reason: ReasonOpt,
        rpc_url: RpcUrl = None,
        chain_id: ChainId = None,
        account: AccountOpt = None,
        keystore: KeystoreOpt = None,
        json_out: JsonOut = False,
    ) -> None:
        _issuer_action(action, who, reason, rpc_url, chain_id, account, keystore, json_out)

    command.__doc__ = doc
    return command


issuer_app.command("suspend")(
    _issuer_command("suspend", "Suspend an issuer: it anchors nothing until reinstated (GOVERNOR_ROLE only).")
)
issuer_app.command("reinstate")(_issuer_command("reinstate", "Reinstate a suspended issuer (GOVERNOR_ROLE only)."))
issuer_app.command("remove")(
    _issuer_command("remove", "Remove an issuer for ever; its credentials stop being valid (GOVERNOR_ROLE only).")
)


@issuer_app.command("show")
def issuer_show(who: Who, rpc_url: RpcUrl = None, chain_id: ChainId = None, json_out: JsonOut = False) -> None:
    """An issuer's record."""
    issuer = _Who(who)
    session, reg = open_client(CredentialRegistry, rpc_url, chain_id, None, None, json_out)
    address = issuer.on(session)
    i = reg.get_issuer(address)
    data = {
        "issuer": address,
        "id": i.id,
        "status": i.status.name.lower(),
        "admittedAt": i.admitted_at,
        "statusChangedAt": i.status_changed_at,
        "statusWatermark": i.status_watermark,
        "nameHash": _hex(i.name_hash),
    }
    session.emit(data, f"{address}: {data['status']} (id {i.id}), status list of {i.status_watermark} entries")


# ------------------------------------------------------------------------------ schema


@schema_app.command("register")
def schema_register(
    file: Annotated[Path, typer.Argument(help="A JSON Schema document.", dir_okay=False)],
    ctype: str = typer.Option(..., "--type", help="The credential type it describes (VC type name or 0x-id)."),
    version: int = typer.Option(1, "--version", min=0, max=2**32 - 1, help="The schema's version number."),
    publisher: str | None = typer.Option(
        None, "--publisher", help="The issuer DID or address you publish for [default: your own account]."
    ),
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Register a JSON Schema (draft 2020-12, checked first) for one credential type. Its id binds
    the publisher, the type and the keccak-256 of its RFC 8785 canonical form; the same document
    registered by someone else or for another type is another id (listed in the output)."""
    doc, type_id = read_json(file), _type_id(ctype)
    if not isinstance(doc, dict):
        raise BadInput(f"{file} is not a JSON Schema object")
    check_schema(doc)
    who = None if publisher is None else _Who(publisher)
    session, reg = open_client(CredentialRegistry, rpc_url, chain_id, account, keystore, json_out)
    sid, receipt = reg.register_schema(
        session.signer(), doc, type_id, version, publisher=None if who is None else who.on(session)
    )
    others = [r for r in reg.registrations(doc) if r.schema_id != sid]
    data: dict[str, Any] = {
        "schemaId": _hex(sid),
        "sameDocument": [
            {"schemaId": _hex(r.schema_id), "publisher": r.publisher, "credentialType": _hex(r.credential_type)}
            for r in others
        ],
    }
    note = "".join(
        f"; the same document is also schema {_hex(r.schema_id)} of {r.publisher} for type {_hex(r.credential_type)}"
        for r in others
    )
    session.emit_tx(f"schema {_hex(sid)} registered{note}", receipt, data)


@schema_app.command("show")
def schema_show(
    schema: Annotated[str, typer.Argument(help="A schema id (0x…).")],
    document: bool = typer.Option(False, "--document", help="Print the registered JSON Schema document."),
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    json_out: JsonOut = False,
) -> None:
    """A schema's record (and document)."""
    sid = parse_bytes32(schema)
    session, reg = open_client(CredentialRegistry, rpc_url, chain_id, None, None, json_out)
    s = reg.get_schema(sid)
    if not s.registered:
        raise BadInput(f"no schema {schema} is registered")
    data: dict[str, Any] = {
        "schemaId": _hex(sid),
        "publisher": s.publisher,
        "version": s.version,
        "registeredAt": s.registered_at,
        "deprecatedAt": s.deprecated_at,
        "credentialType": _hex(s.credential_type),
    }
    if document:
        data["document"] = reg.schema_document(sid)
    status = "deprecated" if s.deprecated_at else "active"
    session.emit(data, None if document else f"schema {_hex(sid)} v{s.version} by {s.publisher}: {status}")


@schema_app.command("deprecate")
def schema_deprecate(
    schema: Annotated[str, typer.Argument(help="A schema id (0x…).")],
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Deprecate a schema: no new anchors under it (its issuer's DID controller or GOVERNOR_ROLE)."""
    sid = parse_bytes32(schema)
    session, reg = open_client(CredentialRegistry, rpc_url, chain_id, account, keystore, json_out)
    session.emit_tx(f"schema {schema} deprecated", reg.deprecate_schema(session.signer(), sid))


# ------------------------------------------------------------------------------ credential


@credential_app.command("issue")
def credential_issue(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the credential JSON.", dir_okay=False)],
    subject: str = typer.Option(..., "--subject", help="The subject's did:ethr DID."),
    ctype: str = typer.Option(..., "--type", help="The credential's VC type name (e.g. UniversityDegreeCredential)."),
    schema: str = typer.Option(..., "--schema", help="The registered schema id (0x…)."),
    claims: str = typer.Option(..., "--claims", help="The claims: a JSON object, or @FILE."),
    valid_from: str | None = typer.Option(None, "--valid-from", help="Start (UNIX or ISO 8601) [default: now]."),
    valid_for: str | None = typer.Option(None, "--valid-for", help="Duration from the start (e.g. 365d)."),
    valid_until: str | None = typer.Option(None, "--valid-until", help="End (UNIX or ISO 8601) [default: none]."),
    fmt: str = typer.Option(
        "vc", "--format", help="vc (W3C VC 2.0, EIP-712 proof) or sd-jwt (SD-JWT VC, every claim disclosable)."
    ),
    holder_jwk: str | None = typer.Option(
        None, "--holder-jwk", help="sd-jwt: the holder's public JWK (JSON or @FILE; `thekey wallet key` prints it)."
    ),
    anchor: bool = typer.Option(True, "--anchor/--no-anchor", help="Anchor now (or later, singly or in a batch)."),
    status_base: str | None = typer.Option(
        None,
        "--status-base-url",
        envvar="THEKEY_STATUS_BASE_URL",
        help="Public URL of the gateway serving your status lists (`thekey serve --public-url`); "
        "statusListCredential then points there [default: a urn:thekey:status URN].",
    ),
    store_path: StoreOpt = None,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Issue a credential signed by you, stored locally, anchored by default: a W3C VC 2.0 (EIP-712
    proof) or an SD-JWT VC (ES256K, bound to --holder-jwk; the file holds every disclosure)."""
    if fmt not in ("vc", "sd-jwt"):
        raise BadInput(f"--format is vc or sd-jwt, not {fmt!r}")
    jwk = None
    if fmt == "sd-jwt":
        if holder_jwk is None:
            raise BadInput("an SD-JWT VC is bound to the holder's key: give --holder-jwk")
        jwk = read_json(Path(holder_jwk[1:])) if holder_jwk.startswith("@") else _parse_claims(holder_jwk)
        jwk_public_bytes(jwk)
    if not subject.strip().startswith("did:"):
        raise BadInput(f"--subject is a did:ethr DID, not {subject!r}")
    who = _Who(subject)
    sid = parse_bytes32(schema)
    raw = read_json(Path(claims[1:])) if claims.startswith("@") else _parse_claims(claims)
    if not isinstance(raw, dict):
        raise BadInput("--claims must be a JSON object")
    start = parse_time(valid_from) if valid_from else None
    if valid_for and valid_until:
        raise BadInput("give --valid-for or --valid-until, not both")
    duration = parse_duration(valid_for) if valid_for else None
    end = parse_time(valid_until) if valid_until else None
    session, reg = open_client(CredentialRegistry, rpc_url, chain_id, account, keystore, json_out)
    who.on(session)  # a subject DID of another chain is refused, as `consent check` refuses it
    signer = session.signer()
    # valid from the earlier of the node's clock and the wall clock (a verifier may read either);
    # --valid-for counts from the later, so the credential is never born expired
    now = session.now() if start is None else start
    vf = start if start is not None else min(session.chain().timestamp(), now)
    vu = now + duration if duration is not None else end
    with CredentialStore(store_path) as store:
        index = next_status_indexes(reg, signer.address, 1, store)[0]
        if jwk is not None:
            sd = issue_sd_jwt(reg, signer, holder_jwk=jwk, subject=subject, credential_type=ctype, claims=raw,
                              schema_id=sid, valid_from=vf, valid_until=vu, status_index=index)  # fmt: skip
            store.put(sd.hash, {"sdJwt": sd.jwt}, role="issued", issuer=signer.address, subject=subject,
                      status_index=index)  # fmt: skip
            _write_text(out, sd.compact())
            item_hash = sd.hash
            if anchor:
                receipt = anchor_sd_jwt(reg, signer, sd)
                store.mark_anchored(sd.hash)
        else:
            item = issue_credential(
                reg,
                signer,
                subject=subject,
                credential_type=ctype,
                claims=raw,
                schema_id=sid,
                valid_from=vf,
                valid_until=vu,
                status_index=index,
                status_base=status_base,
            )
            store.put(item.hash, item.credential, role="issued", issuer=signer.address, subject=subject,
                      status_index=index)  # fmt: skip
            _write_json(out, item.credential)
            item_hash = item.hash
            if anchor:
                receipt = anchor_credential(reg, signer, item)
                store.mark_anchored(item.hash)
        data: dict[str, Any] = {
            "credentialHash": _hex(item_hash),
            "statusIndex": index,
            "file": str(out),
            "format": fmt,
        }
        if anchor:
            data.update(txHash=receipt.tx_hash, gasUsed=receipt.gas_used)
    session.emit(
        data,
        f"issued {_hex(item_hash)} (status index {index}) → {out}"
        + (f"; anchored in tx {data['txHash']}" if anchor else "; not anchored yet"),
    )


def _parse_claims(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise BadInput("--claims is not JSON (give a JSON object, or @FILE)") from None


def _issued(vc: dict[str, Any]) -> IssuedCredential:
    return IssuedCredential(vc, credential_hash(vc), status_pointer(vc).index)


@credential_app.command("anchor")
def credential_anchor(
    file: CredentialFile,
    store_path: StoreOpt = None,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Anchor one issued credential (W3C VC or SD-JWT VC) singly (as its issuer)."""
    sd = _read_sd_jwt(file)
    session, reg = open_client(CredentialRegistry, rpc_url, chain_id, account, keystore, json_out)
    if sd is not None:
        item_hash, receipt = sd.hash, anchor_sd_jwt(reg, session.signer(), sd)
    else:
        item = _issued(_read_credential(file))
        item_hash, receipt = item.hash, anchor_credential(reg, session.signer(), item)
    with CredentialStore(store_path) as store:
        store.mark_anchored(item_hash)
    session.emit_tx(f"anchored {_hex(item_hash)}", receipt, {"credentialHash": _hex(item_hash)})


@credential_app.command("anchor-batch")
def credential_anchor_batch(
    files: Annotated[list[Path], typer.Argument(help="Credential JSON files (rewritten with their Merkle proof).")],
    store_path: StoreOpt = None,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Anchor many issued credentials under one Merkle root; each file gets its proof."""
    shown = Reporter(enabled=not json_out)
    items = []
    with shown.bar(len(files), "reading credentials") as bar:  # bad input is refused before connecting
        for f in files:
            items.append(_issued(_read_credential(f)))
            shown.advance(bar, 1)
    session, reg = open_client(CredentialRegistry, rpc_url, chain_id, account, keystore, json_out)
    root, receipt, done = anchor_batch(reg, session.signer(), items)
    with CredentialStore(store_path) as store, shown.bar(len(files), "writing proofs") as bar:
        for f, item in zip(files, done, strict=True):
            _write_json(f, item.credential)
            store.mark_anchored(item.hash, item.credential)
            shown.advance(bar, 1)
    session.emit_tx(
        f"anchored {len(items)} credentials under root {_hex(root)}",
        receipt,
        {"root": _hex(root), "count": len(items), "gasPerCredential": receipt.gas_used // len(items)},
    )


def _print_result(session: Session, result_json: dict[str, Any]) -> None:
    def human() -> None:
        verdict = "[green]VALID[/]" if result_json["valid"] else "[red]INVALID[/]"
        console.print(f"{verdict} {result_json['credentialHash']}")
        for c in result_json["checks"]:
            mark = "[green]ok[/]  " if c["ok"] else "[red]FAIL[/]"
            console.print(f"  {mark} {c['name']}: {c['reason']}", highlight=False)

    session.emit(result_json, human)


@credential_app.command("verify")
def credential_verify(
    file: Annotated[
        Path,
        typer.Argument(
            help="A W3C credential (JSON), or an SD-JWT VC or presentation (`wallet present`).", dir_okay=False
        ),
    ],
    holder: str | None = typer.Option(None, "--holder", help="W3C: the presenting holder's DID (must be the subject)."),
    nonce: str | None = typer.Option(None, "--nonce", help="SD-JWT: your challenge, which the KB-JWT must answer."),
    audience: str | None = typer.Option(None, "--audience", help="SD-JWT: your identifier, the KB-JWT's aud."),
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    json_out: JsonOut = False,
) -> None:
    """Verify a credential or SD-JWT presentation; exit 0 only when every check passes (each failed
    check is printed). An SD-JWT presentation is checked for key binding with --nonce and --audience."""
    sd = _read_sd_jwt(file)
    if sd is not None:
        if holder is not None:
            raise BadInput("--holder is for W3C credentials; an SD-JWT presentation is bound by --nonce/--audience")
        if (nonce is None) != (audience is None):
            raise BadInput("give both --nonce and --audience to check the presentation's key binding")
        session, reg = open_client(CredentialRegistry, rpc_url, chain_id, None, None, json_out)
        sd_result = verify_sd_jwt(reg, sd, nonce=nonce, audience=audience)
        _print_result(session, sd_result.as_json())
        if not sd_result.valid:
            raise typer.Exit(1)
        return
    if nonce is not None or audience is not None:
        raise BadInput("--nonce and --audience are for SD-JWT presentations")
    doc = read_json(file)
    if not isinstance(doc, dict):
        raise BadInput(f"{file} is not a credential JSON object")
    if holder is not None:
        parse_did(holder)
    session, reg = open_client(CredentialRegistry, rpc_url, chain_id, None, None, json_out)
    result = verify_credential(reg, doc, holder=holder)
    _print_result(session, result.as_json())
    if not result.valid:
        raise typer.Exit(1)


def _target(target: str) -> tuple[bytes, str | None, dict[str, Any] | None]:
    """(hash, the file's issuer, the W3C document) of a credential file (W3C or SD-JWT) or a bare hash."""
    if target.startswith("0x") and not Path(target).exists():
        return parse_bytes32(target), None, None
    sd = _read_sd_jwt(Path(target))
    if sd is not None:
        return sd.hash, parse_did(str(sd.payload.get("iss", ""))).address, None
    vc = _read_credential(Path(target))
    return credential_hash(vc), view(vc).issuer.address, vc


def _issuer_of(file_issuer: str | None, issuer: str | None) -> _Who | None:
    """The namespace of a credential: ``--issuer`` if given, else the credential file's issuer."""
    if issuer is not None:
        return _Who(issuer)
    return None if file_issuer is None else _Who(file_issuer)


def _status_change(
    action: StatusAction,
    target: str,
    reason: str,
    issuer: str | None,
    rpc_url: str | None,
    chain_id: int | None,
    account: str | None,
    keystore: Path | None,
    json_out: bool,
) -> None:
    code = _reason(reason)
    h, file_issuer, vc = _target(target)
    who = _issuer_of(file_issuer, issuer)
    session, reg = open_client(CredentialRegistry, rpc_url, chain_id, account, keystore, json_out)
    signer = session.signer()
    namespace = signer.address if who is None else who.on(session)
    verb = action.name.lower()
    if vc is not None and batch_evidence(vc) is not None:
        p = status_pointer(vc)
        receipt = reg.update_status(signer, p.issuer, action, [p.index], code)
        session.emit_tx(f"{verb}d entry {p.index} of {p.issuer}", receipt, {"statusIndex": p.index})
    else:
        receipt = {
            StatusAction.REVOKE: reg.revoke,
            StatusAction.SUSPEND: reg.suspend,
            StatusAction.REINSTATE: reg.reinstate,
        }[action](signer, h, code, issuer=namespace)
        session.emit_tx(f"{verb}d {_hex(h)}", receipt, {"credentialHash": _hex(h)})


def _status_command(action: StatusAction, doc: str) -> Callable[..., None]:
    """A status change of one credential (revoke, suspend, reinstate): one shape, three actions."""

    def command(
        target: Target,
        reason: ReasonOpt,
        issuer: IssuerOpt = None,
        rpc_url: RpcUrl = None,
        chain_id: ChainId = None,
        account: AccountOpt = None,
        keystore: KeystoreOpt = None,
        json_out: JsonOut = False,
    ) -> None:
        _status_change(action, target, reason, issuer, rpc_url, chain_id, account, keystore, json_out)

    command.__doc__ = doc
    return command


credential_app.command("revoke")(
    _status_command(
        StatusAction.REVOKE, 'Revoke a credential (final), as its issuer DID\'s controller (owner, "veriKey" delegate).'
    )
)
credential_app.command("suspend")(_status_command(StatusAction.SUSPEND, "Suspend a credential (reversible)."))
credential_app.command("reinstate")(_status_command(StatusAction.REINSTATE, "Lift a credential's suspension."))


@credential_app.command("status")
def credential_status(
    target: Target,
    issuer: IssuerOpt = None,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    json_out: JsonOut = False,
) -> None:
    """The on-chain record and validity of a credential (file, or hash with --issuer)."""
    h, file_issuer, vc = _target(target)
    who = _issuer_of(file_issuer, issuer)
    if who is None:
        raise BadInput("a credential hash needs --issuer: anchors are kept per issuer")
    evidence = None if vc is None else batch_evidence(vc)
    session, reg = open_client(CredentialRegistry, rpc_url, chain_id, None, None, json_out)
    namespace = who.on(session)
    query = (
        Query(namespace, h)
        if evidence is None or vc is None
        else Query(namespace, h, evidence[0], status_pointer(vc).index, tuple(evidence[1]))
    )
    (r,) = reg.inspect([query])
    data = {
        "credentialHash": _hex(h),
        "validity": r.validity.name.lower(),
        "issuer": r.issuer,
        "issuerStatus": r.issuer_status.name.lower(),
        "schemaId": _hex(r.schema_id),
        "anchoredAt": r.anchored_at,
        "validFrom": r.valid_from,
        "validUntil": r.valid_until,
        "statusIndex": r.status_index,
        "revoked": r.revoked,
        "suspended": r.suspended,
    }
    when = f", anchored {iso(r.anchored_at)}" if r.anchored_at else ""
    session.emit(data, f"{_hex(h)}: {data['validity']}{when}")


@credential_app.command("status-list")
def credential_status_list(
    issuer: Who,
    purpose: str = typer.Option("revocation", "--purpose", help="revocation or suspension."),
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    json_out: JsonOut = True,
) -> None:
    """Export an issuer's list as a W3C BitstringStatusListCredential (unsigned JSON; always JSON)."""
    if purpose not in PURPOSES:
        raise BadInput("--purpose is revocation or suspension")
    who = _Who(issuer)
    session, reg = open_client(CredentialRegistry, rpc_url, chain_id, None, None, True)
    chain = session.chain()
    address = who.on(session)
    words = reg.status_words(address)
    session.emit(
        status_list_credential(
            chain.chain_id,
            reg.address,
            address,
            purpose,  # type: ignore[arg-type,unused-ignore]
            words,
            iso(chain.timestamp()),
        )
    )
