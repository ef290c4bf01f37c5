"""IdentityBinding: registrars admitted by governance bind commitments one-to-one to DIDs;
unbind and rebind with reason codes; lookups; and no document number ever reaches the chain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain import Chain
from thekey.errors import BadInput, ContractRevert
from thekey.identity.commitment import commit, commitment, normalise_document, parse_pepper
from thekey.identity.registry import REGISTRAR_ROLE, ZERO_ADDRESS, EIDRegistry, IdentityBinding, parse_reason

PEPPER = bytes.fromhex("5e" * 32)
VECTORS = json.loads(Path(__file__).with_name("commitment_vectors.json").read_text())["vectors"]


def _c(binding: IdentityBinding, chain: Chain, number: str, doc_type: str = "ID_CARD", country: str = "CN") -> bytes:
    return commit(PEPPER, chain.chain_id, binding.address, doc_type, country, number)


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


@pytest.mark.parametrize("call", ["bind", "unbind", "rebind"])
def test_binding__unauthorised_registrar_is_rejected(
    chain: Chain,
    binding: IdentityBinding,
    registrar: LocalAccount,
    stranger: LocalAccount,
    accounts: list[LocalAccount],
    call: str,
) -> None:
    c = _c(binding, chain, "110101199003071234")
    binding.bind(registrar, c, accounts[1].address)
    with pytest.raises(ContractRevert) as exc:
        if call == "bind":
            binding.bind(stranger, _c(binding, chain, "999"), accounts[1].address)
        elif call == "unbind":
            binding.unbind(stranger, c, 1)
        else:
            binding.rebind(stranger, c, accounts[2].address, 1)
    assert exc.value.name == "AccessControlUnauthorizedAccount"
    assert exc.value.arguments == {"account": stranger.address, "neededRole": REGISTRAR_ROLE}


def test_binding__removed_registrar_can_no_longer_bind(
    chain: Chain,
    binding: IdentityBinding,
    registrar: LocalAccount,
    deployer: LocalAccount,
    accounts: list[LocalAccount],
) -> None:
    binding.bind(registrar, _c(binding, chain, "1"), accounts[1].address)
    binding.remove_registrar(deployer, registrar.address)
    with pytest.raises(ContractRevert) as exc:
        binding.bind(registrar, _c(binding, chain, "2"), accounts[1].address)
    assert exc.value.name == "AccessControlUnauthorizedAccount"


# ------------------------------------------------------------------ binding rules


def test_bind__records_and_looks_up(
    chain: Chain, binding: IdentityBinding, registrar: LocalAccount, accounts: list[LocalAccount]
) -> None:
    alice = accounts[1].address
    card, passport = (
        _c(binding, chain, "110101199003071234"),
        _c(binding, chain, "E1234567N", "PASSPORT", "CN"),
    )
    assert not binding.is_bound(alice)
    receipt = binding.bind(registrar, card, alice)
    assert binding.events(receipt, "IdentityBound") == [
        {"commitment": card, "identity": alice, "registrar": registrar.address}
    ]
    binding.bind(registrar, passport, alice)
    assert binding.is_bound(alice)
    assert set(binding.commitments_of(alice)) == {card, passport}
    assert binding.identity_of(card) == alice and binding.registrar_of(passport) == registrar.address
    b = binding.binding_of(card)
    assert b.bound and b.bound_at == chain.timestamp(receipt.block_number)
    assert binding.registry() != ZERO_ADDRESS


def test_bind__duplicate_commitment_is_rejected(
    chain: Chain, binding: IdentityBinding, registrar: LocalAccount, accounts: list[LocalAccount]
) -> None:
    c = _c(binding, chain, "110101199003071234")
    binding.bind(registrar, c, accounts[1].address)
    for target in (accounts[2].address, accounts[1].address):
        with pytest.raises(ContractRevert) as exc:
            binding.bind(registrar, c, target)
        assert exc.value.name == "IdentityBindingCommitmentTaken"
        assert exc.value.arguments == {"commitment": c, "identity": accounts[1].address}


def test_bind__zero_commitment_and_inactive_identity_are_rejected(
    chain: Chain,
    binding: IdentityBinding,
    registry: EIDRegistry,
    registrar: LocalAccount,
    accounts: list[LocalAccount],
) -> None:
    with pytest.raises(ContractRevert) as exc:
        binding.bind(registrar, bytes(32), accounts[1].address)
    assert exc.value.name == "IdentityBindingZeroCommitment"
    registry.deactivate(accounts[3], accounts[3].address)
    for identity in (accounts[3].address, ZERO_ADDRESS):
        with pytest.raises(ContractRevert) as exc:
            binding.bind(registrar, _c(binding, chain, "7"), identity)
        assert exc.value.name == "IdentityBindingInactiveIdentity"


def test_unbind__frees_the_commitment_with_a_reason(
    chain: Chain, binding: IdentityBinding, registrar: LocalAccount, accounts: list[LocalAccount]
) -> None:
    alice = accounts[1].address
    a, b, c = (_c(binding, chain, n) for n in ("1", "2", "3"))
    for x in (a, b, c):
        binding.bind(registrar, x, alice)
    receipt = binding.unbind(registrar, a, parse_reason("document-replaced"))
    assert binding.events(receipt, "IdentityUnbound") == [
        {"commitment": a, "identity": alice, "registrar": registrar.address, "reason": 2}
    ]
    assert set(binding.commitments_of(alice)) == {b, c} and binding.identity_of(a) == ZERO_ADDRESS
    binding.unbind(registrar, c, 4)
    binding.unbind(registrar, b, 4)
    assert not binding.is_bound(alice) and binding.commitments_of(alice) == []
    binding.bind(registrar, a, accounts[2].address)  # free again
    with pytest.raises(ContractRevert) as exc:
        binding.unbind(registrar, b, 4)
    assert exc.value.name == "IdentityBindingNotBound"
    with pytest.raises(ContractRevert) as exc:
        binding.unbind(registrar, a, 0)
    assert exc.value.name == "IdentityBindingMissingReason"


def test_rebind__moves_a_commitment_to_a_new_did(
    chain: Chain,
    binding: IdentityBinding,
    registry: EIDRegistry,
    registrar: LocalAccount,
    deployer: LocalAccount,
    accounts: list[LocalAccount],
) -> None:
    old, new = accounts[1].address, accounts[2].address
    card, passport = _c(binding, chain, "1"), _c(binding, chain, "2")
    binding.bind(registrar, card, old)
    binding.bind(registrar, passport, old)
    other = accounts[11]
    binding.admit_registrar(deployer, other.address)  # any registrar may rebind
    receipt = binding.rebind(other, card, new, parse_reason("key-lost"))
    assert binding.events(receipt, "IdentityRebound") == [
        {
            "commitment": card,
            "previousIdentity": old,
            "identity": new,
            "registrar": other.address,
            "reason": 1,
        }
    ]
    assert binding.identity_of(card) == new and binding.registrar_of(card) == other.address
    assert binding.commitments_of(old) == [passport] and binding.commitments_of(new) == [card]
    with pytest.raises(ContractRevert) as exc:
        binding.rebind(registrar, card, new, 1)
    assert exc.value.name == "IdentityBindingSameIdentity"
    with pytest.raises(ContractRevert) as exc:
        binding.rebind(registrar, _c(binding, chain, "3"), new, 1)
    assert exc.value.name == "IdentityBindingNotBound"
    with pytest.raises(ContractRevert) as exc:
        binding.rebind(registrar, card, old, 0)
    assert exc.value.name == "IdentityBindingMissingReason"
    registry.deactivate(accounts[4], accounts[4].address)
    with pytest.raises(ContractRevert) as exc:
        binding.rebind(registrar, card, accounts[4].address, 1)
    assert exc.value.name == "IdentityBindingInactiveIdentity"


# ------------------------------------------------------------------ privacy


def test_privacy__no_document_number_in_any_calldata_or_log(
    chain: Chain,
    binding: IdentityBinding,
    registry: EIDRegistry,
    registrar: LocalAccount,
    accounts: list[LocalAccount],
) -> None:
    raw_numbers = ["110101-1990-0307-123X", "E 123 4567 N", "340524198001010019"]
    start = chain.block_number() + 1
    commits = []
    for i, number in enumerate(raw_numbers):
        c = commit(PEPPER, chain.chain_id, binding.address, "ID_CARD" if i != 1 else "PASSPORT", "CN", number)
        commits.append(c)
        binding.bind(registrar, c, accounts[1].address)
    binding.rebind(registrar, commits[0], accounts[2].address, 1)
    binding.unbind(registrar, commits[1], 4)
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
