"""EIDRegistry: ERC-1056 ownership, delegates and attributes with expiry, revocation,
deactivation finality, event linking, and every EIP-712 signed change against the attack set."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from tests.support.signatures import malleate, other_chain, other_contract
from thekey.chain import Chain
from thekey.eip712 import typehash
from thekey.errors import ContractRevert
from thekey.identity.registry import SIGNED_TYPES, ZERO_ADDRESS, EIDRegistry, SignedChange, name_bytes32

DAY = 86_400


def _revert(excinfo: pytest.ExceptionInfo[ContractRevert], name: str) -> dict[str, Any]:
    assert excinfo.value.name == name, excinfo.value
    return excinfo.value.arguments


# ------------------------------------------------------------------ ownership


def test_identity_owner__is_the_identity_until_changed(registry: EIDRegistry, accounts: list[LocalAccount]) -> None:
    a = accounts[1].address
    assert registry.identity_owner(a) == a
    assert registry.contract.functions.owners(a).call() == ZERO_ADDRESS
    assert registry.changed(a) == 0


def test_change_owner__moves_control_and_links_events(
    chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount]
) -> None:
    alice, bob = accounts[1], accounts[2]
    r1 = registry.change_owner(alice, alice.address, bob.address)
    assert registry.identity_owner(alice.address) == bob.address
    assert registry.contract.functions.owners(alice.address).call() == bob.address
    assert registry.events(r1, "DIDOwnerChanged") == [
        {"identity": alice.address, "owner": bob.address, "previousChange": 0}
    ]
    assert registry.changed(alice.address) == r1.block_number
    with pytest.raises(ContractRevert) as exc:
        registry.change_owner(alice, alice.address, alice.address)
    assert _revert(exc, "EIDRegistryUnauthorized") == {
        "identity": alice.address,
        "actor": alice.address,
        "owner": bob.address,
    }
    r2 = registry.change_owner(bob, alice.address, alice.address)
    assert registry.events(r2, "DIDOwnerChanged")[0]["previousChange"] == r1.block_number


def test_every_change__by_a_stranger_reverts_unauthorized(
    registry: EIDRegistry, accounts: list[LocalAccount], stranger: LocalAccount
) -> None:
    a = accounts[1].address
    calls = [
        lambda: registry.change_owner(stranger, a, stranger.address),
        lambda: registry.deactivate(stranger, a),
        lambda: registry.add_delegate(stranger, a, "veriKey", stranger.address, DAY),
        lambda: registry.revoke_delegate(stranger, a, "veriKey", stranger.address),
        lambda: registry.set_attribute(stranger, a, "did/svc/X", b"x", DAY),
        lambda: registry.revoke_attribute(stranger, a, "did/svc/X", b"x"),
    ]
    for call in calls:
        with pytest.raises(ContractRevert) as exc:
            call()
        assert _revert(exc, "EIDRegistryUnauthorized")["actor"] == stranger.address


# ------------------------------------------------------------------ delegates


def test_add_delegate__is_valid_until_expiry(chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount]) -> None:
    alice, d = accounts[1], accounts[6].address
    receipt = registry.add_delegate(alice, alice.address, "sigAuth", d, 100)
    valid_to = chain.timestamp(receipt.block_number) + 100
    assert registry.valid_delegate(alice.address, "sigAuth", d)
    assert not registry.valid_delegate(alice.address, "veriKey", d)
    assert registry.delegate_valid_to(alice.address, "sigAuth", d) == valid_to
    # the reference's storage key: keccak256(abi.encode(delegateType))
    key = keccak(name_bytes32("sigAuth"))
    assert registry.contract.functions.delegates(alice.address, key, d).call() == valid_to
    (event,) = registry.events(receipt, "DIDDelegateChanged")
    assert event["validTo"] == valid_to and event["delegateType"] == name_bytes32("sigAuth")
    chain.set_next_block_timestamp(valid_to)
    chain.mine()
    assert not registry.valid_delegate(alice.address, "sigAuth", d)


def test_revoke_delegate__ends_validity_now(chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount]) -> None:
    alice, d = accounts[1], accounts[6].address
    registry.add_delegate(alice, alice.address, "veriKey", d, DAY)
    receipt = registry.revoke_delegate(alice, alice.address, "veriKey", d)
    assert not registry.valid_delegate(alice.address, "veriKey", d)
    (event,) = registry.events(receipt, "DIDDelegateChanged")
    assert event["validTo"] == chain.timestamp(receipt.block_number)


# ------------------------------------------------------------------ attributes


def test_set_and_revoke_attribute__emit_validity_and_link(
    chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount]
) -> None:
    alice = accounts[1]
    r1 = registry.set_attribute(alice, alice.address, "did/svc/HubService", b"https://hub", 500)
    (e1,) = registry.events(r1, "DIDAttributeChanged")
    assert e1["validTo"] == chain.timestamp(r1.block_number) + 500 and e1["value"] == b"https://hub"
    r2 = registry.revoke_attribute(alice, alice.address, "did/svc/HubService", b"https://hub")
    (e2,) = registry.events(r2, "DIDAttributeChanged")
    assert e2["validTo"] == 0 and e2["previousChange"] == r1.block_number
    assert registry.changed(alice.address) == r2.block_number


def test_name_bytes32__rejects_names_longer_than_32_bytes() -> None:
    with pytest.raises(ValueError):
        name_bytes32("did/pub/Secp256k1/veriKey/hex/too-long")


# ------------------------------------------------------------------ deactivation


@pytest.mark.parametrize("how", ["deactivate", "changeOwner-to-zero"])
def test_deactivation__is_final(registry: EIDRegistry, accounts: list[LocalAccount], how: str) -> None:
    alice, bob, d = accounts[1], accounts[2], accounts[6].address
    registry.add_delegate(alice, alice.address, "sigAuth", d, DAY)
    registry.change_owner(alice, alice.address, bob.address)
    receipt = (
        registry.deactivate(bob, alice.address)
        if how == "deactivate"
        else registry.change_owner(bob, alice.address, ZERO_ADDRESS)
    )
    assert registry.events(receipt, "DIDOwnerChanged")[0]["owner"] == ZERO_ADDRESS
    assert registry.identity_owner(alice.address) == ZERO_ADDRESS
    assert registry.is_deactivated(alice.address)
    assert not registry.valid_delegate(alice.address, "sigAuth", d)
    for actor in (alice, bob):
        for call in (
            lambda a=actor: registry.change_owner(a, alice.address, a.address),
            lambda a=actor: registry.deactivate(a, alice.address),
            lambda a=actor: registry.add_delegate(a, alice.address, "veriKey", d, DAY),
            lambda a=actor: registry.revoke_delegate(a, alice.address, "sigAuth", d),
            lambda a=actor: registry.set_attribute(a, alice.address, "did/svc/X", b"x", DAY),
            lambda a=actor: registry.revoke_attribute(a, alice.address, "did/svc/X", b"x"),
        ):
            with pytest.raises(ContractRevert) as exc:
                call()
            assert _revert(exc, "EIDRegistryDeactivated") == {"identity": alice.address}


def test_deactivated__signed_changes_are_refused(
    chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount]
) -> None:
    alice = accounts[1]
    signed = registry.sign(alice, "ChangeOwner", alice.address, chain.timestamp() + 600, new_owner=accounts[2].address)
    registry.deactivate(alice, alice.address)
    with pytest.raises(ContractRevert) as exc:
        registry.relay(accounts[9], signed)
    _revert(exc, "EIDRegistryDeactivated")


# ------------------------------------------------------------------ signed changes


def test_typehashes__match_their_preimages(registry: EIDRegistry) -> None:
    constants = {
        "ChangeOwner": "CHANGE_OWNER_TYPEHASH",
        "AddDelegate": "ADD_DELEGATE_TYPEHASH",
        "RevokeDelegate": "REVOKE_DELEGATE_TYPEHASH",
        "SetAttribute": "SET_ATTRIBUTE_TYPEHASH",
        "RevokeAttribute": "REVOKE_ATTRIBUTE_TYPEHASH",
        "Deactivate": "DEACTIVATE_TYPEHASH",
    }
    assert set(constants) == set(SIGNED_TYPES)
    for action, constant in constants.items():
        assert getattr(registry.contract.functions, constant)().call() == typehash(
            action, {action: SIGNED_TYPES[action]}
        )


def test_domain__is_the_registry_on_this_chain(chain: Chain, registry: EIDRegistry) -> None:
    d = registry.domain
    assert (d.name, d.version, d.chain_id, d.verifying_contract) == (
        "TheKey EIDRegistry",
        "1",
        chain.chain_id,
        registry.address,
    )


def _fields(action: str, accounts: list[LocalAccount]) -> dict[str, Any]:
    d = accounts[6].address
    return {
        "ChangeOwner": {"new_owner": accounts[2].address},
        "AddDelegate": {"delegate_type": "sigAuth", "delegate": d, "validity": DAY},
        "RevokeDelegate": {"delegate_type": "sigAuth", "delegate": d},
        "SetAttribute": {"name": "did/svc/HubService", "value": b"https://hub", "validity": DAY},
        "RevokeAttribute": {"name": "did/svc/HubService", "value": b"https://hub"},
        "Deactivate": {},
    }[action]


def _effect(registry: EIDRegistry, action: str, receipt: Any, alice: str, accounts: list[LocalAccount]) -> None:
    if action == "ChangeOwner":
        assert registry.identity_owner(alice) == accounts[2].address
    elif action == "Deactivate":
        assert registry.identity_owner(alice) == ZERO_ADDRESS
    elif action == "AddDelegate":
        assert registry.valid_delegate(alice, "sigAuth", accounts[6].address)
    elif action == "RevokeDelegate":
        assert registry.events(receipt, "DIDDelegateChanged")[0]["delegate"] == accounts[6].address
    else:
        (event,) = registry.events(receipt, "DIDAttributeChanged")
        assert event["value"] == b"https://hub" and (event["validTo"] == 0) == (action == "RevokeAttribute")


ACTIONS = list(SIGNED_TYPES)


@pytest.mark.parametrize("action", ACTIONS)
def test_signed__valid_signature_is_relayed_by_anyone(
    chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount], action: str
) -> None:
    alice, relayer = accounts[1], accounts[9]
    signed = registry.sign(alice, action, alice.address, chain.timestamp() + 600, **_fields(action, accounts))
    assert registry.nonce_of(alice.address) == 0
    receipt = registry.relay(relayer, signed)
    assert registry.nonce_of(alice.address) == 1
    assert registry.contract.functions.nonce(alice.address).call() == 1
    _effect(registry, action, receipt, alice.address, accounts)


@pytest.mark.parametrize("action", [a for a in ACTIONS if a not in ("ChangeOwner", "Deactivate")])
def test_signed__replay_is_rejected(
    chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount], action: str
) -> None:
    alice, relayer = accounts[1], accounts[9]
    signed = registry.sign(alice, action, alice.address, chain.timestamp() + 600, **_fields(action, accounts))
    registry.relay(relayer, signed)
    with pytest.raises(ContractRevert) as exc:
        registry.relay(relayer, signed)
    assert _revert(exc, "EIDRegistryInvalidSignature") == {"identity": alice.address, "owner": alice.address}


def test_signed__replay_of_owner_change_is_rejected(
    chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount]
) -> None:
    alice, bob, relayer = accounts[1], accounts[2], accounts[9]
    deadline = chain.timestamp() + 600
    away = registry.sign(alice, "ChangeOwner", alice.address, deadline, new_owner=bob.address)
    registry.relay(relayer, away)
    registry.change_owner(bob, alice.address, alice.address)  # back to alice: her nonce is now 1
    with pytest.raises(ContractRevert) as exc:
        registry.relay(relayer, away)
    _revert(exc, "EIDRegistryInvalidSignature")


@pytest.mark.parametrize("action", ACTIONS)
def test_signed__wrong_signer_is_rejected(
    chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount], action: str
) -> None:
    alice, mallory = accounts[1], accounts[5]
    forged = registry.sign(
        mallory, action, alice.address, chain.timestamp() + 600, nonce=0, **_fields(action, accounts)
    )
    with pytest.raises(ContractRevert) as exc:
        registry.relay(accounts[9], forged)
    assert _revert(exc, "EIDRegistryInvalidSignature") == {"identity": alice.address, "owner": alice.address}


@pytest.mark.parametrize("action", ACTIONS)
def test_signed__expired_deadline_reverts_and_exact_deadline_passes(
    chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount], action: str
) -> None:
    alice = accounts[1]
    deadline = chain.timestamp() + 100
    signed = registry.sign(alice, action, alice.address, deadline, **_fields(action, accounts))
    snapshot = chain.snapshot()
    chain.set_next_block_timestamp(deadline + 1)
    with pytest.raises(ContractRevert) as exc:
        registry.relay(accounts[9], signed)
    assert _revert(exc, "EIDRegistryExpiredSignature") == {"deadline": deadline}
    chain.revert_to(snapshot)
    chain.set_next_block_timestamp(deadline)
    registry.relay(accounts[9], signed)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("where", ["other-chain", "other-contract"])
def test_signed__signature_for_another_domain_is_rejected(
    chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount], action: str, where: str
) -> None:
    alice = accounts[1]
    domain = other_chain(registry.domain) if where == "other-chain" else other_contract(registry.domain)
    signed = registry.sign(
        alice, action, alice.address, chain.timestamp() + 600, domain=domain, **_fields(action, accounts)
    )
    with pytest.raises(ContractRevert) as exc:
        registry.relay(accounts[9], signed)
    _revert(exc, "EIDRegistryInvalidSignature")


@pytest.mark.parametrize("action", ACTIONS)
def test_signed__malleable_s_is_rejected(
    chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount], action: str
) -> None:
    alice = accounts[1]
    signed = registry.sign(alice, action, alice.address, chain.timestamp() + 600, **_fields(action, accounts))
    twin = SignedChange(signed.action, signed.message, malleate(signed.signature))
    with pytest.raises(ContractRevert) as exc:
        registry.relay(accounts[9], twin)
    _revert(exc, "EIDRegistryInvalidSignature")
    registry.relay(accounts[9], signed)  # the canonical form still works


def test_signed__another_actions_signature_is_rejected(
    chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount]
) -> None:
    alice = accounts[1]
    signed = registry.sign(
        alice,
        "RevokeDelegate",
        alice.address,
        chain.timestamp() + 600,
        delegate_type="sigAuth",
        delegate=accounts[6].address,
    )
    # the same fields relayed as an AddDelegate with validity 0 must not verify
    as_add = SignedChange("AddDelegate", {**signed.message, "validity": 0}, signed.signature)
    with pytest.raises(ContractRevert) as exc:
        registry.relay(accounts[9], as_add)
    _revert(exc, "EIDRegistryInvalidSignature")


def test_signed_change__round_trips_through_json(
    chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount]
) -> None:
    alice = accounts[1]
    signed = registry.sign(
        alice, "SetAttribute", alice.address, chain.timestamp() + 600, **_fields("SetAttribute", accounts)
    )
    assert SignedChange.from_json(signed.to_json()) == signed
    registry.relay(accounts[9], SignedChange.from_json(signed.to_json()))
