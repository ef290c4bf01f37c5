"""The graduate scenario end to end on Anvil: the employer verifies degree and year (not grades)
with the KB-JWT, the issuer, the anchor and the status; the consent and its use are on chain;
after the university revokes, the same presentation is refused for its status alone. Nothing of the
degree is in any calldata or log; a stolen, replayed or re-aimed presentation is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

import thekey.deploy as deploy_module
from tests.security.test_security_privacy import _blobs, _forms, _leaks
from thekey.chain import Anvil, Chain
from thekey.cli.main import main
from thekey.consent.ids import purpose_id, scope_id
from thekey.consent.registry import ConsentRegistry
from thekey.credentials.canonical import canonical_json
from thekey.credentials.wallet import Wallet
from thekey.deploy import Deployment
from thekey.workflow.graduate import DEGREE, PURPOSE, SCOPE, GraduateActors, GraduateCheck, run_graduate


def test_graduate__verified_without_grades_then_refused_after_revocation(
    chain: Chain, deployment: Deployment, accounts: list[LocalAccount]
) -> None:
    start = chain.block_number() + 1
    t = run_graduate(deployment, accounts)
    assert t.cases["background check"] == "verified"
    assert t.disclosed == {"degree": DEGREE["degree"], "year": DEGREE["year"]}
    assert t.verification is not None and t.verification.valid
    assert {c.name for c in t.verification.checks} >= {"signature", "issuer", "anchor", "status", "holder-binding"}
    assert t.after_revocation is not None and [(c.name, c.reason) for c in t.after_revocation.failures] == [
        ("status", "revoked")
    ]
    assert t.cases["after revocation"] == "refused: status revoked"
    actors = GraduateActors.from_accounts(accounts)
    consents = ConsentRegistry.from_deployment(deployment)
    consent = consents.current_consent(actors.graduate.address, actors.employer.address, scope_id(SCOPE),
                                       purpose_id(PURPOSE))  # fmt: skip
    assert consent is not None and len(consents.audit_trail(consent, from_block=start)) == 1
    labels = [tx.label for s in t.steps for tx in s.on_chain]
    assert any("anchor the degree" in x for x in labels) and any("revoke" in x for x in labels)

    # privacy: no form of any degree value in any calldata or log of the run
    values = {"degree": DEGREE["degree"], "grades": canonical_json(DEGREE["grades"]).decode()}
    values |= {f"grade {k}": v for k, v in DEGREE["grades"].items() if len(v) >= 6}
    values |= {f"course {k}": k for k in DEGREE["grades"]}
    needles = [(w, f, p) for w, v in values.items() for f, p in _forms(v.encode()).items()]
    blobs = _blobs(chain, start)
    assert len(blobs) >= 6 and _leaks(needles, blobs) == []
    assert any(bytes.fromhex(actors.graduate.address[2:]) in b for _, b in blobs)  # the scan sees what is there


def test_graduate__stolen_replayed_or_reaimed_presentation_is_refused(
    deployment: Deployment, accounts: list[LocalAccount], tmp_path: Path
) -> None:
    actors = GraduateActors.from_accounts(accounts)
    flow = GraduateCheck(deployment, actors, Wallet(tmp_path / "w.json", "pass phrase"))
    flow.enroll()
    sd, _ = flow.issue(DEGREE)
    nonce, audience, _ = flow.challenge()
    presentation, _ = flow.present(sd, nonce, audience)
    replay, _ = flow.verify(presentation, "another-challenge", audience, None)
    assert replay.failed == {"nonce"}
    elsewhere, _ = flow.verify(presentation, nonce, "did:web:another-employer.example", None)
    assert elsewhere.failed == {"audience"}
    bare, _ = flow.verify(sd.jwt + "~" + sd.disclosures[0].encoded + "~", nonce, audience, None)
    assert bare.failed == {"holder-binding"}  # the credential file alone, without the holder's key


def test_demo_cli__graduate_scenario_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, anvil: Anvil, chain: Chain
) -> None:
    real_path = deploy_module.manifest_path
    monkeypatch.setattr(deploy_module, "manifest_path", lambda c, f=None: real_path(c, f or tmp_path))
    assert main(["demo", "--scenario", "graduate", "--json", "--rpc-url", anvil.url]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["scenario"] == "graduate" and out["cases"]["background check"] == "verified"
    assert out["afterRevocation"]["valid"] is False and "grades" not in out["disclosed"]
    assert main(["demo", "--scenario", "lottery"]) == 2
