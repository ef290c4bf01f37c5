"""The demo: the mission's reference story on a chain — one happy path, one failure path, the audit.

Used by ``thekey demo``, ``scripts/demo.py`` and the tests. It checks its own outcome: a run
whose happy path does not settle, or whose failure path is not declined and refunded, raises
:class:`DemoFailed`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eth_account.signers.local import LocalAccount

from thekey.deploy import Deployment
from thekey.errors import TheKeyError
from thekey.events import EventIndex
from thekey.payments.escrow import Status
from thekey.workflow.flow import Actors, Case, Person, Request, StepReport, VerificationFlow
from thekey.workflow.identity_check import Signals, capture, synthetic_template
from thekey.workflow.report import AuditReport, CreditRating, build_report, credit_rating

#: The resident of the story. Fictional, and off chain only: the privacy tests scan every
#: transaction of a demo run for each of these values.
RESIDENT = Person(
    name="Li Wei",
    document_type="ID_CARD",
    document_country="CN",
    document_number="110101199003070512",
    home_country="CN",
    device_id="li-wei-phone-IMEI-356938035643809",
    biometric_seed="li-wei-fingerprint",
)
HEALTH_RECORD = {
    "recordType": "medical-summary",
    "bloodType": "A+",
    "conditions": ["essential hypertension, controlled"],
    "allergies": ["penicillin"],
    "lastExamination": "2026-10-02",
}


class DemoFailed(TheKeyError):
    """The demo's flow did not end as the story says it must."""


@dataclass
class DemoTranscript:
    chain_id: int
    contracts: dict[str, str]
    actors: dict[str, str]
    steps: list[StepReport] = field(default_factory=list)
    cases: dict[str, str] = field(default_factory=dict)
    balances: dict[str, int] = field(default_factory=dict)
    report: AuditReport | None = None
    credit: CreditRating | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "chainId": self.chain_id, "contracts": self.contracts, "actors": self.actors,
            "steps": [s.as_json() for s in self.steps], "cases": self.cases,
            "balances": {k: str(v) for k, v in self.balances.items()},
            "audit": self.report.as_json() if self.report else None,
            "credit": self.credit.as_json() if self.credit else None,
            "gasUsed": sum(t.gas_used for s in self.steps for t in s.on_chain),
        }  # fmt: skip


def run_demo(
    deployment: Deployment,
    accounts: list[LocalAccount],
    *,
    on_step: Callable[[StepReport], None] | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> DemoTranscript:
    """Enrol the parties, run the happy path and the identity-mismatch path, then the audit."""
    phase = on_phase or (lambda _p: None)
    actors = Actors.from_accounts(accounts)
    flow = VerificationFlow(deployment, actors, on_step=on_step)
    out = DemoTranscript(deployment.chain.chain_id, deployment.addresses, actors.names())
    first_block = deployment.chain.block_number() + 1  # the audit covers this run only
    phase("Enrolment")
    flow.enroll(RESIDENT)
    genuine = capture(synthetic_template(RESIDENT.biometric_seed, "fingerprint"), "fingerprint", seed="scan-1")
    abroad = Signals(RESIDENT.device_id, "SG", RESIDENT.home_country, hour_utc=10)

    phase("Happy path: the insurer in Singapore verifies the Beijing resident")
    happy = flow.run(Request(), genuine, abroad, HEALTH_RECORD)
    _expect(flow, happy, "settled", Status.SETTLED)
    out.cases["happy path"] = happy.status

    phase("Failure path: someone else presents a fingerprint")
    impostor = capture(synthetic_template("someone-else", "fingerprint"), "fingerprint", seed="scan-2")
    failed = flow.run(Request(), impostor, abroad, HEALTH_RECORD)
    _expect(flow, failed, "declined:identity:biometric-mismatch", Status.REFUNDED)
    if failed.evidence is not None or failed.health_record is not None:
        raise DemoFailed("a declined verification issued a credential")
    out.cases["identity mismatch"] = failed.status

    phase("Audit and credit")
    index = EventIndex(deployment, os.environ.get("THEKEY_AUDIT_DB", ":memory:"), from_block=first_block)
    index.sync()
    out.report = build_report(index)
    out.credit = credit_rating(index, actors.user.address)
    seen = (out.report.requests, out.report.outcomes["settled"], out.report.outcomes["declined"])
    if seen != (2, 1, 1):
        raise DemoFailed(
            "the audit does not match the run: {} requests, {} settled, {} declined (expected 2, 1, 1)".format(*seen)
        )
    out.steps = flow.steps
    out.balances = {name: flow.token.balance_of(address) for name, address in actors.names().items()}
    return out


def _expect(flow: VerificationFlow, case: Case, status: str, on_chain: Status) -> None:
    actual = flow.agreement_status(case)
    if case.status != status or actual != on_chain:
        raise DemoFailed(f"expected {status} ({on_chain.label}), got {case.status} ({actual.label})")
