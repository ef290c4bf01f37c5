"""The verification flow end to end: the happy path and every failure path, with on-chain state
and balances exact to the wei; the audit (figures, resumable indexing) and the credit formula;
the demo (whose every transaction tests/security/test_security_privacy.py scans for personal data)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain import Chain
from thekey.cli.main import main
from thekey.deploy import TKY, Deployment
from thekey.events import EventIndex
from thekey.payments.escrow import Status
from thekey.workflow.demo import HEALTH_RECORD, RESIDENT, run_demo
from thekey.workflow.flow import Actors, FlowError, Request, VerificationFlow
from thekey.workflow.identity_check import Signals, capture, synthetic_template
from thekey.workflow.reasons import reason_hash, reason_of
from thekey.workflow.report import band, build_report, credit_rating, score

GENUINE = capture(synthetic_template(RESIDENT.biometric_seed, "fingerprint"), "fingerprint", seed="t1")
IMPOSTOR = capture(synthetic_template("impostor", "fingerprint"), "fingerprint", seed="t2")
ABROAD = Signals(RESIDENT.device_id, "SG", "CN", 10)


@pytest.fixture
def flow(deployment: Deployment, accounts: list[LocalAccount]) -> VerificationFlow:
    f = VerificationFlow(deployment, Actors.from_accounts(accounts))
    f.enroll(RESIDENT)
    return f


def balances(flow: VerificationFlow) -> dict[str, int]:
    return {name: flow.token.balance_of(address) for name, address in flow.actors.names().items()}


def anchored_count(flow: VerificationFlow, from_block: int) -> int:
    return len(flow.credentials.contract.events.CredentialAnchored().get_logs(from_block=from_block))


def test_happy_path__settles_and_pays_by_the_plan_to_the_wei(flow: VerificationFlow) -> None:
    before = balances(flow)
    case = flow.run(Request(price=100 * TKY + 7), GENUINE, ABROAD, HEALTH_RECORD)
    after = balances(flow)
    assert case.status == "settled" and flow.agreement_status(case) is Status.SETTLED
    # 60 % / 10 % / 30 % of 100 TKY + 7 wei; the 7 wei of rounding dust go to the verifier
    assert after["verifier"] - before["verifier"] == 60 * TKY + 7 - (7 * 1000 // 10_000) - (7 * 3000 // 10_000)
    assert after["user"] - before["user"] == 10 * TKY + 7 * 1000 // 10_000
    assert after["hospital"] - before["hospital"] == 30 * TKY + 7 * 3000 // 10_000
    assert before["insurer"] - after["insurer"] == 100 * TKY + 7
    assert flow.escrow.credit_of(flow.escrow.address) == 0
    assert case.evidence is not None and flow.credentials.is_valid(flow.actors.verifier.address, case.evidence.hash)
    assert flow.escrow.agreement(case.agreement_id).evidence_hash == case.evidence.hash
    assert case.health_record_verification is not None and case.health_record_verification.valid
    assert flow.consents.get(case.consent_id).uses == 1


def test_user__signs_only_and_pays_no_gas_until_withdrawal(flow: VerificationFlow, chain: Chain) -> None:
    nonce_before = chain.w3.eth.get_transaction_count(flow.actors.user.address)
    case, _ = flow.request(Request())
    flow.sign_and_fund(case)
    flow.check_policy(case)
    flow.check_identity(case, GENUINE, ABROAD)
    flow.record_evidence(case)
    flow.publish_health_record(case, HEALTH_RECORD)
    flow.fetch_health_record(case)
    assert chain.w3.eth.get_transaction_count(flow.actors.user.address) == nonce_before


def test_policy_rejection__declined_with_reason_refunded_and_nothing_issued(flow: VerificationFlow) -> None:
    before, block = balances(flow), flow.chain.block_number()
    case = flow.run(Request(provider_category="bank"), GENUINE, ABROAD, HEALTH_RECORD)
    assert case.status == "declined:policy:scope-not-allowed"
    assert flow.agreement_status(case) is Status.REFUNDED
    assert balances(flow) == before
    (declined,) = flow.escrow.contract.events.AgreementDeclined().get_logs(from_block=block)
    assert reason_of(declined["args"]["reasonHash"]) == "policy:scope-not-allowed"
    assert anchored_count(flow, block) == 0


def test_price_below_floor__is_a_policy_rejection(flow: VerificationFlow) -> None:
    case = flow.run(Request(price=9 * TKY), GENUINE, ABROAD, HEALTH_RECORD)
    assert case.status == "declined:policy:price-below-floor"


def test_identity_mismatch__refunds_the_provider_and_issues_nothing(flow: VerificationFlow) -> None:
    before, block = balances(flow), flow.chain.block_number()
    case = flow.run(Request(), IMPOSTOR, ABROAD, HEALTH_RECORD)
    assert case.status == "declined:identity:biometric-mismatch"
    assert flow.agreement_status(case) is Status.REFUNDED
    assert balances(flow) == before
    assert case.evidence is None and case.health_record is None
    assert anchored_count(flow, block) == 0
    with pytest.raises(FlowError, match="ended"):
        flow.record_evidence(case)


def test_consent_revoked_before_the_fetch__fetch_refused_and_no_use_recorded(flow: VerificationFlow) -> None:
    case, _ = flow.request(Request())
    flow.sign_and_fund(case)
    flow.check_policy(case)
    flow.check_identity(case, GENUINE, ABROAD)
    flow.record_evidence(case)
    flow.publish_health_record(case, HEALTH_RECORD)
    flow.revoke_consent(case)
    report = flow.fetch_health_record(case)
    assert not report.ok and case.status == "stopped:consent-revoked"
    assert flow.consents.get(case.consent_id).uses == 0
    assert report.on_chain == []


def test_verifier_misses_the_deadline__provider_reclaims_in_full(flow: VerificationFlow) -> None:
    before = balances(flow)
    case, _ = flow.request(Request())
    flow.sign_and_fund(case)
    flow.reclaim_after_deadline(case)
    assert case.status == "refunded:timeout"
    assert flow.agreement_status(case) is Status.REFUNDED
    assert balances(flow) == before


def test_steps_out_of_order__are_refused(flow: VerificationFlow) -> None:
    case, _ = flow.request(Request())
    flow.sign_and_fund(case)
    with pytest.raises(FlowError):
        flow.record_evidence(case)
    with pytest.raises(FlowError):
        flow.settle(case)
    with pytest.raises(FlowError):
        flow.fetch_health_record(case)


# -- audit --------------------------------------------------------------------------------------


def test_audit__report_figures_equal_what_happened(flow: VerificationFlow) -> None:
    flow.run(Request(), GENUINE, ABROAD, HEALTH_RECORD)
    flow.run(Request(provider_category="bank"), GENUINE, ABROAD, HEALTH_RECORD)
    flow.run(Request(), IMPOSTOR, ABROAD, HEALTH_RECORD)
    index = EventIndex(flow.deployment)
    index.sync()
    r = build_report(index)
    a = flow.actors
    assert r.requests == 3
    assert dict(r.outcomes) == {"settled": 1, "declined": 2}
    assert dict(r.rejections) == {"policy:scope-not-allowed": 1, "identity:biometric-mismatch": 1}
    assert r.funded[a.insurer.address] == 300 * TKY
    assert r.refunded[a.insurer.address] == 200 * TKY
    assert (r.credited[a.verifier.address], r.credited[a.user.address], r.credited[a.hospital.address]) == (
        60 * TKY, 10 * TKY, 30 * TKY)  # fmt: skip
    # a decline credits the price back to the insurer, who withdraws it like every payout
    assert r.withdrawn == {**r.credited, a.insurer.address: r.refunded[a.insurer.address]}
    assert r.consents["granted"] == 4 and r.consents["used"] == 1
    assert r.credentials["anchored"] == 2 and r.routes_published == 1
    assert "identity:biometric-mismatch | 1" in r.as_markdown(a.names())
    json.dumps(r.as_json())


def test_audit__an_interrupted_sync_resumes_without_double_counting(
    flow: VerificationFlow, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow.run(Request(), GENUINE, ABROAD, HEALTH_RECORD)
    db = tmp_path / "audit.sqlite"
    index = EventIndex(flow.deployment, db)
    index.sync(chunk=5, max_chunks=2)
    first_block, first_count = index.last_block, index.count()
    calls = {"n": 0}
    original = index._decode

    def crash_on_second_chunk(logs: Any, timestamps: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the process is stopped in the middle of a chunk
        return original(logs, timestamps)

    monkeypatch.setattr(index, "_decode", crash_on_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        index.sync(chunk=5)
    assert index.last_block == first_block + 5 and index.count() >= first_count
    monkeypatch.undo()
    resumed = EventIndex(flow.deployment, db)
    resumed.sync(chunk=5)
    fresh = EventIndex(flow.deployment)
    fresh.sync()
    assert resumed.count() == fresh.count()
    assert resumed.sync() == 0


@pytest.mark.parametrize(
    ("settled", "failures", "consents", "expected"),
    [(0, 0, 0, 600), (1, 0, 1, 635), (1, 1, 3, 585), (10, 0, 20, 850), (0, 10, 0, 300), (5, 0, 10, 800)],
)
def test_credit__formula(settled: int, failures: int, consents: int, expected: int) -> None:
    assert score(settled, failures, consents) == expected


def test_credit__bands() -> None:
    assert [band(v) for v in (850, 750, 749, 650, 649, 550, 549, 300)] == ["A", "A", "B", "B", "C", "C", "D", "D"]


def test_credit__from_on_chain_history(flow: VerificationFlow) -> None:
    flow.run(Request(), GENUINE, ABROAD, HEALTH_RECORD)
    flow.run(Request(provider_category="bank"), GENUINE, ABROAD, HEALTH_RECORD)  # not the user's doing
    flow.run(Request(), IMPOSTOR, ABROAD, HEALTH_RECORD)
    index = EventIndex(flow.deployment)
    index.sync()
    rating = credit_rating(index, flow.actors.user.address)
    assert (rating.settled, rating.identity_failures, rating.consents_granted) == (1, 1, 4)
    assert rating.score == score(1, 1, 4) and rating.band == "C"


def test_reason_codes__round_trip() -> None:
    assert reason_of(reason_hash("identity:low-confidence")) == "identity:low-confidence"
    assert reason_of(b"\x01" * 32) == "0x" + "01" * 32
    with pytest.raises(ValueError):
        reason_hash("not-a-reason")


# -- the demo (its privacy scan is tests/security/test_security_privacy.py) ---------------------


def test_demo__runs_both_paths_and_the_audit_matches(deployment: Deployment, accounts: list[LocalAccount]) -> None:
    transcript = run_demo(deployment, accounts)
    assert transcript.cases == {"happy path": "settled", "identity mismatch": "declined:identity:biometric-mismatch"}
    assert transcript.credit is not None and transcript.credit.settled == 1
    assert transcript.report is not None and dict(transcript.report.outcomes) == {"settled": 1, "declined": 1}
    json.dumps(transcript.as_json())


def test_demo_cli__json_transcript_on_an_embedded_anvil(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["cases"]["happy path"] == "settled"
    assert [s["step"] for s in out["steps"]][:9] == [0, 1, 2, 3, 4, 5, 6, 6, 7]
    assert out["gasUsed"] > 0 and out["audit"]["requests"] == 2
