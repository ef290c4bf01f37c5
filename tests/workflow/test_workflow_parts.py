"""Off-chain parts of the flow: industry rules, the identity-check simulation, the encrypted vault."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from thekey.errors import BadInput
from thekey.workflow.identity_check import (
    GovernmentRecordService,
    Signals,
    SimulatedIdentityCheck,
    capture,
    synthetic_template,
)
from thekey.workflow.policy import Policy
from thekey.workflow.vault import Vault, VaultError

TKY = 10**18
RULES = """
version: 1
name: test rules
rules:
  - provider_category: insurer
    scopes: [health.record]
    purposes: [insurance-underwriting]
    min_price: "10"
"""


# -- policy ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "scope", "purpose", "price", "reason"),
    [
        ("insurer", "health.record", "insurance-underwriting", 10 * TKY, "allowed"),
        ("bank", "health.record", "insurance-underwriting", 10 * TKY, "category-not-allowed"),
        ("insurer", "finance.credit", "insurance-underwriting", 10 * TKY, "scope-not-allowed"),
        ("insurer", "health.record", "credit-assessment", 10 * TKY, "purpose-not-allowed"),
        ("insurer", "health.record", "insurance-underwriting", 10 * TKY - 1, "price-below-floor"),
    ],
)
def test_policy__names_the_first_unmet_condition(
    category: str, scope: str, purpose: str, price: int, reason: str
) -> None:
    decision = Policy.parse(RULES).check(category, scope, purpose, price)
    assert decision.allowed == (reason == "allowed")
    assert decision.reason.startswith(reason)


def test_policy__version_changes_with_the_rules_not_with_formatting() -> None:
    a = Policy.parse(RULES)
    b = Policy.parse(RULES.replace("[health.record]", "[ health.record ]") + "\n# comment\n")
    c = Policy.parse(RULES.replace('"10"', '"11"'))
    assert a.version == b.version != c.version


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: [unclosed", "not valid YAML"),
        ("just text", "expected a mapping"),
        ("version: 2\nrules: []", "version: 1"),
        ("version: 1\nrules: []", "no rules"),
        ("version: 1\nrules: [{provider_category: x, scopes: [], purposes: [p]}]", "scopes must be"),
        ("version: 1\nrules: [{provider_category: x, scopes: [s], purposes: [p], min_price: lots}]", "min_price"),
        ("version: 1\nrules: [{provider_category: x, scopes: [s], purposes: [p], colour: red}]", "unknown field"),
    ],
)
def test_policy__bad_rules_file_gets_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        Policy.parse(text)


def test_policy__default_rules_allow_the_reference_flow() -> None:
    assert Policy.default().check("insurer", "health.record", "insurance-underwriting", 20 * TKY).allowed


# -- identity check --------------------------------------------------------------------------


@pytest.fixture
def check() -> SimulatedIdentityCheck:
    records = GovernmentRecordService(b"p" * 32)
    records.enroll("did:ethr:0x7a69:0xUser", "fingerprint", synthetic_template("user"))
    c = SimulatedIdentityCheck(records)
    c.behaviour.remember("did:ethr:0x7a69:0xUser", "phone-1")
    return c


def test_identity_check__genuine_sample_abroad_passes(check: SimulatedIdentityCheck) -> None:
    sample = capture(synthetic_template("user"), "fingerprint")
    result = check.check("did:ethr:0x7a69:0xUser", sample, Signals("phone-1", "SG", "CN", 10))
    assert result.passed and result.match_score > 0.99 and result.scene_score == 0.6


def test_identity_check__impostor_fails_even_with_perfect_context(check: SimulatedIdentityCheck) -> None:
    sample = capture(synthetic_template("mallory"), "fingerprint")
    result = check.check("did:ethr:0x7a69:0xUser", sample, Signals("phone-1", "CN", "CN", 10))
    assert not result.passed and result.reason.startswith("biometric mismatch")


def test_identity_check__unknown_device_at_night_lowers_confidence(check: SimulatedIdentityCheck) -> None:
    sample = capture(synthetic_template("user"), "fingerprint")
    usual = check.check("did:ethr:0x7a69:0xUser", sample, Signals("phone-1", "SG", "CN", 10))
    odd = check.check("did:ethr:0x7a69:0xUser", sample, Signals("burner", "SG", "CN", 3))
    assert odd.confidence < usual.confidence and not odd.passed


def test_identity_check__is_deterministic_and_exposes_only_hashes(check: SimulatedIdentityCheck) -> None:
    sample = capture(synthetic_template("user"), "fingerprint")
    a = check.check("did:ethr:0x7a69:0xUser", sample, Signals("phone-1", "SG", "CN", 10))
    b = check.check("did:ethr:0x7a69:0xUser", sample, Signals("phone-1", "SG", "CN", 10))
    assert a == b
    assert all(v.startswith("0x") and len(v) == 66 for v in a.inputs.values())


def test_identity_check__unenrolled_subject_fails(check: SimulatedIdentityCheck) -> None:
    result = check.check("did:other", capture(synthetic_template("x"), "face"), Signals("d", "SG", "SG", 10))
    assert not result.passed and "no enrolled record" in result.reason


# -- vault -----------------------------------------------------------------------------------


def test_vault__reader_opens_a_sealed_record_others_cannot() -> None:
    vault, reader, other = Vault(), X25519PrivateKey.generate(), X25519PrivateKey.generate()
    record = vault.seal(b'{"blood": "A+"}', [reader.public_key()])
    assert vault.open(record.record_id, reader) == b'{"blood": "A+"}'
    with pytest.raises(VaultError, match="not shared"):
        vault.open(record.record_id, other)


def test_vault__share_lets_a_new_reader_open_without_reencryption() -> None:
    vault, owner, grantee = Vault(), X25519PrivateKey.generate(), X25519PrivateKey.generate()
    record = vault.seal(b"record", [owner.public_key()])
    vault.share(record.record_id, owner, grantee.public_key())
    assert vault.open(record.record_id, grantee) == b"record"


def test_vault__tampered_ciphertext_is_detected() -> None:
    vault, reader = Vault(), X25519PrivateKey.generate()
    record = vault.seal(b"record", [reader.public_key()])
    flipped = bytes([record.ciphertext[0] ^ 1]) + record.ciphertext[1:]
    vault.db.execute("UPDATE records SET ciphertext = ? WHERE id = ?", (flipped, record.record_id))
    with pytest.raises(VaultError, match="tampered"):
        vault.open(record.record_id, reader)
