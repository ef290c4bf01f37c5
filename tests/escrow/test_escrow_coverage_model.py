"""The escrow client's off-chain model, which users and the CLI rely on before any transaction:
plans and terms the contract would reject are refused with one clear BadInput; draft and
acceptance documents round-trip and reject malformed JSON; an agreement's one-line description
says what may happen next in every state; the payout model splits to the wei."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from thekey.errors import BadInput
from thekey.payments.escrow import (
    ARBITRATION_PERIOD,
    BPS,
    MAX_PAYEES,
    UINT96_MAX,
    ZERO32,
    Acceptance,
    AgreementState,
    Plan,
    Status,
    Terms,
    agreement_key,
    credits_of,
    draft_from_json,
    draft_to_json,
    payout,
)

A = [f"0x{i:040x}" for i in range(1, 13)]
VERIFIER, USER, PROVIDER, ARBITER = (Plan.of(0, 0, {a: 0}).payees[0] for a in A[:4])
T0 = 1_800_000_000


def terms(**overrides: object) -> Terms:
    base = Terms(
        provider=PROVIDER,
        verifier=VERIFIER,
        user=USER,
        arbiter=ARBITER,
        price=1_000 * 10**18 + 7,
        service_deadline=T0 + 86_400,
        dispute_window=3_600,
        terms_hash=b"\x11" * 32,
        plan=Plan.of(6_000, 2_500, {A[4]: 1_000, A[5]: 500}),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def state(status: Status, **overrides: object) -> AgreementState:
    base = AgreementState(
        id=1,
        status=status,
        provider=PROVIDER,
        verifier=VERIFIER,
        user=USER,
        arbiter=ARBITER,
        price=100,
        service_deadline=T0,
        dispute_window=3_600,
        completed_at=0,
        verifier_accepted=False,
        user_accepted=False,
        evidence_hash=ZERO32,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- plans and terms


def test_plan_of__accepts_pairs_as_well_as_a_mapping() -> None:
    assert Plan.of(5_000, 5_000, [(A[4].lower(), 0)]) == Plan.of(5_000, 5_000, {A[4]: 0})


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        (Plan.of(10_000, 0, {a: 0 for a in A[: MAX_PAYEES + 1]}), "at most 8 payees"),
        (Plan((A[4],), (5_000, 5_000)), "one share for the verifier"),
        (Plan((), (BPS + 1, -1)), "between 0 and 10000"),
        (Plan.of(5_000, 4_000), "sum to 9000"),
    ],
)
def test_plan_check__refuses_what_the_contract_rejects(plan: Plan, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        plan.check()


def test_plan_check__a_valid_plan_passes_and_the_agreement_key_commits_to_its_order() -> None:
    plan = Plan.of(6_000, 2_500, {A[4]: 1_000, A[5]: 500})
    plan.check()
    assert plan == Plan.of(6_000, 2_500, [(A[4], 1_000), (A[5], 500)])
    assert agreement_key(1, terms(plan=plan)) == agreement_key(
        1, terms(plan=Plan.of(6_000, 2_500, [(A[4], 1_000), (A[5], 500)]))
    )
    assert agreement_key(1, terms(plan=plan)) != agreement_key(
        1, terms(plan=Plan.of(6_000, 2_500, {A[5]: 1_000, A[4]: 500}))
    )
    assert agreement_key(1, terms(plan=plan)) != agreement_key(2, terms(plan=plan))
    assert plan.to_json() == {"payees": list(plan.payees), "shares": [6_000, 2_500, 1_000, 500]}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"price": 0}, "more than zero"),
        ({"price": UINT96_MAX + 1}, "fit in 96 bits"),
        ({"dispute_window": 2**32}, "32 bits of seconds"),
        ({"dispute_window": -1}, "32 bits of seconds"),
        ({"terms_hash": b"\x11" * 31}, "terms hash is 32 bytes"),
        ({"plan": Plan.of(1, 1)}, "sum to exactly 10000"),
    ],
)
def test_terms_check__refuses_bad_terms(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(BadInput, match=message):
        terms(**overrides).check()


def test_terms_json__round_trips_and_as_arg_matches_the_contract_tuple() -> None:
    t = terms()
    t.check()
    assert Terms.from_json(json.loads(json.dumps(t.to_json()))) == t
    arg = t.as_arg()
    assert arg[0] == PROVIDER and arg[1] == VERIFIER and arg[4] == t.price
    assert arg[8] == (list(t.plan.payees), list(t.plan.shares))
    assert t.message(3, T0)["nonce"] == 3 and t.message(3, T0)["provider"] == PROVIDER


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("price"),
        lambda d: d.update(verifier="0x12"),
        lambda d: d.update(termsHash="0xzz"),
        lambda d: d.update(plan=None),
    ],
)
def test_terms_from_json__malformed_is_bad_input(mutate: object) -> None:
    d = terms().to_json()
    mutate(d)  # type: ignore[operator]
    with pytest.raises(BadInput, match="not an agreement terms document"):
        Terms.from_json(d)


def test_acceptance_json__round_trips_and_rejects_malformed() -> None:
    a = Acceptance(VERIFIER, 4, T0, b"\x01" * 65)
    assert Acceptance.from_json(a.to_json()) == a
    assert a.as_arg() == (4, T0, b"\x01" * 65)
    with pytest.raises(BadInput, match="not an acceptance document"):
        Acceptance.from_json({**a.to_json(), "nonce": "four"})
    with pytest.raises(BadInput, match="not an acceptance document"):
        Acceptance.from_json({"signer": VERIFIER})


def test_draft__round_trips_terms_and_acceptances() -> None:
    t = terms()
    accs = {"verifier": Acceptance(VERIFIER, 0, T0, b"\x02" * 65)}
    assert draft_from_json(draft_to_json(t, accs)) == (t, accs)
    assert draft_from_json(json.dumps({"terms": t.to_json()})) == (t, {})


@pytest.mark.parametrize("text", ["{", "[]", '{"acceptances": {}}', '{"terms": {}, "acceptances": 5}'])
def test_draft__malformed_is_one_bad_input(text: str) -> None:
    with pytest.raises(BadInput):
        draft_from_json(text)


# ---------------------------------------------------------------------------- states


def test_status__labels_and_terminal_states() -> None:
    assert [s.label for s in Status][:3] == ["none", "proposed", "active"]
    assert {s for s in Status if s.terminal} == {Status.SETTLED, Status.REFUNDED, Status.RESOLVED}


@pytest.mark.parametrize(
    ("agreement", "now", "expected"),
    [
        (state(Status.PROPOSED), T0, "waiting for the verifier and the user to accept"),
        (state(Status.PROPOSED, verifier_accepted=True), T0, "waiting for the user to accept"),
        (state(Status.ACTIVE), T0, "the verifier must complete by 2027-01-15T08:00:00Z"),
        (state(Status.ACTIVE), T0 + 1, "passed: the provider may reclaim"),
        (state(Status.COMPLETED, completed_at=T0), T0 + 3_599, "dispute window open until 2027-01-15T09:00:00Z"),
        (state(Status.COMPLETED, completed_at=T0), T0 + 3_600, "window closed: anyone may settle"),
        (state(Status.DISPUTED, disputed_at=T0), T0 + ARBITRATION_PERIOD - 1, "the arbiter may rule until"),
        (state(Status.DISPUTED, disputed_at=T0), T0 + ARBITRATION_PERIOD, "did not rule in time"),
        (state(Status.SETTLED), T0, "settled — paid out by the plan"),
        (state(Status.REFUNDED), T0, "refunded — the price went back"),
        (state(Status.RESOLVED), T0, "resolved — paid out by the arbiter's split"),
        (state(Status.NONE), T0, "unknown agreement"),
    ],
)
def test_describe__says_what_may_happen_next(agreement: AgreementState, now: int, expected: str) -> None:
    assert expected in agreement.describe(now)


def test_state_json__evidence_dispute_and_description() -> None:
    fresh = state(Status.ACTIVE).to_json()
    assert fresh["evidenceHash"] is None and fresh["disputedAt"] is None and fresh["disputeUntil"] is None
    assert "description" not in fresh
    done = state(Status.DISPUTED, completed_at=T0, evidence_hash=b"\x05" * 32, disputed_at=T0 + 5).to_json(T0 + 6)
    assert done["evidenceHash"] == "0x" + "05" * 32 and done["disputedAt"] == T0 + 5
    assert done["disputeUntil"] == T0 + 3_600 and done["description"].startswith("disputed")
    assert done["status"] == "disputed" and done["price"] == "100"


# ---------------------------------------------------------------------------- payout model


def test_payout__floors_and_dust_to_the_verifier() -> None:
    t = terms()
    verifier, user, payees, dust = payout(t.price, t.plan)
    assert verifier + user + sum(payees) == t.price
    assert user == t.price * 2_500 // BPS and payees == [t.price * 1_000 // BPS, t.price * 500 // BPS]
    assert dust == verifier - t.price * 6_000 // BPS and dust >= 0


def test_credits_of__sums_duplicates_and_drops_zero_amounts() -> None:
    t = terms(price=10_000, plan=Plan.of(5_000, 0, [(VERIFIER, 3_000), (A[6], 2_000)]))
    assert credits_of(t) == {VERIFIER: 8_000, Plan.of(0, 0, {A[6]: 0}).payees[0]: 2_000}
