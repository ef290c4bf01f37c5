"""Verification: each failure has its reason; many credentials verify with one chain read."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from eth_utils import keccak

from thekey.credentials import IssuedCredential, StatusAction, anchor_batch, verify_credential, verify_credentials
from thekey.credentials.issuance import next_status_indexes
from thekey.credentials.vc import schema_uri, sign_credential
from thekey.identity.did import did_for

from .conftest import Env

REASON = keccak(text="verify")


def _failed(env: Env, vc: dict[str, Any], **kw: Any) -> set[str]:
    return verify_credential(env.registry, vc, **kw).failed


def test_verify__valid_credential_passes_every_check(env: Env, anchored: Callable[..., IssuedCredential]) -> None:
    item = anchored()
    result = verify_credential(env.registry, item.credential, holder=env.holder_did)
    assert result.valid, result.failures
    assert [c.name for c in result.checks] == [
        "signature",
        "issuer",
        "type",
        "anchor",
        "status",
        "validity",
        "schema",
        "holder",
    ]
    assert result.credential_hash == item.hash


def test_verify__tampering_with_a_claim_fails_signature_and_anchor(
    env: Env, anchored: Callable[..., IssuedCredential]
) -> None:
    vc = copy.deepcopy(anchored().credential)
    vc["credentialSubject"]["gpa"] = 400
    assert _failed(env, vc) == {"signature", "anchor", "status"}


@pytest.mark.parametrize(
    "field,value",
    [
        ("validUntil", "2099-01-01T00:00:00Z"),
        ("id", "urn:uuid:other"),
        ("type", ["VerifiableCredential", "X"]),
    ],
)
def test_verify__tampering_with_any_field_fails(
    env: Env, anchored: Callable[..., IssuedCredential], field: str, value: Any
) -> None:
    vc = {**anchored().credential, field: value}
    assert {"signature", "anchor"} <= _failed(env, vc)


def test_verify__tampered_proof_fails_signature_only(env: Env, anchored: Callable[..., IssuedCredential]) -> None:
    vc = copy.deepcopy(anchored().credential)
    sig = bytearray.fromhex(vc["proof"]["proofValue"][2:])
    sig[5] ^= 1
    vc["proof"]["proofValue"] = "0x" + sig.hex()
    assert _failed(env, vc) == {"signature"}
    vc2 = copy.deepcopy(anchored(claims={"degree": "MSc"}).credential)
    vc2["proof"]["eip712"]["domain"]["chainId"] = 1
    result = verify_credential(env.registry, vc2)
    assert result.failed == {"signature"} and "another chain" in (result.check("signature") or result.checks[0]).reason


def test_verify__proof_by_another_key_or_for_another_chain_fails(env: Env, accounts: list) -> None:
    item = env.issue()
    forged = sign_credential(item.credential, accounts[9], env.chain.chain_id, 0)
    assert "signature" in _failed(env, forged)
    foreign = sign_credential(item.credential, env.issuer, 1, 0)
    assert "signature" in _failed(env, foreign)


def test_verify__tampered_issuer_fails_signature_issuer_and_anchor(
    env: Env, anchored: Callable[..., IssuedCredential], accounts: list
) -> None:
    vc = {**anchored().credential, "issuer": did_for(env.chain.chain_id, accounts[9].address)}
    assert _failed(env, vc) == {"signature", "issuer", "anchor", "status"}


def test_verify__tampered_schema_fails_schema_type_and_anchor(
    env: Env, anchored: Callable[..., IssuedCredential]
) -> None:
    vc = {**anchored().credential, "credentialSchema": {"id": schema_uri(keccak(b"other")), "type": "JsonSchema"}}
    assert {"signature", "type", "anchor", "schema"} == _failed(env, vc) - {"status"}


def test_verify__claims_violating_the_schema_fail_schema(env: Env, anchored: Callable[..., IssuedCredential]) -> None:
    item = anchored(claims={"degree": "BSc", "gpa": 950})
    result = verify_credential(env.registry, item.credential)
    assert result.failed == {"schema"} and "gpa" in (result.check("schema") or result.checks[0]).reason


def test_verify__revoked_suspended_and_reinstated(env: Env, anchored: Callable[..., IssuedCredential]) -> None:
    item = anchored()
    env.registry.suspend(env.issuer, item.hash, REASON)
    assert verify_credential(env.registry, item.credential).check("status").reason == "suspended"  # type: ignore[union-attr]
    env.registry.reinstate(env.issuer, item.hash, REASON)
    assert verify_credential(env.registry, item.credential).valid
    env.registry.revoke(env.issuer, item.hash, REASON)
    result = verify_credential(env.registry, item.credential)
    assert result.failed == {"status"} and result.check("status").reason == "revoked"  # type: ignore[union-attr]


def test_verify__expired_and_not_yet_valid(env: Env, anchored: Callable[..., IssuedCredential]) -> None:
    now = env.chain.timestamp()
    early = anchored(valid_from=now + 500, valid_until=now + 1000)
    assert _failed(env, early.credential) == {"validity"}
    env.chain.increase_time(1001)
    assert _failed(env, early.credential) == {"validity"}
    assert "expired" in verify_credential(env.registry, early.credential).check("validity").reason  # type: ignore[union-attr]


def test_verify__unknown_issuer(env: Env, accounts: list) -> None:
    unknown = accounts[9]
    item = env.issue(issuer=unknown, index=1)
    result = verify_credential(env.registry, item.credential)
    assert {"issuer", "anchor"} <= result.failed
    assert "not a registered issuer" in result.check("issuer").reason  # type: ignore[union-attr]


def test_verify__suspended_issuer_keeps_earlier_credentials_and_cannot_issue_new(
    env: Env, anchored: Callable[..., IssuedCredential]
) -> None:
    before = anchored()
    env.registry.suspend_issuer(env.governor, env.issuer.address, REASON)
    assert verify_credential(env.registry, before.credential).valid
    during = env.issue(claims={"degree": "MSc"})  # signed, but cannot be anchored while suspended
    result = verify_credential(env.registry, during.credential)
    assert {"issuer", "anchor"} <= result.failed and "suspended" in result.check("issuer").reason  # type: ignore[union-attr]
    env.registry.remove_issuer(env.governor, env.issuer.address, REASON)
    assert verify_credential(env.registry, before.credential).failed == {"issuer"}


def test_verify__holder_must_be_the_subject(
    env: Env, anchored: Callable[..., IssuedCredential], accounts: list
) -> None:
    item = anchored()
    assert _failed(env, item.credential, holder=did_for(env.chain.chain_id, accounts[9].address)) == {"holder"}


def test_verify__many_credentials_single_and_batch_in_one_eth_call(
    env: Env, anchored: Callable[..., IssuedCredential], monkeypatch: pytest.MonkeyPatch
) -> None:
    singles = [anchored(claims={"degree": f"BSc {n}"}) for n in range(3)]
    now = env.chain.timestamp()
    indexes = next_status_indexes(env.registry, env.issuer.address, 4)
    batch = [env.issue(index=i, valid_from=now, claims={"degree": f"MSc {i}"}) for i in indexes]
    _, _, batch = anchor_batch(env.registry, env.issuer, batch)
    env.registry.update_status(env.issuer, env.issuer.address, StatusAction.REVOKE, [indexes[1]], REASON)
    calls: list[str] = []
    original = env.chain.w3.provider.make_request

    def counting(method: Any, params: Any) -> Any:  # every JSON-RPC request the verification makes
        calls.append(str(method))
        return original(method, params)

    monkeypatch.setattr(env.chain.w3.provider, "make_request", counting)
    results = verify_credentials(env.registry, [i.credential for i in singles + batch], schemas={})
    assert calls.count("eth_call") == 2  # inspect for all seven, getSchema for their one schema
    assert all(m in ("eth_call", "eth_getBlockByNumber") for m in calls)
    assert [r.valid for r in results] == [True, True, True, True, False, True, True]
    assert results[4].failed == {"status"}


def test_verify__batch_member_with_wrong_proof_fails_anchor_and_signature(env: Env) -> None:
    now = env.chain.timestamp()
    indexes = next_status_indexes(env.registry, env.issuer.address, 3)
    items = [env.issue(index=i, valid_from=now, claims={"degree": f"BA {i}"}) for i in indexes]
    _, _, items = anchor_batch(env.registry, env.issuer, items)
    vc = copy.deepcopy(items[0].credential)
    vc["proof"]["anchor"]["path"] = items[1].credential["proof"]["anchor"]["path"]
    result = verify_credential(env.registry, vc)
    # the batch evidence is a signed proof member: swapping it breaks the signature as well
    assert result.failed == {"anchor", "signature"} and "Merkle proof" in result.check("anchor").reason  # type: ignore[union-attr]
    untouched = verify_credentials(env.registry, [items[0].credential])[0]
    assert untouched.check("signature").ok  # type: ignore[union-attr]
