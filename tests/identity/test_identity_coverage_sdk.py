"""The identity SDK's documents and guards: every signed change round-trips through its JSON
document and relays to the same on-chain effect; malformed documents, unknown actions, missing
fields, a deactivated identity and bad reason codes are a typed BadInput before any transaction;
the direct owner paths (change owner, revoke attribute) and registrar governance work."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain import Chain
from thekey.errors import BadInput, ContractRevert
from thekey.identity.registry import (
    REASONS,
    ZERO_ADDRESS,
    EIDRegistry,
    IdentityBinding,
    SignedChange,
    change_document,
    name_bytes32,
    parse_reason,
)

FIELDS: dict[str, dict[str, Any]] = {
    "ChangeOwner": {"new_owner": "0x" + "22" * 20},
    "AddDelegate": {"delegate_type": "veriKey", "delegate": "0x" + "33" * 20, "validity": 3600},
    "RevokeDelegate": {"delegate_type": "veriKey", "delegate": "0x" + "33" * 20},
    "SetAttribute": {"name": "did/svc/HubService", "value": b"https://hub.example", "validity": 60},
    "RevokeAttribute": {"name": "did/svc/HubService", "value": b"https://hub.example"},
    "Deactivate": {},
}


@pytest.mark.parametrize("action", sorted(FIELDS))
def test_signed_change__json_round_trip_for_every_action(
    registry: EIDRegistry, chain: Chain, accounts: list[LocalAccount], action: str
) -> None:
    owner = accounts[12]
    deadline = chain.timestamp() + 600
    change = registry.sign(owner, action, owner.address, deadline, **FIELDS[action])
    document = json.loads(json.dumps(change.to_json()))
    assert SignedChange.from_json(document) == change
    assert change.deadline == deadline and document["action"] == action


def test_signed_change__relayed_from_its_json_document_changes_the_owner(
    registry: EIDRegistry, chain: Chain, accounts: list[LocalAccount]
) -> None:
    owner, new_owner, relayer = accounts[12], accounts[13], accounts[14]
    change = registry.sign(owner, "ChangeOwner", owner.address, chain.timestamp() + 600, new_owner=new_owner.address)
    registry.relay(relayer, SignedChange.from_json(json.loads(json.dumps(change.to_json()))))
    assert registry.identity_owner(owner.address) == new_owner.address


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(action="Teleport"), "unknown signed action 'Teleport'"),
        (lambda d: d.pop("signature"), "not a signed identity change"),
        (lambda d: d["message"].pop("newOwner"), "not a signed identity change"),
        (lambda d: d["message"].update(newOwner="0x12"), "not a signed identity change"),
        (lambda d: d["message"].update(nonce="many"), "not a signed identity change"),
        (lambda d: d.update(signature="0xzz"), "not a signed identity change"),
        (lambda d: d.update(message=None), "not a signed identity change"),
    ],
)
def test_signed_change__malformed_document_is_bad_input(mutate: Any, message: str) -> None:
    d = {
        "action": "ChangeOwner",
        "message": {"identity": "0x" + "11" * 20, "newOwner": "0x" + "22" * 20, "nonce": 0, "deadline": 1},
        "signature": "0x" + "ab" * 65,
    }
    assert SignedChange.from_json(json.loads(json.dumps(d))).action == "ChangeOwner"
    mutate(d)
    with pytest.raises(BadInput, match=message):
        SignedChange.from_json(d)


def test_change_document__unknown_action_is_bad_input(registry: EIDRegistry) -> None:
    with pytest.raises(BadInput, match="unknown signed action"):
        change_document(registry.domain, "Teleport", {})


def test_sign__unknown_action_and_missing_field_are_bad_input(
    registry: EIDRegistry, accounts: list[LocalAccount]
) -> None:
    owner = accounts[12]
    with pytest.raises(BadInput, match="unknown signed action 'Teleport'"):
        registry.sign(owner, "Teleport", owner.address, 10**10)
    with pytest.raises(BadInput, match="AddDelegate needs delegate"):
        registry.sign(owner, "AddDelegate", owner.address, 10**10, delegate_type="veriKey", validity=1)


def test_message__a_deactivated_identity_cannot_be_signed_for(
    registry: EIDRegistry, accounts: list[LocalAccount]
) -> None:
    owner = accounts[12]
    registry.deactivate(owner, owner.address)
    assert registry.is_deactivated(owner.address)
    with pytest.raises(BadInput, match="is deactivated: it can no longer change"):
        registry.message("SetAttribute", owner.address, 10**10, name="x", value=b"y", validity=1)


def test_direct_paths__change_owner_and_revoke_attribute(
    registry: EIDRegistry, chain: Chain, accounts: list[LocalAccount]
) -> None:
    owner, new_owner = accounts[12], accounts[13]
    registry.set_attribute(owner, owner.address, "did/svc/HubService", b"https://hub.example", 3600)
    receipt = registry.revoke_attribute(owner, owner.address, "did/svc/HubService", b"https://hub.example")
    assert registry.changed(owner.address) == receipt.block_number
    registry.change_owner(owner, owner.address, new_owner.address)
    assert registry.identity_owner(owner.address) == new_owner.address
    with pytest.raises(ContractRevert):
        registry.change_owner(owner, owner.address, owner.address)  # no longer the owner


def test_name_bytes32__pads_and_refuses_long_names() -> None:
    assert name_bytes32("veriKey") == b"veriKey" + b"\x00" * 25
    assert name_bytes32(b"x" * 32) == b"x" * 32
    with pytest.raises(BadInput, match="at most 32 bytes"):
        name_bytes32("x" * 33)


@pytest.mark.parametrize(("text", "code"), [("key-lost", 1), (" Fraud ", 5), ("42", 42), ("65535", 65535)])
def test_parse_reason__names_and_numbers(text: str, code: int) -> None:
    assert parse_reason(text) == code


@pytest.mark.parametrize("text", ["0", "65536", "-1", "lost", ""])
def test_parse_reason__anything_else_is_bad_input(text: str) -> None:
    with pytest.raises(BadInput, match="bad reason"):
        parse_reason(text)
    assert set(REASONS) <= {"key-lost", "document-replaced", "registrar-error", "holder-request", "fraud", "deceased"}


def test_registrar_governance__admit_then_remove(
    binding: IdentityBinding, deployer: LocalAccount, accounts: list[LocalAccount]
) -> None:
    candidate = accounts[15].address
    binding.admit_registrar(deployer, candidate)
    assert binding.is_registrar(candidate)
    binding.remove_registrar(deployer, candidate)
    assert not binding.is_registrar(candidate)


def test_binding__an_unknown_commitment_is_unbound(binding: IdentityBinding) -> None:
    b = binding.binding_of(b"\x42" * 32)
    assert not b.bound and b.identity == ZERO_ADDRESS
