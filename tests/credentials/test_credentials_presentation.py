"""Holder-bound presentations: the holder signs the verifier's challenge and domain; a replayed,
re-targeted, stale or third-party presentation fails with its own reason; a sigAuth delegate may
present; after the DID changes owner the old key no longer can."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain.anvil import Anvil
from thekey.credentials import IssuedCredential
from thekey.credentials.presentation import (
    ChallengeTracker,
    PresentationResult,
    authentication_key_id,
    create_presentation,
    envelope,
    unenvelope,
    verify_presentation,
)
from thekey.deploy import Deployment
from thekey.errors import BadInput
from thekey.identity.did_document import DIDResolver
from thekey.identity.registry import EIDRegistry

from .conftest import Env

ROOT = Path(__file__).parents[2]
VERIFIER = "https://employer.example"
DAY = 86400


@pytest.fixture
def identities(deployment: Deployment) -> EIDRegistry:
    return EIDRegistry.from_deployment(deployment)


@pytest.fixture
def degree(anchored: Callable[..., IssuedCredential]) -> IssuedCredential:
    return anchored()


def _present(env: Env, vc: dict[str, Any], challenge: str, domain: str = VERIFIER, **kw: Any) -> dict[str, Any]:
    signer = kw.pop("signer", env.holder)
    return create_presentation([vc], signer, chain_id=env.chain.chain_id, challenge=challenge, domain=domain, **kw)


def _verify(env: Env, ids: EIDRegistry, vp: Any, challenge: str, **kw: Any) -> PresentationResult:
    kw.setdefault("domain", VERIFIER)
    return verify_presentation(env.registry, ids, vp, challenge=challenge, **kw)


def test_presentation__is_a_vc2_presentation_with_challenge_and_domain_inside_the_signed_proof(
    env: Env, degree: IssuedCredential
) -> None:
    vp = _present(env, degree.credential, "c-1")
    assert vp["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert vp["type"] == ["VerifiablePresentation"] and vp["holder"] == env.holder_did
    (entry,) = vp["verifiableCredential"]
    assert entry["type"] == "EnvelopedVerifiableCredential" and entry["id"].startswith("data:application/vc;base64,")
    assert unenvelope(entry) == degree.credential
    proof = vp["proof"]
    assert (proof["challenge"], proof["domain"], proof["proofPurpose"]) == ("c-1", VERIFIER, "authentication")
    assert proof["eip712"]["primaryType"] == "VerifiablePresentation"
    assert proof["eip712"]["domain"] == {"name": "VerifiablePresentation", "version": "1", "chainId": 31337}
    signed = {f["name"] for f in proof["eip712"]["types"]["Proof"]}
    assert {"challenge", "domain", "created", "expires", "verificationMethod"} <= signed


def test_presentation__the_holders_presentation_verifies_once_against_the_verifiers_own_challenge(
    env: Env, identities: EIDRegistry, degree: IssuedCredential
) -> None:
    tracker = ChallengeTracker()
    challenge = tracker.issue()
    vp = _present(env, degree.credential, challenge)
    result = _verify(env, identities, vp, challenge, challenges=tracker)
    assert result.valid, result.failures
    assert [c.name for c in result.checks] == [
        "signature", "holder", "challenge", "domain", "freshness", "credentials",
    ]  # fmt: skip
    assert result.signer == env.holder.address and result.holder == env.holder_did
    assert "current owner" in result.check("holder").reason  # type: ignore[union-attr]
    assert result.credentials[0].check("holder").ok  # type: ignore[union-attr]  # the subject is the holder
    assert result.as_json()["credentials"][0]["valid"] is True
    # the replay: the same presentation to the same verifier again
    replay = _verify(env, identities, vp, challenge, challenges=tracker)
    assert replay.failed == {"challenge"}
    assert "already answered: a replayed presentation" in replay.check("challenge").reason  # type: ignore[union-attr]


def test_presentation__two_verifications_racing_on_one_challenge_accept_exactly_one(
    env: Env, identities: EIDRegistry, degree: IssuedCredential
) -> None:
    tracker = ChallengeTracker()
    challenge = tracker.issue()
    vp = _present(env, degree.credential, challenge)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: _verify(env, identities, vp, challenge, challenges=tracker), range(4)))
    assert sorted(r.valid for r in results) == [False, False, False, True]
    assert all(r.failed == {"challenge"} for r in results if not r.valid)


def test_presentation__retargeted_to_another_verifier_fails_on_domain_and_challenge(
    env: Env, identities: EIDRegistry, degree: IssuedCredential
) -> None:
    first, second = ChallengeTracker(), ChallengeTracker()
    vp = _present(env, degree.credential, first.issue())
    theirs = second.issue()
    result = _verify(env, identities, vp, theirs, domain="https://other.example", challenges=second)
    assert result.failed == {"challenge", "domain"}
    assert "not 'https://other.example'" in result.check("domain").reason  # type: ignore[union-attr]
    assert "another challenge" in result.check("challenge").reason  # type: ignore[union-attr]
    assert second.state(theirs) == "live"  # a failed presentation does not use the challenge up


def test_presentation__a_challenge_this_verifier_never_issued_or_that_expired_fails(
    env: Env, identities: EIDRegistry, degree: IssuedCredential
) -> None:
    clock = [time.time()]
    tracker = ChallengeTracker(ttl=60, clock=lambda: clock[0])
    vp = _present(env, degree.credential, "made-up")
    unknown = _verify(env, identities, vp, "made-up", challenges=tracker)
    assert unknown.failed == {"challenge"} and "never issued" in unknown.check("challenge").reason  # type: ignore[union-attr]
    issued = tracker.issue()
    clock[0] += 61
    late = _verify(env, identities, _present(env, degree.credential, issued), issued, challenges=tracker)
    assert late.failed == {"challenge"} and "expired" in late.check("challenge").reason  # type: ignore[union-attr]


def test_presentation__by_a_third_party_fails_on_holder(
    env: Env, identities: EIDRegistry, degree: IssuedCredential
) -> None:
    """The stranger holds a copy of the credential and names the real holder: its key does not
    control the holder's DID."""
    tracker = ChallengeTracker()
    challenge = tracker.issue()
    vp = _present(env, degree.credential, challenge, signer=env.stranger, holder=env.holder_did)
    result = _verify(env, identities, vp, challenge, challenges=tracker)
    assert result.failed == {"holder"}
    reason = result.check("holder").reason  # type: ignore[union-attr]
    assert f"signed by {env.stranger.address}, which does not control the holder DID" in reason
    assert tracker.state(challenge) == "live"  # the third party cannot burn the holder's challenge
    # presenting as itself instead: its key controls its DID, but the credential is not about it
    own = _verify(env, identities, _present(env, degree.credential, challenge, signer=env.stranger), challenge)
    assert own.failed == {"credentials"}
    assert "holder: the subject is" in own.check("credentials").reason  # type: ignore[union-attr]


def test_presentation__a_valid_sigauth_delegate_presents_for_the_holder(
    env: Env, identities: EIDRegistry, degree: IssuedCredential, accounts: list[LocalAccount], deployment: Deployment
) -> None:
    phone = accounts[7]
    identities.add_delegate(env.holder, env.holder.address, "sigAuth", phone.address, DAY)
    vp = _present(
        env,
        degree.credential,
        "c",
        signer=phone,
        holder=env.holder_did,
        verification_method=env.holder_did + "#delegate-1",
    )
    result = _verify(env, identities, vp, "c")
    assert result.valid, result.failures
    assert "a valid sigAuth delegate" in result.check("holder").reason  # type: ignore[union-attr]
    resolver = DIDResolver.from_deployment(deployment)
    assert authentication_key_id(resolver, env.holder_did, phone.address) == env.holder_did + "#delegate-1"
    assert authentication_key_id(resolver, env.holder_did, env.holder.address) == env.holder_did + "#controller"
    as_owner = _present(env, degree.credential, "c", signer=phone, holder=env.holder_did)  # names #controller
    assert (
        "but the verificationMethod names #controller" in _verify(env, identities, as_owner, "c").check("holder").reason
    )  # type: ignore[union-attr]
    # a delegate of another type (veriKey: keys that issue) does not authenticate for the holder
    other = accounts[8]
    identities.add_delegate(env.holder, env.holder.address, "veriKey", other.address, DAY)
    as_verikey = _present(
        env,
        degree.credential,
        "c",
        signer=other,
        holder=env.holder_did,
        verification_method=env.holder_did + "#delegate-2",
    )
    wrong = _verify(env, identities, as_verikey, "c")
    assert wrong.failed == {"holder"}
    # and a revoked delegate no longer does
    identities.revoke_delegate(env.holder, env.holder.address, "sigAuth", phone.address)
    assert _verify(env, identities, vp, "c").failed == {"holder"}


def test_presentation__after_change_owner_the_old_key_fails_and_the_new_owner_presents(
    env: Env, identities: EIDRegistry, degree: IssuedCredential, accounts: list[LocalAccount]
) -> None:
    new_key = accounts[9]
    before = _present(env, degree.credential, "c")
    assert _verify(env, identities, before, "c").valid
    identities.change_owner(env.holder, env.holder.address, new_key.address)
    old = _verify(env, identities, _present(env, degree.credential, "c"), "c")
    assert old.failed == {"holder"}
    assert f"its owner is {new_key.address}" in old.check("holder").reason  # type: ignore[union-attr]
    assert _verify(env, identities, before, "c").failed == {"holder"}  # signed before the change: void too
    new = _verify(env, identities, _present(env, degree.credential, "c", signer=new_key, holder=env.holder_did), "c")
    assert new.valid, new.failures


def test_presentation__stale_future_or_expired_presentations_fail_on_freshness(
    env: Env, identities: EIDRegistry, degree: IssuedCredential
) -> None:
    now = int(time.time())
    stale = _verify(env, identities, _present(env, degree.credential, "c", created=now - 600), "c", now=now)
    assert stale.failed == {"freshness"} and "600 s ago" in stale.check("freshness").reason  # type: ignore[union-attr]
    ahead = _verify(env, identities, _present(env, degree.credential, "c", created=now + 3600), "c", now=now)
    assert ahead.failed == {"freshness"} and "in the future" in ahead.check("freshness").reason  # type: ignore[union-attr]
    short = _present(env, degree.credential, "c", created=now - 30, ttl=10)
    late = _verify(env, identities, short, "c", now=now)
    assert late.failed == {"freshness"} and "expired at" in late.check("freshness").reason  # type: ignore[union-attr]
    assert _verify(env, identities, short, "c", now=now - 25).valid


def test_presentation__tampering_with_any_signed_member_changes_the_signer_and_fails(
    env: Env, identities: EIDRegistry, degree: IssuedCredential, anchored: Callable[..., IssuedCredential]
) -> None:
    vp = _present(env, degree.credential, "c")
    for path, value in (
        (("proof", "challenge"), "other"),
        (("proof", "domain"), "https://evil.example"),
        (("proof", "created"), "2030-01-01T00:00:00Z"),
        (("holder",), "did:ethr:0x7a69:" + env.stranger.address),
    ):
        forged = copy.deepcopy(vp)
        target = forged if len(path) == 1 else forged[path[0]]
        target[path[-1]] = value
        result = _verify(env, identities, forged, str(forged["proof"]["challenge"]), domain=forged["proof"]["domain"])
        assert result.signer != env.holder.address and "holder" in result.failed, path
    swapped = copy.deepcopy(vp)
    swapped["verifiableCredential"] = [envelope(anchored(claims={"degree": "PhD", "year": 2026}).credential)]
    assert _verify(env, identities, swapped, "c").failed == {"holder"}
    unsigned = copy.deepcopy(vp)
    unsigned["proof"]["proofValue"] = "0x" + "00" * 65
    assert _verify(env, identities, unsigned, "c").failed == {"signature", "holder"}


def test_presentation__a_revoked_credential_fails_the_credentials_check(
    env: Env, identities: EIDRegistry, degree: IssuedCredential
) -> None:
    vp = _present(env, degree.credential, "c")
    env.registry.revoke(env.issuer, degree.hash, b"\x01" * 32)
    result = _verify(env, identities, vp, "c")
    assert result.failed == {"credentials"}
    assert "credential 1: status: revoked" in result.check("credentials").reason  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ([], "a presentation is a JSON object"),
        ({"@context": ["https://www.w3.org/2018/credentials/v1"]}, "first @context is not"),
        ({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["Other"]}, "does not include"),
        (
            {"@context": "https://www.w3.org/ns/credentials/v2", "type": "VerifiablePresentation", "holder": "x"},
            "not a did:ethr DID",
        ),
    ],
)
def test_presentation__malformed_documents_fail_on_format_with_one_line(
    env: Env, identities: EIDRegistry, document: Any, reason: str
) -> None:
    result = _verify(env, identities, document, "c")
    assert result.failed == {"format"} and reason in result.checks[0].reason


def test_presentation__a_non_enveloped_entry_and_bad_arguments_are_refused(env: Env, degree: IssuedCredential) -> None:
    with pytest.raises(BadInput, match="not an EnvelopedVerifiableCredential"):
        unenvelope(degree.credential)
    with pytest.raises(BadInput, match="at least one credential"):
        create_presentation([], env.holder, chain_id=env.chain.chain_id, challenge="c", domain=VERIFIER)
    with pytest.raises(BadInput, match="challenge is a non-empty string"):
        _present(env, degree.credential, " ")
    with pytest.raises(BadInput, match="is not a key of the holder"):
        _present(env, degree.credential, "c", verification_method="did:ethr:0x7a69:0xabc#controller")


def test_challenge_tracker__persists_in_its_file_and_forgets_expired_challenges(tmp_path: Any) -> None:
    clock = [1_000_000.0]
    path = tmp_path / "challenges.json"
    first = ChallengeTracker(ttl=60, path=path, clock=lambda: clock[0])
    old = first.issue()
    second = ChallengeTracker(ttl=60, path=path, clock=lambda: clock[0])
    assert second.state(old) == "live"
    second.consume(old)
    assert ChallengeTracker(path=path, clock=lambda: clock[0]).state(old) == "used"
    clock[0] += 120
    ChallengeTracker(ttl=60, path=path, clock=lambda: clock[0]).issue()
    assert ChallengeTracker(path=path).state(old) == "unknown"
    path.write_text("[1, 2]")
    with pytest.raises(BadInput, match="not a challenge file"):
        ChallengeTracker(path=path)


def test_veramo__verifies_our_presentations_and_refuses_tampered_ones(
    anvil: Anvil, deployment: Deployment, env: Env, identities: EIDRegistry, degree: IssuedCredential,
    accounts: list[LocalAccount],
) -> None:  # fmt: skip
    """Veramo's ``verifyPresentation`` (the reference EthereumEip712Signature2021 verifier) accepts
    a presentation by the holder's owner key and by its sigAuth delegate, and refuses one whose
    challenge was changed."""
    if shutil.which("node") is None or not (ROOT / "node_modules" / "@veramo" / "credential-eip712").is_dir():
        pytest.skip("Node.js or @veramo/credential-eip712 is not installed (npm ci)")
    phone = accounts[7]
    identities.add_delegate(env.holder, env.holder.address, "sigAuth", phone.address, DAY)
    by_owner = _present(env, degree.credential, "c")
    by_phone = _present(env, degree.credential, "c", signer=phone, holder=env.holder_did)
    tampered = copy.deepcopy(by_owner)
    tampered["proof"]["challenge"] = "another"
    config = {"rpcUrl": anvil.url, "registry": deployment.address("identity"), "chainId": env.chain.chain_id}
    out = subprocess.run(
        [shutil.which("node") or "node", str(ROOT / "tests" / "support" / "veramo_presentation.mjs"),
         json.dumps({**config, "verify": [by_owner, by_phone, tampered]})],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    assert [r["verified"] for r in results] == [True, True, False], results
    assert "invalid_signature" in results[2]["error"]
