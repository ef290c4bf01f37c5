"""Delegated (EIP-712, relayed) anchoring: single and batch, against the full signature attack set."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from tests.support.signatures import malleate, other_chain, other_contract
from thekey.credentials.anchoring import ANCHOR_BATCH_TYPES, ANCHOR_TYPES
from thekey.eip712 import typehash
from thekey.errors import ContractRevert

from .conftest import DEGREE_TYPE, Env

H = keccak(b"credential")


def _sign(env: Env, deadline: int, **kw: object):  # type: ignore[no-untyped-def]
    return env.registry.sign_anchor(env.issuer, H, env.schema_id, 0, 0, 1, deadline, **kw)  # type: ignore[arg-type]


def test_typehashes__match_the_contract(env: Env) -> None:
    c = env.registry.contract.functions
    assert c.ANCHOR_TYPEHASH().call() == typehash("Anchor", ANCHOR_TYPES)
    assert c.ANCHOR_BATCH_TYPEHASH().call() == typehash("AnchorBatch", ANCHOR_BATCH_TYPES)


def test_anchor_by_sig__valid_request_relayed_by_anyone(env: Env) -> None:
    signed = _sign(env, env.chain.timestamp() + 600)
    env.registry.relay_anchor(env.relayer, signed)
    anchor = env.registry.get_anchor(env.issuer.address, H)
    assert anchor.issuer == env.issuer.address and env.registry.nonce_of(env.issuer.address) == 1


def test_anchor_by_sig__replay_is_rejected(env: Env) -> None:
    signed = _sign(env, env.chain.timestamp() + 600)
    env.registry.relay_anchor(env.relayer, signed)
    with pytest.raises(ContractRevert) as e:
        env.registry.relay_anchor(env.relayer, signed)
    assert e.value.name == "InvalidAccountNonce"
    # the same nonce for another credential is a replay of the nonce
    again = env.registry.sign_anchor(
        env.issuer, keccak(b"other"), env.schema_id, 0, 0, 2, env.chain.timestamp() + 600, nonce=0
    )
    with pytest.raises(ContractRevert) as e:
        env.registry.relay_anchor(env.relayer, again)
    assert e.value.name == "InvalidAccountNonce"


def test_anchor_by_sig__wrong_signer_is_rejected(env: Env) -> None:
    forged = env.registry.sign_anchor(
        env.stranger, H, env.schema_id, 0, 0, 1, env.chain.timestamp() + 600, signer_address=env.issuer.address
    )
    with pytest.raises(ContractRevert) as e:
        env.registry.relay_anchor(env.relayer, forged)
    assert e.value.name == "CredentialInvalidSignature"


def test_anchor_by_sig__valid_exactly_at_deadline_and_expired_after(env: Env) -> None:
    deadline = env.chain.timestamp() + 100
    signed = _sign(env, deadline)
    env.chain.set_next_block_timestamp(deadline + 1)
    with pytest.raises(ContractRevert) as e:
        env.registry.relay_anchor(env.relayer, signed)
    assert e.value.name == "CredentialExpiredSignature"
    deadline = env.chain.timestamp() + 100
    signed = _sign(env, deadline)
    env.chain.set_next_block_timestamp(deadline)
    env.registry.relay_anchor(env.relayer, signed)
    assert env.registry.get_anchor(env.issuer.address, H).anchored_at == deadline


@pytest.mark.parametrize("where", ["chain", "contract"])
def test_anchor_by_sig__signature_for_another_domain_is_rejected(env: Env, where: str) -> None:
    domain = other_chain(env.registry.domain) if where == "chain" else other_contract(env.registry.domain)
    signed = _sign(env, env.chain.timestamp() + 600, domain=domain)
    with pytest.raises(ContractRevert) as e:
        env.registry.relay_anchor(env.relayer, signed)
    assert e.value.name == "CredentialInvalidSignature"


def test_anchor_by_sig__malleable_signature_is_rejected(env: Env) -> None:
    from dataclasses import replace

    signed = _sign(env, env.chain.timestamp() + 600)
    with pytest.raises(ContractRevert) as e:
        env.registry.relay_anchor(env.relayer, replace(signed, signature=malleate(signed.signature)))
    assert e.value.name == "CredentialInvalidSignature"


def test_anchor_by_sig__tampered_request_is_rejected(env: Env) -> None:
    from dataclasses import replace

    signed = _sign(env, env.chain.timestamp() + 600)
    with pytest.raises(ContractRevert) as e:
        env.registry.relay_anchor(env.relayer, replace(signed, valid_until=env.chain.timestamp() + 5))
    assert e.value.name == "CredentialInvalidSignature"


def test_anchor_by_sig__unauthorised_signer_cannot_anchor(env: Env) -> None:
    shared, _ = env.registry.register_schema(env.governor, {"title": "shared", "type": "object"}, DEGREE_TYPE)
    signed = env.registry.sign_anchor(env.stranger, H, shared, 0, 0, 1, env.chain.timestamp() + 600)
    with pytest.raises(ContractRevert) as e:
        env.registry.relay_anchor(env.relayer, signed)
    assert e.value.name == "IssuerNotAuthorised"
    # a valid signature of a key that does not control the issuer DID anchors nothing for it
    claimed = env.registry.sign_anchor(
        env.stranger, H, env.schema_id, 0, 0, 1, env.chain.timestamp() + 600, issuer_address=env.issuer.address
    )
    with pytest.raises(ContractRevert) as e:
        env.registry.relay_anchor(env.relayer, claimed)
    assert e.value.name == "CredentialUnauthorisedCaller"
    assert e.value.arguments == {"issuer": env.issuer.address, "caller": env.stranger.address}


def test_anchor_batch_by_sig__valid_replayed_wrong_signer_other_chain_malleable(env: Env) -> None:
    from dataclasses import replace

    root, deadline = keccak(b"root"), env.chain.timestamp() + 600
    sign = env.registry.sign_batch
    forged = sign(env.stranger, root, env.schema_id, 0, 0, 1, 10, deadline, signer_address=env.issuer.address)
    foreign = sign(env.issuer, root, env.schema_id, 0, 0, 1, 10, deadline, domain=other_chain(env.registry.domain))
    good = sign(env.issuer, root, env.schema_id, 0, 0, 1, 10, deadline)
    for bad in (forged, foreign, replace(good, signature=malleate(good.signature))):
        with pytest.raises(ContractRevert) as e:
            env.registry.relay_batch(env.relayer, bad)
        assert e.value.name == "CredentialInvalidSignature"
    env.registry.relay_batch(env.relayer, good)
    assert env.registry.get_batch(env.issuer.address, root).count == 10
    with pytest.raises(ContractRevert) as e:
        env.registry.relay_batch(env.relayer, good)
    assert e.value.name == "InvalidAccountNonce"


def test_anchor_by_sig__erc1271_wallet_issuer(env: Env, accounts: list[LocalAccount]) -> None:
    key = accounts[8]
    contract, _ = env.chain.deploy("TestWallet", key.address, sender=env.governor)  # contracts/test/TestWallet.sol
    wallet_address = str(contract.address)
    env.registry.add_issuer(env.governor, wallet_address, b"\x02" * 32, [DEGREE_TYPE])
    shared, _ = env.registry.register_schema(env.governor, {"title": "shared", "type": "object"}, DEGREE_TYPE)
    deadline = env.chain.timestamp() + 600
    forged = env.registry.sign_anchor(env.stranger, H, shared, 0, 0, 1, deadline, signer_address=wallet_address)
    with pytest.raises(ContractRevert) as e:
        env.registry.relay_anchor(env.relayer, forged)
    assert e.value.name == "CredentialInvalidSignature"
    signed = env.registry.sign_anchor(key, H, shared, 0, 0, 1, deadline, signer_address=wallet_address)
    env.registry.relay_anchor(env.relayer, signed)
    assert env.registry.get_anchor(wallet_address, H).issuer == wallet_address


def test_anchor_by_sig__burnt_nonce_signature_reverts(env: Env) -> None:
    signed = _sign(env, env.chain.timestamp() + 600)
    env.chain.transact(env.registry.contract.functions.invalidateNonces(0, 1), env.issuer)
    with pytest.raises(ContractRevert) as e:
        env.registry.relay_anchor(env.relayer, signed)
    assert e.value.name == "InvalidAccountNonce"
    assert not env.registry.get_anchor(env.issuer.address, H).anchored


def test_anchor_batch_by_sig__burnt_nonce_signature_reverts(env: Env) -> None:
    root = keccak(b"root")
    signed = env.registry.sign_batch(env.issuer, root, env.schema_id, 0, 0, 1, 10, env.chain.timestamp() + 600)
    env.chain.transact(env.registry.contract.functions.invalidateNonces(0, 1), env.issuer)
    with pytest.raises(ContractRevert) as e:
        env.registry.relay_batch(env.relayer, signed)
    assert e.value.name == "InvalidAccountNonce"
    assert not env.registry.get_batch(env.issuer.address, root).anchored


def test_invalidate_nonces__burns_a_lane_and_reverts_for_a_bad_count(env: Env) -> None:
    fns = env.registry.contract.functions
    for count in (0, 2**16):
        with pytest.raises(ContractRevert) as e:
            env.chain.transact(fns.invalidateNonces(0, count), env.issuer)
        assert e.value.name == "NoncesInvalidCount" and e.value.arguments == {"count": count}
    lane = 7
    receipt = env.chain.transact(fns.invalidateNonces(lane, 3), env.issuer)
    (event,) = env.registry.events(receipt, "NoncesInvalidated")
    assert (event["signer"], event["key"], event["from"], event["to"]) == (env.issuer.address, lane, 0, 3)
    signed = _sign(env, env.chain.timestamp() + 600, nonce=(lane << 64) | 2)  # a burnt nonce of that lane
    with pytest.raises(ContractRevert) as e:
        env.registry.relay_anchor(env.relayer, signed)
    assert e.value.name == "InvalidAccountNonce"
    env.registry.relay_anchor(env.relayer, _sign(env, env.chain.timestamp() + 600, nonce=(lane << 64) | 3))


def test_keyed_lanes__signatures_on_two_lanes_relay_in_either_order(env: Env) -> None:
    deadline = env.chain.timestamp() + 600
    reg = env.registry
    first = reg.sign_anchor(env.issuer, keccak(b"one"), env.schema_id, 0, 0, 1, deadline, nonce=5 << 64)
    second = reg.sign_anchor(env.issuer, keccak(b"two"), env.schema_id, 0, 0, 2, deadline, nonce=9 << 64)
    assert reg.nonce_of(env.issuer.address, 9) == 9 << 64
    reg.relay_anchor(env.relayer, second)  # the later signature first
    reg.relay_anchor(env.relayer, first)
    assert reg.nonce_of(env.issuer.address, 5) == (5 << 64) | 1 and reg.nonce_of(env.issuer.address, 9) == (9 << 64) | 1
    assert reg.get_anchor(env.issuer.address, keccak(b"one")).anchored
