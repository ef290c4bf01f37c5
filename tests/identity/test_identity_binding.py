"""IdentityBinding: registrars admitted by governance bind commitments one-to-one to DIDs;
unbind and rebind with reason codes; lookups; and no document number ever reaches the chain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain import Chain
from thekey.errors import BadInput, ContractRevert
from thekey.identity.commitment import commit, commitment, normalise_document, parse_pepper, person_commitment
from thekey.identity.registry import (
    REGISTRAR_ROLE,
    ZERO_ADDRESS,
    EIDRegistry,
    IdentityBinding,
    SignedRebind,
    parse_reason,
)

PEPPER = bytes.fromhex("5e" * 32)
VECTORS = json.loads(Path(__file__).with_name("commitment_vectors.json").read_text())["vectors"]


def _c(binding: IdentityBinding, chain: Chain, number: str, doc_type: str = "ID_CARD", country: str = "CN") -> bytes:
    return commit(PEPPER, chain.chain_id, binding.address, doc_type, country, number)


def _p(binding: IdentityBinding, chain: Chain, national_id: str, country: str = "CN") -> bytes:
    return person_commitment(PEPPER, chain.chain_id, binding.address, country, national_id)


# ------------------------------------------------------------------ commitments (off chain)


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: f"{v['canonical'].split('|')[0]}-{v['chainId']}")
def test_commitment__matches_the_golden_vectors(vector: dict[str, str]) -> None:
    doc = normalise_document(vector["docType"], vector["country"], vector["number"])
    assert doc.canonical() == vector["canonical"]
    got = commitment(parse_pepper(vector["pepper"]), int(vector["chainId"]), vector["registry"], doc)
    assert "0x" + got.hex() == vector["commitment"]


def test_commitment__is_domain_separated_and_keyed() -> None:
    reg = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    base = commit(PEPPER, 31337, reg, "passport", "SG", "E1234567N")
    assert commit(PEPPER, 1, reg, "passport", "SG", "E1234567N") != base
    assert commit(PEPPER, 31337, "0x" + "11" * 20, "passport", "SG", "E1234567N") != base
    assert commit(bytes(32), 31337, reg, "passport", "SG", "E1234567N") != base
    assert commit(PEPPER, 31337, reg, "id card", "SG", "E1234567N") != base
    assert commit(PEPPER, 31337, reg, "PASSPORT", "sg", "e-1234 567 n") == base


@pytest.mark.parametrize(
    ("doc_type", "country", "number"),
    [
        ("library card", "CN", "123"),
        ("ID_CARD", "CHN", "123"),
        ("ID_CARD", "CN", "12#3"),
        ("ID_CARD", "CN", " - "),
    ],
)
def test_normalise__rejects_bad_input(doc_type: str, country: str, number: str) -> None:
    with pytest.raises(BadInput):
        normalise_document(doc_type, country, number)


def test_pepper__must_be_at_least_32_bytes() -> None:
    with pytest.raises(BadInput):
        parse_pepper("0x" + "ab" * 31)
    with pytest.raises(BadInput):
        parse_pepper("not hex")


def test_document__repr_hides_the_number() -> None:
    assert "1234" not in repr(normalise_document("ID_CARD", "CN", "1234"))


def test_parse_reason__names_and_numbers() -> None:
    assert parse_reason("key-lost") == 1 and parse_reason("42") == 42
    for bad in ("0", "70000", "whatever"):
        with pytest.raises(BadInput):
            parse_reason(bad)


# ------------------------------------------------------------------ registrars


def test_registrar__admitted_by_governance_only(
    binding: IdentityBinding, deployer: LocalAccount, stranger: LocalAccount, accounts: list[LocalAccount]
) -> None:
    with pytest.raises(ContractRevert) as exc:
        binding.admit_registrar(stranger, stranger.address)
    assert exc.value.name == "AccessControlUnauthorizedAccount"
    binding.admit_registrar(deployer, accounts[11].address)
    assert binding.is_registrar(accounts[11].address)
    with pytest.raises(ContractRevert) as exc:
        binding.remove_registrar(stranger, accounts[11].address)
    assert exc.value.name == "AccessControlUnauthorizedAccount"


def test_binding__stranger_cannot_bind_and_unbind_needs_a_party(
    chain: Chain,
    binding: IdentityBinding,
    registrar: LocalAccount,
    stranger: LocalAccount,
    accounts: list[LocalAccount],
) -> None:
    c = _c(binding, chain, "110101199003071234")
    binding.bind(registrar, c, _p(binding, chain, "1"), accounts[1].address)
    with pytest.raises(ContractRevert) as exc:
        binding.bind(stranger, _c(binding, chain, "999"), _p(binding, chain, "9"), accounts[5].address)
    assert exc.value.name == "AccessControlUnauthorizedAccount"
    assert exc.value.arguments == {"account": stranger.address, "neededRole": REGISTRAR_ROLE}
    with pytest.raises(ContractRevert) as exc:
        binding.unbind(stranger, c, 1)
    assert exc.value.name == "IdentityBindingNotAllowed"
    assert exc.value.arguments == {"commitment": c, "caller": stranger.address}
    with pytest.raises(ContractRevert) as exc:
        binding.rebind(stranger, accounts[1].address, accounts[2].address, 1)
    assert exc.value.name == "AccessControlUnauthorizedAccount"


def test_binding__removed_registrar_can_no_longer_bind(
    chain: Chain,
    binding: IdentityBinding,
    registrar: LocalAccount,
    deployer: LocalAccount,
    accounts: list[LocalAccount],
) -> None:
    c = _c(binding, chain, "1")
    binding.bind(registrar, c, _p(binding, chain, "1"), accounts[1].address)
    binding.remove_registrar(deployer, registrar.address)
    with pytest.raises(ContractRevert) as exc:
        binding.bind(registrar, _c(binding, chain, "2"), _p(binding, chain, "1"), accounts[1].address)
    assert exc.value.name == "AccessControlUnauthorizedAccount"
    with pytest.raises(ContractRevert) as exc:  # nor withdraw its old attestation
        binding.unbind(registrar, c, 3)
    assert exc.value.name == "IdentityBindingNotAllowed"


# ------------------------------------------------------------------ binding rules


def test_bind__records_and_looks_up(
    chain: Chain, binding: IdentityBinding, registrar: LocalAccount, accounts: list[LocalAccount]
) -> None:
    alice = accounts[1].address
    person = _p(binding, chain, "110101199003071234")
    card, passport = (
        _c(binding, chain, "110101199003071234"),
        _c(binding, chain, "E1234567N", "PASSPORT", "CN"),
    )
    assert not binding.is_bound(alice) and binding.person_of(alice) is None
    receipt = binding.bind(registrar, card, person, alice)
    assert binding.events(receipt, "IdentityBound") == [
        {"commitment": card, "identity": alice, "registrar": registrar.address, "person": person}
    ]
    binding.bind(registrar, passport, person, alice)
    assert binding.is_bound(alice)
    assert set(binding.commitments_of(alice)) == {card, passport}
    assert binding.identity_of(card) == alice and binding.registrar_of(passport) == registrar.address
    assert binding.person_of(alice) == person and binding.identity_of_person(person) == alice
    b = binding.binding_of(card)
    assert b.bound and b.bound_at == chain.timestamp(receipt.block_number)
    assert binding.registry() != ZERO_ADDRESS


def test_bind__duplicate_commitment_is_rejected(
    chain: Chain, binding: IdentityBinding, registrar: LocalAccount, accounts: list[LocalAccount]
) -> None:
    c, p = _c(binding, chain, "110101199003071234"), _p(binding, chain, "110101199003071234")
    binding.bind(registrar, c, p, accounts[1].address)
    for target in (accounts[2].address, accounts[1].address):
        with pytest.raises(ContractRevert) as exc:
            binding.bind(registrar, c, p, target)
        assert exc.value.name == "IdentityBindingCommitmentTaken"
        assert exc.value.arguments == {"commitment": c, "identity": accounts[1].address}


def test_bind__one_did_per_person_and_one_person_per_did(
    chain: Chain, binding: IdentityBinding, registrar: LocalAccount, accounts: list[LocalAccount]
) -> None:
    """Per person, not only per document: the same person's passport cannot open a second DID,
    and a DID cannot take a second person's documents."""
    alice, bob = accounts[1].address, accounts[2].address
    person = _p(binding, chain, "110101199003071234")
    binding.bind(registrar, _c(binding, chain, "110101199003071234"), person, alice)
    passport = _c(binding, chain, "E1234567N", "PASSPORT", "CN")
    with pytest.raises(ContractRevert) as exc:
        binding.bind(registrar, passport, person, bob)
    assert exc.value.name == "IdentityBindingPersonTaken"
    assert exc.value.arguments == {"person": person, "identity": alice}
    other = _p(binding, chain, "220202200001011111")
    with pytest.raises(ContractRevert) as exc:
        binding.bind(registrar, passport, other, alice)
    assert exc.value.name == "IdentityBindingIdentityTaken"
    assert exc.value.arguments == {"identity": alice, "person": person}


def test_bind__zero_commitment_and_inactive_identity_are_rejected(
    chain: Chain,
    binding: IdentityBinding,
    registry: EIDRegistry,
    registrar: LocalAccount,
    accounts: list[LocalAccount],
) -> None:
    p = _p(binding, chain, "7")
    for c, person in ((bytes(32), p), (_c(binding, chain, "7"), bytes(32))):
        with pytest.raises(ContractRevert) as exc:
            binding.bind(registrar, c, person, accounts[1].address)
        assert exc.value.name == "IdentityBindingZeroCommitment"
    registry.deactivate(accounts[3], accounts[3].address)
    for identity in (accounts[3].address, ZERO_ADDRESS):
        with pytest.raises(ContractRevert) as exc:
            binding.bind(registrar, _c(binding, chain, "7"), p, identity)
        assert exc.value.name == "IdentityBindingInactiveIdentity"


def test_unbind__frees_the_commitment_and_the_person_with_the_last_document(
    chain: Chain, binding: IdentityBinding, registrar: LocalAccount, accounts: list[LocalAccount]
) -> None:
    alice = accounts[1].address
    person = _p(binding, chain, "1")
    a, b, c = (_c(binding, chain, n) for n in ("1", "2", "3"))
    for x in (a, b, c):
        binding.bind(registrar, x, person, alice)
    receipt = binding.unbind(registrar, a, parse_reason("document-replaced"))
    assert binding.events(receipt, "IdentityUnbound") == [
        {"commitment": a, "identity": alice, "by": registrar.address, "reason": 2}
    ]
    assert set(binding.commitments_of(alice)) == {b, c} and binding.identity_of(a) == ZERO_ADDRESS
    binding.unbind(registrar, c, 4)
    assert binding.person_of(alice) == person
    binding.unbind(accounts[1], b, 4)  # the holder itself
    assert not binding.is_bound(alice) and binding.commitments_of(alice) == []
    assert binding.person_of(alice) is None and binding.identity_of_person(person) is None
    binding.bind(registrar, a, person, accounts[2].address)  # free again
    with pytest.raises(ContractRevert) as exc:
        binding.unbind(registrar, b, 4)
    assert exc.value.name == "IdentityBindingNotBound"
    with pytest.raises(ContractRevert) as exc:
        binding.unbind(registrar, a, 0)
    assert exc.value.name == "IdentityBindingMissingReason"


def test_unbind__another_registrar_needs_governance_or_the_holder(
    chain: Chain,
    binding: IdentityBinding,
    registrar: LocalAccount,
    deployer: LocalAccount,
    accounts: list[LocalAccount],
) -> None:
    """Scenario 4: a rogue registrar cannot touch a binding another registrar made."""
    rogue = accounts[11]
    binding.admit_registrar(deployer, rogue.address)
    c = _c(binding, chain, "1")
    binding.bind(registrar, c, _p(binding, chain, "1"), accounts[1].address)
    with pytest.raises(ContractRevert) as exc:
        binding.unbind(rogue, c, 5)
    assert exc.value.name == "IdentityBindingNotAllowed"
    assert exc.value.arguments == {"commitment": c, "caller": rogue.address}
    with pytest.raises(ContractRevert) as exc:
        binding.rebind(rogue, accounts[1].address, rogue.address, 1)
    assert exc.value.name == "AccessControlUnauthorizedAccount"
    receipt = binding.unbind(deployer, c, 5)  # governance may
    assert binding.events(receipt, "IdentityUnbound")[0]["by"] == deployer.address


def test_rebind__governance_moves_the_person_and_all_documents(
    chain: Chain,
    binding: IdentityBinding,
    registry: EIDRegistry,
    registrar: LocalAccount,
    deployer: LocalAccount,
    accounts: list[LocalAccount],
) -> None:
    old, new = accounts[1].address, accounts[2].address
    person = _p(binding, chain, "1")
    card, passport = _c(binding, chain, "1"), _c(binding, chain, "2", "PASSPORT")
    binding.bind(registrar, card, person, old)
    binding.bind(registrar, passport, person, old)
    receipt = binding.rebind(deployer, old, new, parse_reason("key-lost"))
    assert binding.events(receipt, "IdentityRebound") == [
        {"person": person, "previousIdentity": old, "identity": new, "by": deployer.address, "reason": 1}
    ]
    assert binding.commitments_of(new) == [card, passport] and binding.commitments_of(old) == []
    assert binding.identity_of(card) == new and binding.registrar_of(card) == registrar.address
    assert binding.person_of(new) == person and binding.identity_of_person(person) == new
    assert binding.person_of(old) is None
    for src, dst, reason, error in (
        (old, accounts[3].address, 1, "IdentityBindingNoPerson"),
        (new, new, 1, "IdentityBindingIdentityTaken"),
        (new, old, 0, "IdentityBindingMissingReason"),
    ):
        with pytest.raises(ContractRevert) as exc:
            binding.rebind(deployer, src, dst, reason)
        assert exc.value.name == error
    registry.deactivate(accounts[4], accounts[4].address)
    with pytest.raises(ContractRevert) as exc:
        binding.rebind(deployer, new, accounts[4].address, 1)
    assert exc.value.name == "IdentityBindingInactiveIdentity"


def test_rebind_by_sig__needs_both_the_old_and_the_new_key(
    chain: Chain,
    binding: IdentityBinding,
    registrar: LocalAccount,
    accounts: list[LocalAccount],
) -> None:
    holder, new_key, rogue = accounts[1], accounts[2], accounts[11]
    person = _p(binding, chain, "1")
    binding.bind(registrar, _c(binding, chain, "1"), person, holder.address)
    deadline = chain.timestamp() + 600
    # a rogue's own signature for someone else's DID
    forged = binding.sign_rebind(rogue, holder.address, rogue.address, 1, deadline)
    with pytest.raises(ContractRevert) as exc:
        binding.rebind_by_sig(rogue, forged)
    assert exc.value.name == "IdentityBindingUnauthorized"
    assert exc.value.arguments == {"identity": holder.address, "account": rogue.address}
    signed = binding.sign_rebind(holder, holder.address, new_key.address, 1, deadline)
    with pytest.raises(ContractRevert) as exc:  # the holder's word, submitted by someone not the new DID
        binding.rebind_by_sig(rogue, signed)
    assert exc.value.name == "IdentityBindingUnauthorized"
    assert exc.value.arguments == {"identity": new_key.address, "account": rogue.address}
    tampered = SignedRebind.from_document({**signed.document(), "to": rogue.address})
    with pytest.raises(ContractRevert) as exc:
        binding.rebind_by_sig(rogue, tampered)
    assert exc.value.name == "IdentityBindingInvalidSignature"
    binding.rebind_by_sig(new_key, SignedRebind.from_document(signed.document()))
    assert binding.identity_of_person(person) == new_key.address
    with pytest.raises(ContractRevert) as exc:  # used once
        binding.rebind_by_sig(new_key, signed)
    assert exc.value.name == "InvalidAccountNonce"
    chain.increase_time(700)
    late = binding.sign_rebind(new_key, new_key.address, holder.address, 1, deadline)
    with pytest.raises(ContractRevert) as exc:
        binding.rebind_by_sig(holder, late)
    assert exc.value.name == "IdentityBindingExpiredSignature"
    with pytest.raises(BadInput):
        SignedRebind.from_document({"type": "TheKeySignedRoute"})


# ------------------------------------------------------------------ privacy


def test_privacy__no_document_number_in_any_calldata_or_log(
    chain: Chain,
    binding: IdentityBinding,
    registry: EIDRegistry,
    registrar: LocalAccount,
    deployer: LocalAccount,
    accounts: list[LocalAccount],
) -> None:
    raw_numbers = ["110101-1990-0307-123X", "E 123 4567 N", "340524198001010019"]
    start = chain.block_number() + 1
    commits = []
    for i, number in enumerate(raw_numbers):
        c = commit(PEPPER, chain.chain_id, binding.address, "ID_CARD" if i != 1 else "PASSPORT", "CN", number)
        commits.append(c)
        binding.bind(registrar, c, person_commitment(PEPPER, chain.chain_id, binding.address, "CN", raw_numbers[0]),
                     accounts[1].address)  # fmt: skip
    binding.unbind(registrar, commits[1], 4)
    binding.rebind(deployer, accounts[1].address, accounts[2].address, 1)
    registry.set_attribute(accounts[1], accounts[1].address, "did/svc/KYC", b"https://agent.example", 3600)
    needles: set[bytes] = set()
    for number in raw_numbers:
        normal = normalise_document("ID_CARD", "CN", number).number
        needles |= {number.encode(), normal.encode(), number.encode("utf-16-be"), normal.encode("utf-16-be")}
        digits = "".join(ch for ch in normal if ch.isdigit())
        if len(digits) >= 8:
            needles.add(digits.encode())
            needles.add(int(digits).to_bytes(32, "big").lstrip(b"\x00"))
    scanned = 0
    for n in range(start, chain.block_number() + 1):
        block = chain.rpc("eth_getBlockByNumber", [hex(n), True])
        for tx in block["transactions"]:
            receipt = chain.rpc("eth_getTransactionReceipt", [tx["hash"]])
            blobs = [bytes.fromhex(tx["input"][2:])]
            blobs += [
                bytes.fromhex(log["data"][2:]) + b"".join(bytes.fromhex(t[2:]) for t in log["topics"])
                for log in receipt["logs"]
            ]
            for blob in blobs:
                for needle in needles:
                    assert needle not in blob, f"document data in tx {tx['hash']}"
            scanned += 1
    assert scanned == 6
