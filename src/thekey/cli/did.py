"""``thekey did …``: eID — did:ethr identities, their documents, and real-identity bindings."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from getpass import getpass
from pathlib import Path
from typing import Annotated, Any

import typer
from eth_account import Account
from eth_utils import is_hex_address

from thekey.chain import Receipt, from_private_key, write_keystore
from thekey.cli.common import AccountOpt, ChainId, JsonOut, KeystoreOpt, RpcUrl, Session
from thekey.errors import BadInput
from thekey.hashing import to_checksum_address
from thekey.identity.commitment import commitment as commitment_of
from thekey.identity.commitment import normalise_document, parse_pepper, person_commitment
from thekey.identity.did import EthrDID, did_for, parse_did
from thekey.identity.did_document import DIDResolver
from thekey.identity.registry import (
    ZERO_ADDRESS,
    EIDRegistry,
    IdentityBinding,
    SignedChange,
    SignedRebind,
    name_bytes32,
    parse_reason,
)
from thekey.parsing import parse_bytes32, parse_duration, parse_party, read_json, read_text

app = typer.Typer(
    rich_markup_mode=None, help="eID: did:ethr identities, DID documents, real-identity bindings.", no_args_is_help=True
)

DidArg = Annotated[str, typer.Argument(help="A did:ethr DID (did:ethr:0x7a69:0x…) or a bare address.")]
SignOnly = Annotated[
    bool,
    typer.Option(
        "--sign-only",
        help="Sign offline as the owner and print the signed "
        "change as JSON (anyone submits it with `thekey did relay`).",
    ),
]
ValidFor = Annotated[str, typer.Option("--valid-for", help="Validity of the entry (e.g. 3600, 30d, 1w).")]
SigValidFor = Annotated[
    str, typer.Option("--sig-valid-for", help="With --sign-only: how long the signature stays valid.")
]
DelegateType = Annotated[
    str,
    typer.Option(
        "--type",
        help="Delegate type: veriKey (verification) or sigAuth (authentication), or any name up to 32 bytes.",
    ),
]
PepperFile = Annotated[
    Path | None,
    typer.Option(
        "--pepper-file",
        dir_okay=False,
        help="File with the registrars' pepper (0x-hex, >= 32 bytes); else THEKEY_PEPPER.",
    ),
]
CommitmentOpt = Annotated[str | None, typer.Option("--commitment", help="A precomputed commitment (0x, 32 bytes).")]
DocTypeOpt = Annotated[str | None, typer.Option("--doc-type", help="ID_CARD, PASSPORT, RESIDENCE_PERMIT, …")]
CountryOpt = Annotated[str | None, typer.Option("--country", help="Issuing country, ISO 3166-1 alpha-2 (CN, SG).")]


def _identity(text: str) -> EthrDID:
    """A DID or bare address, parsed before connecting (the chain is checked afterwards)."""
    t = text.strip()
    if t.startswith("did:"):
        return parse_did(t)
    if not is_hex_address(t):
        raise BadInput(f"not a DID or an address: {text!r}")
    return EthrDID(0, to_checksum_address(t), None)


def _on_chain(did: EthrDID, session: Session) -> EthrDID:
    chain_id = session.chain().chain_id
    if did.chain_id == 0:
        return EthrDID(chain_id, did.address, hex(chain_id))
    if did.chain_id != chain_id:
        raise BadInput(f"{did} names chain {did.chain_id}, but the node is chain {chain_id}")
    return did


def _value(text: str) -> bytes:
    """An attribute value: 0x-hex bytes, else the UTF-8 text."""
    t = text.strip()
    if t.startswith("0x"):
        try:
            return bytes.fromhex(t[2:])
        except ValueError:
            raise BadInput(f"not hex: {text!r}") from None
    return text.encode()


def _session(
    rpc_url: str | None, chain_id: int | None, account: str | None, keystore: Path | None, json_out: bool
) -> Session:
    return Session(rpc_url=rpc_url, chain_id=chain_id, account=account, keystore=keystore, json=json_out)


def _change(
    session: Session, sign_only: bool, sig_valid_for: int, action: str, did: EthrDID, what: str, **fields: Any
) -> None:
    """Send a change directly, or (--sign-only) sign it offline and print it for a relayer."""
    registry = session.client(EIDRegistry)
    signer = session.signer()
    if sign_only:
        deadline = session.now() + sig_valid_for
        owner = registry.identity_owner(did.address)
        if owner == ZERO_ADDRESS:
            raise BadInput(f"{did} is deactivated: it can no longer change")
        signed = registry.sign(signer, action, did.address, deadline, nonce=registry.nonce_of(owner), **fields)
        typer.echo(json.dumps(signed.to_json(), indent=2))
        return
    methods: dict[str, Callable[..., Receipt]] = {
        "ChangeOwner": registry.change_owner,
        "AddDelegate": registry.add_delegate,
        "RevokeDelegate": registry.revoke_delegate,
        "SetAttribute": registry.set_attribute,
        "RevokeAttribute": registry.revoke_attribute,
        "Deactivate": registry.deactivate,
    }
    session.emit_tx(what, methods[action](signer, did.address, *fields.values()), {"did": str(did)})


# ---------------------------------------------------------------------------- identities


@app.command()
def create(
    keystore_out: Annotated[Path, typer.Option("--out", help="Where to write the encrypted keystore.", dir_okay=False)],
    chain_id: Annotated[int, typer.Option("--chain-id", help="Chain the DID names.")] = 31337,
    import_key: Annotated[
        bool, typer.Option("--import", help="Take the key from THEKEY_PRIVATE_KEY instead of generating one.")
    ] = False,
    json_out: JsonOut = False,
) -> None:
    """Make a new key (or take one), encrypt it into a keystore, print the DID. Key material is never printed.

    The password comes from THEKEY_KEYSTORE_PASSWORD or a prompt. Every address already is a DID:
    nothing is sent to the chain."""
    if keystore_out.exists():
        raise BadInput(f"{keystore_out} already exists; refusing to overwrite a keystore")
    if import_key:
        key = os.environ.get("THEKEY_PRIVATE_KEY")
        if not key:
            raise BadInput("--import takes the key from THEKEY_PRIVATE_KEY, which is not set")
        account = from_private_key(key)
    else:
        account = Account.create()
    password = os.environ.get("THEKEY_KEYSTORE_PASSWORD")
    if password is None:
        password = getpass("Keystore password: ")
        if getpass("Repeat the password: ") != password:
            raise BadInput("the passwords differ")
    if not password:
        raise BadInput("an empty keystore password")
    write_keystore(account, keystore_out, password)
    did = did_for(chain_id, account.address)
    Session(json=json_out).emit(
        {"did": did, "address": account.address, "keystore": str(keystore_out)},
        f"{did}\nkeystore: {keystore_out}",
    )


@app.command()
def show(did: DidArg, rpc_url: RpcUrl = None, chain_id: ChainId = None, json_out: JsonOut = False) -> None:
    """Owner, status, last change and bindings of a DID."""
    ident = _identity(did)
    session = _session(rpc_url, chain_id, None, None, json_out)
    ident = _on_chain(ident, session)
    registry, binding = session.client(EIDRegistry), session.client(IdentityBinding)
    owner = registry.identity_owner(ident.address)
    data = {
        "did": str(ident),
        "address": ident.address,
        "owner": owner,
        "deactivated": registry.is_deactivated(ident.address),
        "changed": registry.changed(ident.address),
        "nonce": registry.nonce_of(owner) if owner != ZERO_ADDRESS else None,
        "bound": binding.is_bound(ident.address),
        "commitments": len(binding.commitments_of(ident.address)),
    }
    status = "DEACTIVATED" if data["deactivated"] else f"owner {owner}"
    session.emit(
        data,
        f"{ident}: {status}; last change block {data['changed']}; "
        f"{'bound to ' + str(data['commitments']) + ' document(s)' if data['bound'] else 'not bound'}",
    )


@app.command()
def resolve(
    did: Annotated[str, typer.Argument(help="A did:ethr DID, optionally ?versionId=<block>.")],
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    json_out: JsonOut = False,
) -> None:
    """The W3C DID document and metadata (as ethr-did-resolver builds them)."""
    base = did.strip().partition("?")[0]
    parse_did(base)
    session = _session(rpc_url, chain_id, None, None, json_out)
    result = DIDResolver.from_deployment(session.deployment()).resolve(did.strip())
    error = result.did_resolution_metadata.get("error")
    if error:
        raise BadInput(f"{error}: {result.did_resolution_metadata.get('message', '')}")
    typer.echo(json.dumps(result.as_dict(), indent=2))


@app.command("set-owner")
def set_owner(
    did: DidArg,
    new_owner: Annotated[str, typer.Argument(help="The new controller: a DID or an address.")],
    sign_only: SignOnly = False,
    sig_valid_for: SigValidFor = "1h",
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Change the controller of DID (its current owner signs)."""
    ident, owner, ttl = _identity(did), parse_party(new_owner), parse_duration(sig_valid_for)
    if owner == ZERO_ADDRESS:
        raise BadInput("use `thekey did deactivate` to deactivate a DID")
    session = _session(rpc_url, chain_id, account, keystore, json_out)
    ident = _on_chain(ident, session)
    _change(session, sign_only, ttl, "ChangeOwner", ident, f"owner of {ident} is now {owner}", new_owner=owner)


@app.command("add-delegate")
def add_delegate(
    did: DidArg,
    delegate: Annotated[str, typer.Argument(help="The delegate: a DID or an address.")],
    delegate_type: DelegateType = "veriKey",
    valid_for: ValidFor = "30d",
    sign_only: SignOnly = False,
    sig_valid_for: SigValidFor = "1h",
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Add a delegate to DID for a while."""
    ident, who, kind = _identity(did), parse_party(delegate), name_bytes32(delegate_type)
    validity, ttl = parse_duration(valid_for), parse_duration(sig_valid_for)
    session = _session(rpc_url, chain_id, account, keystore, json_out)
    ident = _on_chain(ident, session)
    _change(
        session,
        sign_only,
        ttl,
        "AddDelegate",
        ident,
        f"{delegate_type} delegate {who} added",
        delegate_type=kind,
        delegate=who,
        validity=validity,
    )


@app.command("revoke-delegate")
def revoke_delegate(
    did: DidArg,
    delegate: Annotated[str, typer.Argument(help="The delegate: a DID or an address.")],
    delegate_type: DelegateType = "veriKey",
    sign_only: SignOnly = False,
    sig_valid_for: SigValidFor = "1h",
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Revoke a delegate of DID now."""
    ident, who, kind = _identity(did), parse_party(delegate), name_bytes32(delegate_type)
    ttl = parse_duration(sig_valid_for)
    session = _session(rpc_url, chain_id, account, keystore, json_out)
    ident = _on_chain(ident, session)
    _change(
        session,
        sign_only,
        ttl,
        "RevokeDelegate",
        ident,
        f"{delegate_type} delegate {who} revoked",
        delegate_type=kind,
        delegate=who,
    )


@app.command("set-attribute")
def set_attribute(
    did: DidArg,
    name: Annotated[str, typer.Argument(help="e.g. did/pub/Secp256k1/veriKey/hex or did/svc/HubService.")],
    value: Annotated[str, typer.Argument(help="0x-hex bytes, or text (a service endpoint URL or JSON).")],
    valid_for: ValidFor = "365d",
    sign_only: SignOnly = False,
    sig_valid_for: SigValidFor = "1h",
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Publish an attribute (public key, service endpoint) of DID for a while."""
    ident, key, raw = _identity(did), name_bytes32(name), _value(value)
    validity, ttl = parse_duration(valid_for), parse_duration(sig_valid_for)
    session = _session(rpc_url, chain_id, account, keystore, json_out)
    ident = _on_chain(ident, session)
    _change(
        session,
        sign_only,
        ttl,
        "SetAttribute",
        ident,
        f"attribute {name} set",
        name=key,
        value=raw,
        validity=validity,
    )


@app.command("revoke-attribute")
def revoke_attribute(
    did: DidArg,
    name: Annotated[str, typer.Argument(help="The attribute name.")],
    value: Annotated[str, typer.Argument(help="The exact value that was set (0x-hex or text).")],
    sign_only: SignOnly = False,
    sig_valid_for: SigValidFor = "1h",
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Revoke an attribute of DID."""
    ident, key, raw, ttl = _identity(did), name_bytes32(name), _value(value), parse_duration(sig_valid_for)
    session = _session(rpc_url, chain_id, account, keystore, json_out)
    ident = _on_chain(ident, session)
    _change(session, sign_only, ttl, "RevokeAttribute", ident, f"attribute {name} revoked", name=key, value=raw)


@app.command()
def deactivate(
    did: DidArg,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: deactivation is permanent.")] = False,
    sign_only: SignOnly = False,
    sig_valid_for: SigValidFor = "1h",
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Deactivate DID for ever (its owner becomes the zero address)."""
    ident, ttl = _identity(did), parse_duration(sig_valid_for)
    if not yes:
        raise BadInput("deactivation is permanent: pass --yes to confirm")
    session = _session(rpc_url, chain_id, account, keystore, json_out)
    ident = _on_chain(ident, session)
    _change(session, sign_only, ttl, "Deactivate", ident, f"{ident} deactivated")


@app.command()
def relay(
    file: Annotated[Path, typer.Argument(help="A signed change as printed by --sign-only.", dir_okay=False)],
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Submit a change signed by a DID's owner (any account pays the gas)."""
    doc = read_json(file)
    try:
        change = SignedChange.from_json(doc)
    except (ValueError, KeyError, TypeError):
        raise BadInput(f"{file} is not a signed change (action, message, signature)") from None
    session = _session(rpc_url, chain_id, account, keystore, json_out)
    session.emit_tx(f"{change.action} relayed", session.client(EIDRegistry).relay(session.signer(), change))


# ---------------------------------------------------------------------------- bindings


def _pepper(pepper_file: Path | None) -> bytes:
    if pepper_file is not None:
        return parse_pepper(read_text(pepper_file).strip())
    env = os.environ.get("THEKEY_PEPPER")
    if not env:
        raise BadInput("no pepper: pass --pepper-file or set THEKEY_PEPPER")
    return parse_pepper(env)


def _commitments(
    commitment: str | None,
    person: str | None,
    doc_type: str | None,
    country: str | None,
    pepper_file: Path | None,
    session: Session,
    *,
    with_person: bool,
) -> tuple[bytes, bytes | None]:
    """The document commitment (and with ``with_person`` the person commitment), given as such or
    computed from the document and the national identity number, read from THEKEY_DOCUMENT_NUMBER
    / THEKEY_NATIONAL_ID or a hidden prompt (never from the command line)."""
    if commitment is not None:
        if with_person and person is None:
            raise BadInput("with --commitment give --person too (the person commitment, 0x, 32 bytes)")
        return parse_bytes32(commitment), parse_bytes32(person) if person is not None else None
    if doc_type is None or country is None:
        raise BadInput("give --commitment, or --doc-type and --country (the number is prompted for)")
    pepper = _pepper(pepper_file)
    document = normalise_document(
        doc_type, country, os.environ.get("THEKEY_DOCUMENT_NUMBER") or getpass("Document number: ")
    )
    binding = session.client(IdentityBinding)
    chain_id = session.chain().chain_id
    c = commitment_of(pepper, chain_id, binding.address, document)
    if not with_person:
        return c, None
    if person is not None:
        return c, parse_bytes32(person)
    national_id = os.environ.get("THEKEY_NATIONAL_ID") or (
        document.number if document.doc_type == "ID_CARD" else getpass("National identity number: ")
    )
    return c, person_commitment(pepper, chain_id, binding.address, document.country, national_id)


@app.command()
def bind(
    did: DidArg,
    commitment: CommitmentOpt = None,
    person: Annotated[
        str | None,
        typer.Option(
            "--person",
            help="A precomputed person commitment (0x, 32 bytes) [default: computed from the national "
            "identity number: $THEKEY_NATIONAL_ID, an ID card's own number, or a prompt].",
        ),
    ] = None,
    doc_type: DocTypeOpt = None,
    country: CountryOpt = None,
    pepper_file: PepperFile = None,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Bind DID to a real-world document of a person (registrars only; one DID per person)."""
    ident = _identity(did)
    for value in (commitment, person):
        if value is not None:
            parse_bytes32(value)
    session = _session(rpc_url, chain_id, account, keystore, json_out)
    ident = _on_chain(ident, session)
    c, p = _commitments(commitment, person, doc_type, country, pepper_file, session, with_person=True)
    assert p is not None
    session.emit_tx(
        f"{ident} bound to 0x{c.hex()}",
        session.client(IdentityBinding).bind(session.signer(), c, p, ident.address),
        {"did": str(ident), "commitment": "0x" + c.hex(), "person": "0x" + p.hex()},
    )


ReasonOpt = Annotated[
    str,
    typer.Option(
        "--reason",
        help="key-lost, document-replaced, registrar-error, holder-request, fraud, deceased, or a code 1-65535.",
    ),
]


@app.command()
def unbind(
    reason: ReasonOpt,
    commitment: CommitmentOpt = None,
    doc_type: DocTypeOpt = None,
    country: CountryOpt = None,
    pepper_file: PepperFile = None,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Remove a binding (its registrar, the DID's holder, or governance)."""
    code = parse_reason(reason)
    if commitment is not None:
        parse_bytes32(commitment)
    session = _session(rpc_url, chain_id, account, keystore, json_out)
    c, _ = _commitments(commitment, None, doc_type, country, pepper_file, session, with_person=False)
    session.emit_tx(
        f"0x{c.hex()} unbound",
        session.client(IdentityBinding).unbind(session.signer(), c, code),
        {"commitment": "0x" + c.hex(), "reason": code},
    )


@app.command()
def rebind(
    old: Annotated[str, typer.Argument(help="The DID the person is bound to now.")],
    new: Annotated[str, typer.Argument(help="The unbound DID that takes the person and its documents.")],
    reason: ReasonOpt,
    sign_only: Annotated[
        bool,
        typer.Option(
            "--sign-only",
            help="Sign as the holder of OLD and print the JSON the holder of NEW submits with `did rebind-accept`.",
        ),
    ] = False,
    sig_valid_for: SigValidFor = "1d",
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Move a person from OLD to NEW: governance directly (the lost-key path), or the holder's word
    (--sign-only by OLD's key, then `did rebind-accept` by NEW's key). No registrar alone can."""
    code = parse_reason(reason)
    life = parse_duration(sig_valid_for)
    src, dst = _identity(old), _identity(new)
    session = _session(rpc_url, chain_id, account, keystore, json_out or sign_only)
    src, dst = _on_chain(src, session), _on_chain(dst, session)
    binding = session.client(IdentityBinding)
    if sign_only:
        deadline = session.now() + life
        session.emit(binding.sign_rebind(session.signer(), src.address, dst.address, code, deadline).document())
        return
    session.emit_tx(f"{src} rebound to {dst}", binding.rebind(session.signer(), src.address, dst.address, code))


@app.command("rebind-accept")
def rebind_accept(
    file: Annotated[
        Path, typer.Argument(help="The signed rebind JSON (from `did rebind --sign-only`).", dir_okay=False)
    ],
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Submit the holder's signed move as the new DID's key (both keys must agree)."""
    signed = SignedRebind.from_document(read_json(file))
    session = _session(rpc_url, chain_id, account, keystore, json_out)
    session.emit_tx(
        f"rebound to {did_for(session.chain().chain_id, signed.new)}",
        session.client(IdentityBinding).rebind_by_sig(session.signer(), signed),
    )


def _registrar_command(admit: bool, doc: str) -> Callable[..., None]:
    def command(
        registrar: DidArg,
        rpc_url: RpcUrl = None,
        chain_id: ChainId = None,
        account: AccountOpt = None,
        keystore: KeystoreOpt = None,
        json_out: JsonOut = False,
    ) -> None:
        ident = _identity(registrar)
        session = _session(rpc_url, chain_id, account, keystore, json_out)
        ident = _on_chain(ident, session)
        binding = session.client(IdentityBinding)
        change = binding.admit_registrar if admit else binding.remove_registrar
        session.emit_tx(
            f"registrar {ident.address} {'admitted' if admit else 'removed'}",
            change(session.signer(), ident.address),
            {"registrar": str(ident)},
        )

    command.__doc__ = doc
    return command


app.command("admit-registrar")(
    _registrar_command(True, "Admit REGISTRAR (a KYC'd user agent) to bind DIDs to documents (governance only).")
)
app.command("remove-registrar")(
    _registrar_command(False, "Remove REGISTRAR: it binds nothing more; its bindings stay (governance only).")
)


@app.command()
def lookup(
    did: Annotated[str | None, typer.Argument(help="A DID: list its commitments.")] = None,
    commitment: CommitmentOpt = None,
    doc_type: DocTypeOpt = None,
    country: CountryOpt = None,
    pepper_file: PepperFile = None,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    json_out: JsonOut = False,
) -> None:
    """The commitments of a DID, or the DID and registrar of a commitment (or of a document)."""
    ident = _identity(did) if did else None
    if commitment is not None:
        parse_bytes32(commitment)
    if ident is None and commitment is None and doc_type is None:
        raise BadInput("give a DID, --commitment, or --doc-type and --country")
    session = _session(rpc_url, chain_id, None, None, json_out)
    binding = session.client(IdentityBinding)
    if ident is not None:
        ident = _on_chain(ident, session)
        commitments = ["0x" + c.hex() for c in binding.commitments_of(ident.address)]
        person = binding.person_of(ident.address)
        session.emit(
            {
                "did": str(ident),
                "bound": bool(commitments),
                "person": "0x" + person.hex() if person else None,
                "commitments": commitments,
            },
            f"{ident}: " + (", ".join(commitments) if commitments else "not bound"),
        )
        return
    c, _ = _commitments(commitment, None, doc_type, country, pepper_file, session, with_person=False)
    b = binding.binding_of(c)
    chain_id_ = session.chain().chain_id
    data = {
        "commitment": "0x" + c.hex(),
        "bound": b.bound,
        "did": did_for(chain_id_, b.identity) if b.bound else None,
        "registrar": b.registrar if b.bound else None,
        "boundAt": b.bound_at or None,
    }
    session.emit(data, f"0x{c.hex()}: " + (f"{data['did']} (registrar {b.registrar})" if b.bound else "not bound"))
