"""The signature audit: one generated attack set for every EIP-712 action of the suite.

valid · replayed · wrong signer · expired · exactly at the deadline · another chain id (a
second Anvil, same addresses: the signature is valid *there* and refused here) · another
contract · another action's typehash · malleable ``s``. Plus: every ``*_TYPEHASH`` constant
equals keccak256 of the preimage in its NatSpec comment and of the Python signer's types, and
each contract's ERC-5267 ``eip712Domain()`` is the domain the Python signer uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from eth_abi import encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from tests.security.conftest import TWIN_CHAIN_ID, Twin
from tests.support.signatures import malleate, other_chain, other_contract
from thekey.chain import Chain
from thekey.config import project_root
from thekey.consent import ConsentKey, ConsentRegistry, DataRoutes, GrantRequest, RouteRequest, purpose_id, scope_id
from thekey.consent.registry import GRANT_TYPES, REVOKE_TYPES, grant_document, revoke_document
from thekey.consent.routes import PUBLISH_TYPES, SignedRoute, publish_document
from thekey.credentials import CredentialRegistry, schema_id
from thekey.credentials.anchoring import ANCHOR_BATCH_TYPES, ANCHOR_TYPES, SignedAnchor, SignedBatch
from thekey.credentials.vc import type_hash
from thekey.deploy import SUITE, Deployment
from thekey.eip712 import Domain, digest, domain_of, sign_typed_data, type_string, typed_data, typehash
from thekey.errors import ContractRevert
from thekey.identity.registry import (
    REBIND_TYPES,
    SIGNED_TYPES,
    EIDRegistry,
    IdentityBinding,
    SignedChange,
    SignedRebind,
)
from thekey.payments.escrow import AGREEMENT_TYPES, Acceptance, Escrow, Plan, Terms
from thekey.token.tky import PERMIT_TYPES, Permit, Token, permit_document

TKY = 10**18

# -- the actions ---------------------------------------------------------------------------


@dataclass
class Action:
    """One signed action: how to build its message, sign it and relay it on a deployment."""

    name: str
    key: str  # deployment key of the verifying contract
    primary: str
    types: dict[str, list[tuple[str, str]]]
    signer_index: int
    message: Callable[[Deployment, list[LocalAccount], int, int], dict[str, Any]]  # (dep, accts, nonce, deadline)
    submit: Callable[[Deployment, LocalAccount, dict[str, Any], bytes], Any]
    #: the signer's replay slot: its nonce; a consent grant's is the tuple's serial, a revocation has none
    #: (a consent is revoked once)
    nonce: Callable[[Deployment, str], int]
    setup: Callable[[Deployment, list[LocalAccount]], None] | None = None
    invalid: str = ""  # error for a signature that does not verify
    expired: str = ""
    replayed: str = ""  # error for a consumed nonce (serial, consent)
    wallet: bool = True  # the signer may be an ERC-1271 contract wallet (not: EIP-2612 permits)
    entry: str = ""  # the contract function that verifies the signature


#: the audited consent's grantee: any fixed identity (a grant does not ask the grantee anything)
CONSENT_GRANTEE = "0x" + "6A" * 20
CONSENT_SCOPE, CONSENT_PURPOSE = scope_id("health.record"), scope_id("audit")


def _consent_request(accounts: list[LocalAccount]) -> GrantRequest:
    return GrantRequest(accounts[1].address, CONSENT_GRANTEE, CONSENT_SCOPE, CONSENT_PURPOSE)


def _grants_so_far(dep: Deployment, subject: str) -> int:
    """A consent grant's replay slot: the tuple's serial (a signed grant names the next one)."""
    key = ConsentKey(subject, CONSENT_GRANTEE, CONSENT_SCOPE, CONSENT_PURPOSE)
    return ConsentRegistry.from_deployment(dep).next_serial(key) - 1


def _grant_message(dep: Deployment, accounts: list[LocalAccount], serial: int, deadline: int) -> dict[str, Any]:
    domain = domain_of(dep.contract("consent"))
    return grant_document(domain, _consent_request(accounts), serial + 1, accounts[1].address, deadline)["message"]


def _grant_submit(dep: Deployment, relayer: LocalAccount, m: dict[str, Any], sig: bytes) -> Any:
    request = GrantRequest(
        m["subject"], m["grantee"], m["scope"], m["purpose"], m["validFrom"], m["validUntil"], m["maxUses"]
    )
    c = ConsentRegistry.from_deployment(dep)
    return c._send(relayer, "grantBySig", request.as_tuple(), m["serial"], m["signer"], m["deadline"], sig)


def _revoke_setup(dep: Deployment, accounts: list[LocalAccount]) -> None:
    ConsentRegistry.from_deployment(dep).grant(accounts[1], _consent_request(accounts))


def _consent_id(dep: Deployment, accounts: list[LocalAccount]) -> bytes:
    r = _consent_request(accounts)
    found = ConsentRegistry.from_deployment(dep).current_consent(r.subject, r.grantee, r.scope, r.purpose)
    assert found is not None
    return found


def _revoke_message(dep: Deployment, accounts: list[LocalAccount], _: int, deadline: int) -> dict[str, Any]:
    domain = domain_of(dep.contract("consent"))
    return revoke_document(domain, _consent_id(dep, accounts), accounts[1].address, deadline)["message"]


def _revoke_submit(dep: Deployment, relayer: LocalAccount, m: dict[str, Any], sig: bytes) -> Any:
    c = ConsentRegistry.from_deployment(dep)
    key = c.key_of(m["id"]).as_tuple()
    return c._send(relayer, "revokeBySig", key, m["id"], m["signer"], m["deadline"], sig)


def _permit_message(dep: Deployment, accounts: list[LocalAccount], nonce: int, deadline: int) -> dict[str, Any]:
    domain = domain_of(dep.contract("token"))
    return permit_document(domain, accounts[1].address, accounts[2].address, 5 * TKY, nonce, deadline)["message"]


def _permit_submit(dep: Deployment, relayer: LocalAccount, m: dict[str, Any], sig: bytes) -> Any:
    return Token.from_deployment(dep).permit(relayer, Permit(m["owner"], m["spender"], m["value"], m["deadline"], sig))


IDENTITY_FIELDS: dict[str, Callable[[list[LocalAccount]], dict[str, Any]]] = {
    "ChangeOwner": lambda a: {"new_owner": a[3].address},
    "AddDelegate": lambda a: {"delegate_type": "sigAuth", "delegate": a[3].address, "validity": 3600},
    "RevokeDelegate": lambda a: {"delegate_type": "sigAuth", "delegate": a[3].address},
    "SetAttribute": lambda a: {"name": "did/svc/Hub", "value": b"https://hub.example", "validity": 3600},
    "RevokeAttribute": lambda a: {"name": "did/svc/Hub", "value": b"https://hub.example"},
    "Deactivate": lambda a: {},
}


def _identity_action(action: str) -> Action:
    def message(dep: Deployment, accounts: list[LocalAccount], nonce: int, deadline: int) -> dict[str, Any]:
        fields = IDENTITY_FIELDS[action](accounts)
        return EIDRegistry.from_deployment(dep).message(action, accounts[1].address, deadline, nonce=nonce, **fields)

    def submit(dep: Deployment, relayer: LocalAccount, m: dict[str, Any], sig: bytes) -> Any:
        return EIDRegistry.from_deployment(dep).relay(relayer, SignedChange(action, m, sig))

    return Action(
        f"identity.{action}",
        "identity",
        action,
        {action: SIGNED_TYPES[action]},
        1,
        message,
        submit,
        lambda dep, who: EIDRegistry.from_deployment(dep).nonce_of(who),
        invalid="EIDRegistryInvalidSignature",
        expired="EIDRegistryExpiredSignature",
        # the nonce moved on, so the old signature no longer verifies; a deactivated DID refuses everything
        replayed="EIDRegistryDeactivated" if action == "Deactivate" else "EIDRegistryInvalidSignature",
        entry=f"{action[0].lower()}{action[1:]}BySig",
    )


# -- data routes: an organisation publishes that it holds a category of a subject's data -------

ROUTE_CATEGORY = scope_id("health.record")


def _route_setup(dep: Deployment, accounts: list[LocalAccount]) -> None:
    """accounts[2] is admitted as an organisation; the subject accounts[1] consents to its route."""
    DataRoutes.from_deployment(dep).admit(accounts[0], accounts[2].address)
    request = GrantRequest(accounts[1].address, accounts[2].address, ROUTE_CATEGORY, purpose_id("data-route"))
    ConsentRegistry.from_deployment(dep).grant(accounts[1], request)


def _route_message(dep: Deployment, accounts: list[LocalAccount], nonce: int, deadline: int) -> dict[str, Any]:
    # updatedAt 1: any past time is a valid first publication, on this chain and on the twin
    request = RouteRequest(accounts[2].address, accounts[1].address, ROUTE_CATEGORY, keccak(text="audit route"), 1)
    domain = domain_of(dep.contract("routes"))
    return publish_document(domain, request, accounts[2].address, nonce, deadline)["message"]


def _route_submit(dep: Deployment, relayer: LocalAccount, m: dict[str, Any], sig: bytes) -> Any:
    request = RouteRequest(m["organisation"], m["subject"], m["category"], m["digest"], m["updatedAt"])
    signed = SignedRoute(request, m["signer"], m["nonce"], m["deadline"], sig)
    return DataRoutes.from_deployment(dep).publish_by_sig(relayer, signed)


# -- credentials: an issuer's anchor and batch requests, relayed --------------------------------

AUDIT_TYPE = type_hash("AuditCredential")
AUDIT_SCHEMA: dict[str, Any] = {"title": "signature audit", "type": "object"}


def _issuer_setup(dep: Deployment, accounts: list[LocalAccount]) -> None:
    """accounts[1] is admitted as an issuer; the governor registers the (shared) schema it anchors under."""
    registry = CredentialRegistry.from_deployment(dep)
    registry.add_issuer(accounts[0], accounts[1].address, keccak(text="Audit Issuer"), [AUDIT_TYPE])
    registry.register_schema(accounts[0], AUDIT_SCHEMA, AUDIT_TYPE)


def _anchor_message(dep: Deployment, accounts: list[LocalAccount], nonce: int, deadline: int) -> dict[str, Any]:
    return {
        "issuer": accounts[1].address,
        "credentialHash": keccak(text="audit credential"),
        "schemaId": schema_id(accounts[0].address, AUDIT_TYPE, AUDIT_SCHEMA),
        "validFrom": 0,
        "validUntil": 0,
        "statusIndex": 1,
        "nonce": nonce,
        "deadline": deadline,
    }


def _anchor_submit(dep: Deployment, relayer: LocalAccount, m: dict[str, Any], sig: bytes) -> Any:
    signed = SignedAnchor(
        m["issuer"], m["issuer"], m["credentialHash"], m["schemaId"], m["validFrom"], m["validUntil"], m["statusIndex"],
        m["nonce"], m["deadline"], sig,
    )  # fmt: skip
    return CredentialRegistry.from_deployment(dep).relay_anchor(relayer, signed)


def _batch_message(dep: Deployment, accounts: list[LocalAccount], nonce: int, deadline: int) -> dict[str, Any]:
    return {
        "issuer": accounts[1].address,
        "root": keccak(text="audit batch root"),
        "schemaId": schema_id(accounts[0].address, AUDIT_TYPE, AUDIT_SCHEMA),
        "validFrom": 0,
        "validUntil": 0,
        "firstStatusIndex": 1,
        "count": 5,
        "nonce": nonce,
        "deadline": deadline,
    }


def _batch_submit(dep: Deployment, relayer: LocalAccount, m: dict[str, Any], sig: bytes) -> Any:
    signed = SignedBatch(
        m["issuer"], m["issuer"], m["root"], m["schemaId"], m["validFrom"], m["validUntil"], m["firstStatusIndex"],
        m["count"], m["nonce"], m["deadline"], sig,
    )  # fmt: skip
    return CredentialRegistry.from_deployment(dep).relay_batch(relayer, signed)


# -- binding: the old DID's holder agrees to move its person; the new DID (the relayer) submits ---

REBINDER = 19  # the relayer (the `stranger` account) acts for the new DID, as rebindBySig requires


def _rebind_setup(dep: Deployment, accounts: list[LocalAccount]) -> None:
    binding = IdentityBinding.from_deployment(dep)
    binding.admit_registrar(accounts[0], accounts[10].address)
    binding.bind(accounts[10], keccak(text="audit document"), keccak(text="audit person"), accounts[1].address)


def _rebind_message(dep: Deployment, accounts: list[LocalAccount], nonce: int, deadline: int) -> dict[str, Any]:
    old, new = accounts[1].address, accounts[REBINDER].address
    return SignedRebind(old, new, 1, old, nonce, deadline, b"").message()


def _rebind_submit(dep: Deployment, relayer: LocalAccount, m: dict[str, Any], sig: bytes) -> Any:
    signed = SignedRebind(m["from"], m["to"], m["reason"], m["signer"], m["nonce"], m["deadline"], sig)
    return IdentityBinding.from_deployment(dep).rebind_by_sig(relayer, signed)


# -- escrow: the verifier's and the user's acceptances, relayed by the provider at creation ------

PROVIDER = 19  # the provider is the relayer (the `stranger` account): it signs the creation


def _escrow_terms(accounts: list[LocalAccount]) -> Terms:
    return Terms(
        provider=accounts[PROVIDER].address,
        verifier=accounts[1].address,
        user=accounts[2].address,
        arbiter=accounts[3].address,
        price=10 * TKY + 3,
        service_deadline=2**40,  # far future, whatever the clock of either chain says
        dispute_window=3600,
        terms_hash=keccak(text="salt:audit|service:identity-verification"),
        plan=Plan.of(7000, 2000, {accounts[4].address: 1000}),
    )


def _escrow_setup(approve: bool) -> Callable[[Deployment, list[LocalAccount]], None]:
    def setup(dep: Deployment, accounts: list[LocalAccount]) -> None:
        token = Token.from_deployment(dep)
        token.transfer(accounts[0], accounts[PROVIDER].address, 100 * TKY)
        if approve:
            token.approve(accounts[PROVIDER], dep.address("escrow"), 100 * TKY)

    return setup


def _escrow_message(dep: Deployment, accounts: list[LocalAccount], nonce: int, deadline: int) -> dict[str, Any]:
    return _escrow_terms(accounts).message(nonce, deadline)


def _escrow_submit(slot: str) -> Callable[[Deployment, LocalAccount, dict[str, Any], bytes], Any]:
    def submit(dep: Deployment, relayer: LocalAccount, m: dict[str, Any], sig: bytes) -> Any:
        assert relayer.address == m["provider"], "the creator of an agreement is the provider it signs for"
        terms = Terms(
            m["provider"], m["verifier"], m["user"], m["arbiter"], m["price"], m["serviceDeadline"],
            m["disputeWindow"], m["termsHash"], Plan(tuple(m["payees"]), tuple(m["shares"])),
        )  # fmt: skip
        escrow = Escrow.from_deployment(dep)
        if slot == "verifier":  # create from an approval, the verifier's acceptance relayed
            return escrow.create(relayer, terms, Acceptance(m["verifier"], m["nonce"], m["deadline"], sig))
        # create with a permit, the user's acceptance relayed
        return escrow.create_and_fund(relayer, terms, None, Acceptance(m["user"], m["nonce"], m["deadline"], sig))

    return submit


def _escrow_action(entry: str, slot: str, signer: int) -> Action:
    return Action(
        f"escrow.{entry}({slot})",
        "escrow",
        "Agreement",
        AGREEMENT_TYPES,
        signer,
        _escrow_message,
        _escrow_submit(slot),
        lambda dep, who: Escrow.from_deployment(dep).nonce_of(who),
        setup=_escrow_setup(approve=entry == "create"),
        invalid="EscrowInvalidSignature",
        expired="EscrowSignatureExpired",
        replayed="InvalidAccountNonce",
        entry=entry,
    )


ACTIONS: list[Action] = [
    Action(
        "token.Permit",
        "token",
        "Permit",
        PERMIT_TYPES,
        1,
        _permit_message,
        _permit_submit,
        lambda dep, who: Token.from_deployment(dep).nonce_of(who),
        invalid="ERC2612InvalidSigner",
        expired="ERC2612ExpiredSignature",
        replayed="ERC2612InvalidSigner",
        wallet=False,  # EIP-2612 permits are plain-key (ecrecover) signatures by definition
        entry="permit",
    ),
    Action(
        "consent.Grant",
        "consent",
        "Grant",
        GRANT_TYPES,
        1,
        _grant_message,
        _grant_submit,
        _grants_so_far,
        invalid="ConsentInvalidSignature",
        expired="ConsentSignatureExpired",
        replayed="ConsentGrantSuperseded",
        entry="grantBySig",
    ),
    Action(
        "consent.Revoke",
        "consent",
        "Revoke",
        REVOKE_TYPES,
        1,
        _revoke_message,
        _revoke_submit,
        lambda dep, who: 0,
        setup=_revoke_setup,
        invalid="ConsentInvalidSignature",
        expired="ConsentSignatureExpired",
        replayed="ConsentRevokedAlready",
        wallet=False,  # its setup is a direct grant, which a contract wallet cannot send here
        entry="revokeBySig",
    ),
    *[_identity_action(a) for a in SIGNED_TYPES],
    Action(
        "routes.PublishRoute",
        "routes",
        "PublishRoute",
        PUBLISH_TYPES,
        2,
        _route_message,
        _route_submit,
        lambda dep, who: DataRoutes.from_deployment(dep).nonce_of(who),
        setup=_route_setup,
        invalid="RoutesInvalidSignature",
        expired="RoutesSignatureExpired",
        replayed="InvalidAccountNonce",
        entry="publishBySig",
    ),
    Action(
        "credentials.Anchor",
        "credentials",
        "Anchor",
        ANCHOR_TYPES,
        1,
        _anchor_message,
        _anchor_submit,
        lambda dep, who: CredentialRegistry.from_deployment(dep).nonce_of(who),
        setup=_issuer_setup,
        invalid="CredentialInvalidSignature",
        expired="CredentialExpiredSignature",
        replayed="InvalidAccountNonce",
        entry="anchorBySig",
    ),
    Action(
        "credentials.AnchorBatch",
        "credentials",
        "AnchorBatch",
        ANCHOR_BATCH_TYPES,
        1,
        _batch_message,
        _batch_submit,
        lambda dep, who: CredentialRegistry.from_deployment(dep).nonce_of(who),
        setup=_issuer_setup,
        invalid="CredentialInvalidSignature",
        expired="CredentialExpiredSignature",
        replayed="InvalidAccountNonce",
        entry="anchorBatchBySig",
    ),
    _escrow_action("create", "verifier", 1),
    _escrow_action("createWithPermit", "user", 2),
    Action(
        "binding.Rebind",
        "binding",
        "Rebind",
        REBIND_TYPES,
        1,
        _rebind_message,
        _rebind_submit,
        lambda dep, who: IdentityBinding.from_deployment(dep).nonce_of(who),
        setup=_rebind_setup,
        invalid="IdentityBindingInvalidSignature",
        expired="IdentityBindingExpiredSignature",
        replayed="InvalidAccountNonce",
        wallet=False,  # its setup binds the signing key's own DID, not a contract wallet's
        entry="rebindBySig",
    ),
]

# -- raw EIP-712 helpers (independent of eth-account's encoder) --------------------------

DOMAIN_TYPEHASH = keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")


def _separator(d: Domain) -> bytes:
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [DOMAIN_TYPEHASH, keccak(text=d.name), keccak(text=d.version), d.chain_id, d.verifying_contract],
        )
    )


def _encode_data(fields: list[tuple[str, str]], message: dict[str, Any]) -> bytes:
    out = b""
    for name, kind in fields:
        v = message[name]
        if kind.endswith("[]"):  # an array of atomic values: keccak of the concatenated encodings
            out += keccak(b"".join(encode([kind[:-2]], [x]) for x in v))
        elif kind == "bytes":
            out += keccak(bytes(v))
        elif kind == "string":
            out += keccak(text=v)
        elif kind.startswith("bytes"):
            out += bytes(v).ljust(32, b"\x00")
        else:
            out += encode([kind], [v])
    return out


def _digest_with(type_hash: bytes, action: Action, domain: Domain, message: dict[str, Any]) -> bytes:
    struct = keccak(type_hash + _encode_data(action.types[action.primary], message))
    return keccak(b"\x19\x01" + _separator(domain) + struct)


def _sign_digest(account: LocalAccount, h: bytes) -> bytes:
    return bytes(Account.unsafe_sign_hash(h, account.key).signature)


# -- the attack set ------------------------------------------------------------------------


def _expect(error: str, fn: Callable[[], Any]) -> None:
    with pytest.raises(ContractRevert) as exc:
        fn()
    assert exc.value.name == error, f"expected {error}, got {exc.value}"


IDS = [a.name for a in ACTIONS]


@pytest.fixture
def ready(request: pytest.FixtureRequest, deployment: Deployment, accounts: list[LocalAccount]) -> Action:
    action: Action = request.param
    if action.setup:
        action.setup(deployment, accounts)
    return action


def _sign(
    action: Action,
    dep: Deployment,
    accounts: list[LocalAccount],
    *,
    deadline: int,
    domain: Domain | None = None,
    signer: LocalAccount | None = None,
    nonce: int | None = None,
) -> tuple[dict[str, Any], bytes]:
    who = accounts[action.signer_index]
    nonce = action.nonce(dep, who.address) if nonce is None else nonce
    message = action.message(dep, accounts, nonce, deadline)
    doc = typed_data(domain or domain_of(dep.contract(action.key)), action.primary, action.types, message)
    return message, sign_typed_data(signer or who, doc)


@pytest.mark.parametrize("ready", ACTIONS, ids=IDS, indirect=True)
def test_signature__valid_then_replayed(
    ready: Action, deployment: Deployment, chain: Chain, accounts: list[LocalAccount], stranger: LocalAccount
) -> None:
    message, sig = _sign(ready, deployment, accounts, deadline=chain.timestamp() + 600)
    ready.submit(deployment, stranger, message, sig)
    _expect(ready.replayed, lambda: ready.submit(deployment, stranger, message, sig))


@pytest.mark.parametrize("ready", ACTIONS, ids=IDS, indirect=True)
def test_signature__wrong_signer_is_refused(
    ready: Action, deployment: Deployment, chain: Chain, accounts: list[LocalAccount], stranger: LocalAccount
) -> None:
    message, sig = _sign(ready, deployment, accounts, deadline=chain.timestamp() + 600, signer=stranger)
    _expect(ready.invalid, lambda: ready.submit(deployment, stranger, message, sig))


@pytest.mark.parametrize("ready", ACTIONS, ids=IDS, indirect=True)
def test_signature__expired_is_refused_and_exactly_at_deadline_is_accepted(
    ready: Action, deployment: Deployment, chain: Chain, accounts: list[LocalAccount], stranger: LocalAccount
) -> None:
    now = chain.timestamp()
    message, sig = _sign(ready, deployment, accounts, deadline=now - 1)  # one second past it
    _expect(ready.expired, lambda: ready.submit(deployment, stranger, message, sig))
    deadline = chain.timestamp() + 100
    message, sig = _sign(ready, deployment, accounts, deadline=deadline)
    chain.set_next_block_timestamp(deadline)
    ready.submit(deployment, stranger, message, sig)
    assert chain.timestamp() == deadline


@pytest.mark.parametrize("ready", ACTIONS, ids=IDS, indirect=True)
def test_signature__another_chain_id_is_refused_but_valid_on_that_chain(
    ready: Action,
    deployment: Deployment,
    chain: Chain,
    accounts: list[LocalAccount],
    stranger: LocalAccount,
    twin: Twin,
) -> None:
    domain = domain_of(deployment.contract(ready.key))
    assert domain_of(twin.deployment.contract(ready.key)) == other_chain(domain, TWIN_CHAIN_ID)
    deadline = max(chain.timestamp(), twin.chain.timestamp()) + 600
    message, sig = _sign(ready, deployment, accounts, deadline=deadline, domain=other_chain(domain, TWIN_CHAIN_ID))
    _expect(ready.invalid, lambda: ready.submit(deployment, stranger, message, sig))
    snapshot = twin.chain.snapshot()
    try:
        if ready.setup:
            ready.setup(twin.deployment, accounts)
            message, sig = _sign(ready, twin.deployment, accounts, deadline=deadline)
        ready.submit(twin.deployment, stranger, message, sig)  # the positive control, on chain 31338
    finally:
        twin.chain.revert_to(snapshot)


@pytest.mark.parametrize("ready", ACTIONS, ids=IDS, indirect=True)
def test_signature__another_contract_is_refused(
    ready: Action, deployment: Deployment, chain: Chain, accounts: list[LocalAccount], stranger: LocalAccount
) -> None:
    domain = other_contract(domain_of(deployment.contract(ready.key)))
    message, sig = _sign(ready, deployment, accounts, deadline=chain.timestamp() + 600, domain=domain)
    _expect(ready.invalid, lambda: ready.submit(deployment, stranger, message, sig))


@pytest.mark.parametrize("ready", ACTIONS, ids=IDS, indirect=True)
def test_signature__another_actions_typehash_is_refused(
    ready: Action, deployment: Deployment, chain: Chain, accounts: list[LocalAccount], stranger: LocalAccount
) -> None:
    who = accounts[ready.signer_index]
    message = ready.message(deployment, accounts, ready.nonce(deployment, who.address), chain.timestamp() + 600)
    domain = domain_of(deployment.contract(ready.key))
    own = typehash(ready.primary, ready.types)
    doc = typed_data(domain, ready.primary, ready.types, message)
    assert _digest_with(own, ready, domain, message) == digest(doc)  # the raw encoder agrees with eth-account
    other = next(a for a in ACTIONS[ACTIONS.index(ready) + 1 :] + ACTIONS if a.primary != ready.primary)
    sig = _sign_digest(who, _digest_with(typehash(other.primary, other.types), ready, domain, message))
    _expect(ready.invalid, lambda: ready.submit(deployment, stranger, message, sig))


@pytest.mark.parametrize("ready", ACTIONS, ids=IDS, indirect=True)
def test_signature__malleable_s_is_refused(
    ready: Action, deployment: Deployment, chain: Chain, accounts: list[LocalAccount], stranger: LocalAccount
) -> None:
    message, sig = _sign(ready, deployment, accounts, deadline=chain.timestamp() + 600)
    twin_sig = malleate(sig)
    assert twin_sig != sig
    with pytest.raises(ContractRevert) as exc:
        ready.submit(deployment, stranger, message, twin_sig)
    assert exc.value.name in (ready.invalid, "ECDSAInvalidSignatureS")
    ready.submit(deployment, stranger, message, sig)  # the low-s original is still good


@dataclass(frozen=True)
class _Party:
    """Stands in for a signer account in a message: only its address is read."""

    address: str


WALLET_ACTIONS = [a for a in ACTIONS if a.wallet]


@pytest.mark.parametrize("action", WALLET_ACTIONS, ids=[a.name for a in WALLET_ACTIONS])
def test_signature__an_erc1271_contract_wallet_signs_and_another_key_is_refused(
    action: Action, deployment: Deployment, chain: Chain, accounts: list[LocalAccount], stranger: LocalAccount
) -> None:
    """The signer is a contract wallet (contracts/test/TestWallet.sol): Signatures.sol finds no
    ECDSA match for the wallet's address and asks the wallet (ERC-1271), which accepts its key only."""
    key, other_key = accounts[8], accounts[9]
    wallet, _ = chain.deploy("TestWallet", key.address, sender=accounts[0])
    as_wallet: list[Any] = list(accounts)
    as_wallet[action.signer_index] = _Party(wallet.address)
    if action.setup:
        action.setup(deployment, as_wallet)
    deadline = chain.timestamp() + 600
    message, sig = _sign(action, deployment, as_wallet, deadline=deadline, signer=other_key)
    _expect(action.invalid, lambda: action.submit(deployment, stranger, message, sig))
    message, sig = _sign(action, deployment, as_wallet, deadline=deadline, signer=key)
    action.submit(deployment, stranger, message, sig)
    assert action.nonce(deployment, wallet.address) == 1
    _expect(action.replayed, lambda: action.submit(deployment, stranger, message, sig))


# -- typehashes and domains ---------------------------------------------------------------

PYTHON_TYPES: dict[str, tuple[str, dict[str, list[tuple[str, str]]]]] = {
    "AGREEMENT_TYPEHASH": ("Agreement", AGREEMENT_TYPES),
    "PUBLISH_TYPEHASH": ("PublishRoute", PUBLISH_TYPES),
    "ANCHOR_TYPEHASH": ("Anchor", ANCHOR_TYPES),
    "ANCHOR_BATCH_TYPEHASH": ("AnchorBatch", ANCHOR_BATCH_TYPES),
    "GRANT_TYPEHASH": ("Grant", GRANT_TYPES),
    "REVOKE_TYPEHASH": ("Revoke", REVOKE_TYPES),
    "REBIND_TYPEHASH": ("Rebind", REBIND_TYPES),
    **{re.sub(r"(?<!^)([A-Z])", r"_\1", a).upper() + "_TYPEHASH": (a, {a: t}) for a, t in SIGNED_TYPES.items()},
}


def _preimages() -> dict[str, str]:
    """``NAME_TYPEHASH`` → the preimage string in the comment above its declaration."""
    out: dict[str, str] = {}
    for path in (project_root() / "contracts").rglob("*.sol"):
        if "/test/" in path.as_posix():
            continue
        text = path.read_text()
        pattern = r'///[^\n]*?keccak256\(\s*"([^"]+)"\s*\)[^\n]*\n(?:\s*///[^\n]*\n)*\s*bytes32\s+(?:public\s+|private\s+|internal\s+)?constant\s+(\w+_TYPEHASH)'  # noqa: E501
        for m in re.finditer(pattern, text):
            out[m.group(2)] = re.sub(r"\s*\n\s*///\s*", "", m.group(1))  # a preimage wrapped over comment lines
    return out


def test_typehash__every_constant_equals_its_preimage_and_the_python_types(deployment: Deployment) -> None:
    preimages = _preimages()
    checked = []
    for spec in SUITE:
        contract = deployment.contract(spec.key)
        for item in contract.abi:
            name = item.get("name", "")
            if item["type"] != "function" or not name.endswith("_TYPEHASH"):
                continue
            on_chain = bytes(contract.functions[name]().call())
            assert name in preimages, f'{spec.key}.{name} has no `keccak256("…")` preimage comment'
            assert keccak(text=preimages[name]) == on_chain, f"{spec.key}.{name} != keccak256 of its comment"
            if name in PYTHON_TYPES:
                primary, types = PYTHON_TYPES[name]
                assert type_string(primary, types) == preimages[name]
                assert typehash(primary, types) == on_chain
            checked.append(f"{spec.key}.{name}")
    assert len(checked) >= len(PYTHON_TYPES)


def test_typehash__permit_matches_eip2612() -> None:
    assert type_string("Permit", PERMIT_TYPES) == (
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    )


def test_domain__every_contract_reports_the_domain_the_python_signer_uses(deployment: Deployment, chain: Chain) -> None:
    for spec in SUITE:
        contract = deployment.contract(spec.key)
        if not any(i.get("name") == "eip712Domain" for i in contract.abi):
            continue
        fields, name, version, chain_id, verifying, salt, extensions = contract.functions.eip712Domain().call()
        assert fields == b"\x0f" and salt == b"\x00" * 32 and extensions == []
        domain = domain_of(contract)
        assert domain == Domain(name, version, chain.chain_id, deployment.address(spec.key))
        assert int(chain_id) == chain.chain_id and verifying == deployment.address(spec.key)
        assert name and version


def test_actions__every_signed_entry_point_is_audited(deployment: Deployment) -> None:
    """A new `…BySig`/permit entry point without an attack set here fails."""
    audited: dict[str, set[str]] = {}
    for action in ACTIONS:
        audited.setdefault(action.key, set()).add(action.entry)
    for spec in SUITE:
        names = {i["name"] for i in deployment.contract(spec.key).abi if i["type"] == "function"}
        signed = {n for n in names if n.endswith("BySig") or n == "permit"}
        if spec.key == "escrow":
            signed |= {n for n in names if n.startswith("create")}
        missing = signed - audited.get(spec.key, set())  # nothing is pending: every one has its set
        assert not missing, f"{spec.key}: signed entry points without an attack set: {sorted(missing)}"
        assert audited.get(spec.key, set()) <= names, f"{spec.key}: an audited entry point is not in the ABI"
    assert set(audited) <= {spec.key for spec in SUITE}
