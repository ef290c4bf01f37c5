"""The whole verification flow: the gas of steps 1–7 of the demo's happy path, in total and per
step, with the enrolment (admitting the parties, the KYC binding, the schemas) reported apart.

This is what a provider's verification of one resident costs on chain (issue 17's target:
≤ 900,000 gas in total). Steps 1, 3 and 4 (the request, the policy and identity checks) happen off
chain and send nothing; the rows list the steps that send transactions, each with its
transactions in the note. The parties are fresh accounts and the deployment is fresh, so the run
pays each first write a new resident and a new deployment cause (the user's first consent, the
first nonces, the escrow's first agreement and balance). A second request of the same resident
follows, reported as its own total (repeat parties: what every later verification costs); the
budget applies to the first.
"""

from __future__ import annotations

from benchmarks.harness import Bench
from benchmarks.model import GasRow, Target
from thekey.workflow.flow import StepReport

SECTION = "Whole flow"
TOTAL_BUDGET = 900_000  # issue 17: steps 1–7 of the happy path
TOTAL_TARGET = (Target("reference", 1.0),)


def _row(operation: str, reports: list[StepReport], **extra: object) -> GasRow:
    txs = [t for r in reports for t in r.on_chain]
    note = "; ".join(f"{t.label} {t.gas_used:,}" for t in txs)
    return GasRow(SECTION, operation, sum(t.gas_used for t in txs), note=note, **extra)  # type: ignore[arg-type]


def run(bench: Bench) -> list[GasRow]:
    from thekey.workflow.demo import HEALTH_RECORD, RESIDENT
    from thekey.workflow.flow import Actors, Request, VerificationFlow
    from thekey.workflow.identity_check import Signals, capture, synthetic_template

    deployment = bench.require_deployment("escrow")
    actors = Actors(bench.deployer, *(bench.fresh_account() for _ in range(6)))
    flow = VerificationFlow(deployment, actors)
    enrolment = flow.enroll(RESIDENT)
    sample = capture(synthetic_template(RESIDENT.biometric_seed, "fingerprint"), "fingerprint", seed="bench")
    signals = Signals(RESIDENT.device_id, "SG", RESIDENT.home_country, hour_utc=10)
    case = flow.run(Request(), sample, signals, HEALTH_RECORD)
    if case.status != "settled":
        raise RuntimeError(f"the happy path did not settle: {case.status}")
    steps = flow.steps[1:]  # after the enrolment
    by_number: dict[int, list[StepReport]] = {}
    for report in steps:
        by_number.setdefault(report.number, []).append(report)
    rows = [_row("enrolment (apart: parties admitted, KYC binding, schemas)", [enrolment])]
    for number, reports in by_number.items():
        if any(r.on_chain for r in reports):
            title = reports[0].title.split(":")[0].lower()
            rows.append(_row(f"step {number}: {title}", reports))
    total = _row("steps 1–7 in total (happy path)", steps, reference_name="issue 17 budget",
                 reference=TOTAL_BUDGET, targets=TOTAL_TARGET)  # fmt: skip
    total.note = ", ".join(f"step {r.operation.split(':')[0][5:]} {r.ours:,}" for r in rows[1:]) + (
        "; steps 1, 3 and 4 send nothing"
    )
    done = len(flow.steps)
    again = flow.run(Request(), sample, signals, HEALTH_RECORD)
    if again.status != "settled":
        raise RuntimeError(f"the second request did not settle: {again.status}")
    repeat = _row("steps 1–7, the same resident's next request (repeat parties)", flow.steps[done:])
    return [*rows, total, repeat]
