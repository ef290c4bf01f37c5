"""Issue 12's attack scenarios, each played by an adversary holding an ordinary role (an admitted
issuer), each of which succeeded against the previous registry and now fails with the exact error:

1. type bypass — a schema declaring a type its registrant does not hold; anchoring against a
   schema of another type; a credential whose ``type`` is not its schema's registered type;
2. anchor squatting — another issuer anchoring the rightful issuer's hash or batch root first,
   directly or while relaying the issuer's own signed request;
3. schema front-running — registering the rightful issuer's document first, then deprecating it;
4. key rotation — the old key after ERC-1056 ``changeOwner``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3.contract import Contract

from thekey.credentials import IssuedCredential, StatusAction, Validity, anchor_credential, verify_credential
from thekey.credentials.issuance import anchor_batch, next_status_indexes
from thekey.credentials.vc import type_hash, view
from thekey.errors import ContractRevert

from .conftest import DEGREE, DEGREE_SCHEMA, DEGREE_TYPE, Env

REASON = keccak(text="attack")
HEALTH = "HealthRecord"
INSURANCE = "InsurancePolicyCredential"
HEALTH_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Health record",
    "type": "object",
    "properties": {"diagnosis": {"type": "string"}},
}
POLICY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Insurance policy",
    "type": "object",
}


def _reverts(call: Callable[[], object], name: str, **arguments: object) -> None:
    with pytest.raises(ContractRevert) as e:
        call()
    assert e.value.name == name, e.value
    for key, value in arguments.items():
        assert e.value.arguments[key] == value, (key, e.value.arguments)


def _admit(env: Env, who: LocalAccount, *types: str) -> None:
    env.registry.add_issuer(env.governor, who.address, keccak(text=who.address), [type_hash(t) for t in types])


@pytest.fixture
def attacker(env: Env, accounts: list[LocalAccount]) -> LocalAccount:
    """Another admitted issuer, for degrees (the rightful issuer's type) and insurance policies."""
    _admit(env, accounts[7], DEGREE, INSURANCE)
    return accounts[7]


def _issue_as(env: Env, issuer: LocalAccount, schema_id: bytes, credential_type: str, claims: dict[str, Any]) -> Any:
    from thekey.credentials import issue_credential

    now = env.chain.timestamp()
    return issue_credential(
        env.registry,
        issuer,
        subject=env.holder_did,
        credential_type=credential_type,
        claims=claims,
        schema_id=schema_id,
        valid_from=now,
        valid_until=now + 86_400,
        status_index=next_status_indexes(env.registry, issuer.address, 1)[0],
    )


# ------------------------------------------------------------------ 1. type bypass


def test_register_schema__reverts_when_registrant_does_not_hold_the_declared_type(
    env: Env, attacker: LocalAccount
) -> None:
    _reverts(
        lambda: env.registry.register_schema(attacker, HEALTH_SCHEMA, type_hash(HEALTH)),
        "IssuerNotAuthorised",
        issuer=attacker.address,
        credentialType=type_hash(HEALTH),
    )


def test_anchor__reverts_when_schema_is_of_a_type_the_issuer_does_not_hold(env: Env, attacker: LocalAccount) -> None:
    health, _ = env.registry.register_schema(env.governor, HEALTH_SCHEMA, type_hash(HEALTH))  # shared, by governance
    _reverts(
        lambda: env.registry.anchor(attacker, keccak(b"h"), health, 0, 0, 1),
        "IssuerNotAuthorised",
        issuer=attacker.address,
        credentialType=type_hash(HEALTH),
    )


def test_verify__type_check_fails_when_credential_type_is_not_the_schema_type(env: Env, attacker: LocalAccount) -> None:
    policy, _ = env.registry.register_schema(attacker, POLICY_SCHEMA, type_hash(INSURANCE))
    forged = _issue_as(env, attacker, policy, HEALTH, {"diagnosis": "none"})
    anchor_credential(env.registry, attacker, forged)  # the chain checks the schema's type: insurance, held
    result = verify_credential(env.registry, forged.credential)
    assert not result.valid and result.failed == {"type"}
    reason = result.check("type").reason  # type: ignore[union-attr]
    assert f"type {HEALTH} is not the schema's registered type (0x{type_hash(INSURANCE).hex()})" in reason
    honest = _issue_as(env, attacker, policy, INSURANCE, {"policy": "P-1"})
    anchor_credential(env.registry, attacker, honest)
    assert verify_credential(env.registry, honest.credential).valid


# ------------------------------------------------------------------ 2. anchor squatting


def test_anchor__another_issuer_cannot_squat_the_rightful_issuers_hash(env: Env, attacker: LocalAccount) -> None:
    pending = env.issue()  # the rightful issuer's credential, hash visible in the mempool
    own, _ = env.registry.register_schema(attacker, {"title": "copy", "type": "object"}, DEGREE_TYPE)
    _reverts(
        lambda: env.registry.anchor(attacker, pending.hash, env.schema_id, 0, 0, 1),
        "SchemaNotUsable",
        schemaId=env.schema_id,
        issuer=attacker.address,
    )
    env.registry.anchor(attacker, pending.hash, own, 0, 0, 1)  # lands in the attacker's own namespace
    anchor_credential(env.registry, env.issuer, pending)  # the rightful anchor still succeeds
    assert env.registry.get_anchor(env.issuer.address, pending.hash).issuer == env.issuer.address
    assert env.registry.is_valid(env.issuer.address, pending.hash)
    assert env.registry.get_anchor(attacker.address, pending.hash).issuer == attacker.address
    assert verify_credential(env.registry, pending.credential).valid
    # the attacker controls only its own copy's status
    _reverts(
        lambda: env.registry.change_status(
            attacker, StatusAction.REVOKE, pending.hash, REASON, issuer=env.issuer.address
        ),
        "CredentialUnauthorisedCaller",
        issuer=env.issuer.address,
        caller=attacker.address,
    )
    env.registry.revoke(attacker, pending.hash, REASON)
    assert env.registry.validity_of(attacker.address, pending.hash) == Validity.REVOKED
    assert env.registry.is_valid(env.issuer.address, pending.hash)
    _reverts(
        lambda: env.registry.anchor(env.issuer, pending.hash, env.schema_id, 0, 0, 2),
        "CredentialAlreadyAnchored",
        issuer=env.issuer.address,
        credentialHash=pending.hash,
    )


def test_anchor_batch__another_issuer_cannot_squat_the_rightful_issuers_root(env: Env, attacker: LocalAccount) -> None:
    from thekey.credentials.issuance import batch_tree

    items = [env.issue(claims={"degree": f"BSc {n}"}, index=n + 1) for n in range(3)]
    root = batch_tree(items).root
    own, _ = env.registry.register_schema(attacker, {"title": "copy", "type": "object"}, DEGREE_TYPE)
    env.registry.anchor_batch(attacker, root, own, 0, 0, 1, 3)  # first, in its own namespace
    anchored_root, _, evidenced = anchor_batch(env.registry, env.issuer, items)
    assert anchored_root == root and env.registry.get_batch(env.issuer.address, root).issuer == env.issuer.address
    assert all(verify_credential(env.registry, vc.credential).valid for vc in evidenced)
    _reverts(
        lambda: env.registry.anchor_batch(env.issuer, root, env.schema_id, 0, 0, 1, 3),
        "CredentialBatchAlreadyAnchored",
        issuer=env.issuer.address,
        root=root,
    )


def test_anchor_by_sig__relayer_cannot_squat_or_redirect_the_signed_anchor(env: Env, attacker: LocalAccount) -> None:
    pending = env.issue()
    v = view(pending.credential)
    deadline = env.chain.timestamp() + 600
    signed = env.registry.sign_anchor(
        env.issuer, pending.hash, env.schema_id, v.valid_from, v.valid_until or 0, pending.status_index, deadline
    )
    own, _ = env.registry.register_schema(attacker, {"title": "copy", "type": "object"}, DEGREE_TYPE)
    env.registry.anchor(attacker, pending.hash, own, 0, 0, 1)  # the relayer front-runs with a copy
    for redirected in (replace(signed, issuer=attacker.address), replace(signed, issuer=attacker.address,
                                                                         signer=attacker.address)):  # fmt: skip
        _reverts(lambda r=redirected: env.registry.relay_anchor(attacker, r), "CredentialInvalidSignature")
    env.registry.relay_anchor(attacker, signed)  # relayed by the attacker: the signer's DID is the issuer
    assert env.registry.get_anchor(env.issuer.address, pending.hash).issuer == env.issuer.address
    assert verify_credential(env.registry, pending.credential).valid


# ------------------------------------------------------------------ 3. schema front-running


def test_register_schema__front_runner_gets_its_own_id_and_cannot_deprecate_the_rightful_one(
    env: Env, attacker: LocalAccount
) -> None:
    document = {**DEGREE_SCHEMA, "title": "University degree v2"}
    squatted, _ = env.registry.register_schema(attacker, document, DEGREE_TYPE)  # first, from the mempool
    rightful, _ = env.registry.register_schema(env.issuer, document, DEGREE_TYPE)
    assert rightful != squatted
    assert env.registry.get_schema(rightful).publisher == env.issuer.address
    assert [(r.schema_id, r.publisher) for r in env.registry.registrations(document)] == [
        (squatted, attacker.address),
        (rightful, env.issuer.address),
    ]
    _reverts(
        lambda: env.registry.deprecate_schema(attacker, rightful),
        "SchemaUnauthorisedDeprecation",
        schemaId=rightful,
        caller=attacker.address,
    )
    _reverts(
        lambda: env.registry.register_schema(env.issuer, document, DEGREE_TYPE),
        "SchemaAlreadyRegistered",
        schemaId=rightful,
        publisher=env.issuer.address,
    )
    env.registry.deprecate_schema(attacker, squatted)  # its own: affects nobody else
    item = env.issue(schema_id=rightful)
    anchor_credential(env.registry, env.issuer, item)
    assert verify_credential(env.registry, item.credential).valid


def test_deprecate_schema__reverts_for_an_issuer_on_a_shared_schema(env: Env, attacker: LocalAccount) -> None:
    shared, _ = env.registry.register_schema(env.governor, {"title": "shared", "type": "object"}, DEGREE_TYPE)
    _reverts(
        lambda: env.registry.deprecate_schema(attacker, shared),
        "SchemaUnauthorisedDeprecation",
        schemaId=shared,
        caller=attacker.address,
    )


# ------------------------------------------------------------------ 4. key rotation


def test_rotation__old_key_can_do_nothing_new_owner_can_and_old_credentials_stay_valid(
    env: Env, anchored: Callable[..., IssuedCredential], identities: Contract, accounts: list[LocalAccount]
) -> None:
    reg, did, old, new = env.registry, env.issuer.address, env.issuer, accounts[9]
    before = anchored()
    env.chain.transact(identities.functions.changeOwner(did, new.address), old)
    unauthorised = {"issuer": did, "caller": old.address}
    _reverts(lambda: reg.anchor(old, keccak(b"a"), env.schema_id, 0, 0, 50), "CredentialUnauthorisedCaller",
             **unauthorised)  # fmt: skip
    signed = reg.sign_anchor(old, keccak(b"b"), env.schema_id, 0, 0, 51, env.chain.timestamp() + 600)
    _reverts(lambda: reg.relay_anchor(env.relayer, signed), "CredentialUnauthorisedCaller", **unauthorised)
    _reverts(lambda: reg.anchor_batch(old, keccak(b"r"), env.schema_id, 0, 0, 52, 2), "CredentialUnauthorisedCaller",
             **unauthorised)  # fmt: skip
    for action in StatusAction:
        _reverts(lambda a=action: reg.change_status(old, a, before.hash, REASON), "CredentialUnauthorisedCaller",
                 **unauthorised)  # fmt: skip
    _reverts(lambda: reg.update_status(old, did, StatusAction.REVOKE, [before.status_index], REASON),
             "CredentialUnauthorisedCaller", **unauthorised)  # fmt: skip
    _reverts(lambda: reg.register_schema(old, {"title": "late", "type": "object"}, DEGREE_TYPE),
             "SchemaUnauthorisedPublisher", publisher=did, caller=old.address)  # fmt: skip
    _reverts(lambda: reg.deprecate_schema(old, env.schema_id), "SchemaUnauthorisedDeprecation",
             schemaId=env.schema_id, caller=old.address)  # fmt: skip
    # what was anchored before the rotation stays valid
    assert reg.is_valid(did, before.hash) and verify_credential(reg, before.credential).valid
    # the new owner acts for the issuer DID, directly and by signature
    reg.anchor(new, keccak(b"a"), env.schema_id, 0, 0, 50, issuer=did)
    relayed = reg.sign_anchor(new, keccak(b"b"), env.schema_id, 0, 0, 51, env.chain.timestamp() + 600,
                              issuer_address=did)  # fmt: skip
    reg.relay_anchor(env.relayer, relayed)
    assert reg.get_anchor(did, keccak(b"b")).issuer == did
    reg.suspend(new, before.hash, REASON, issuer=did)
    assert reg.validity_of(did, before.hash) == Validity.SUSPENDED
    reg.reinstate(new, before.hash, REASON, issuer=did)
    reg.revoke(new, keccak(b"a"), REASON, issuer=did)
    assert reg.validity_of(did, keccak(b"a")) == Validity.REVOKED
    sid, _ = reg.register_schema(new, {"title": "after rotation", "type": "object"}, DEGREE_TYPE, publisher=did)
    assert reg.get_schema(sid).publisher == did
