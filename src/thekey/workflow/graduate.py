"""The graduate scenario: a background check at hiring, with an SD-JWT VC degree in the graduate's wallet.

1. enrolment   — governance admits the university as issuer of ``UniversityDegreeCredential``;
                 the university registers the degree schema;
2. issuance    — the university issues the degree (degree, year, grades) as an SD-JWT VC bound to
                 the graduate's key and anchors its hash; the graduate's wallet receives the file;
3. challenge   — the employer sends a fresh nonce and names itself as the audience;
4. consent     — the graduate signs a consent for the employer's check (``education.degree`` for
                 ``employment-screening``), which the employer relays;
5. presentation— the graduate presents degree and year, not grades, with a KB-JWT;
6. verification— the employer checks the content offline (signature, digests, KB-JWT) and the
                 chain (issuer, anchor, status), and records the use of the consent;
7. revocation  — the university revokes the degree; the same presentation now fails on its status.

Only hashes, ids and pseudonymous addresses go on chain: the anchor is keccak-256 of the issuer's
JWT, whose claims are salted digests; the degree, the year and the grades stay off chain.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount

from thekey.chain.transactions import Receipt
from thekey.consent.ids import purpose_id, scope_id
from thekey.consent.registry import ConsentRegistry, GrantRequest
from thekey.credentials.anchoring import CredentialRegistry
from thekey.credentials.canonical import document_hash
from thekey.credentials.issuance import next_status_indexes
from thekey.credentials.jws import b64url, public_jwk
from thekey.credentials.schemas import schema_id as schema_id_of
from thekey.credentials.sdjwt import SdJwt, anchor_sd_jwt, issue_sd_jwt
from thekey.credentials.sdjwt_verify import SdJwtVerification, verify_sd_jwt
from thekey.credentials.vc import type_hash
from thekey.credentials.wallet import Wallet
from thekey.deploy import Deployment
from thekey.errors import BadInput, TheKeyError
from thekey.hashing import keccak
from thekey.identity.did import did_for
from thekey.workflow.flow import StepReport, Transaction

DEGREE_TYPE = "UniversityDegreeCredential"
SCOPE, PURPOSE = "education.degree", "employment-screening"
DAY = 86_400
DEGREE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "TheKey university degree",
    "type": "object",
    "required": ["degree", "year", "grades"],
    "properties": {
        "degree": {"type": "string", "minLength": 2},
        "year": {"type": "integer", "minimum": 1900, "maximum": 2100},
        "grades": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "additionalProperties": False,
}
#: The graduate's degree. Fictional, and off chain only: the privacy test scans every transaction
#: of a run for these values.
DEGREE = {
    "degree": "Bachelor of Engineering in Software Engineering",
    "year": 2026,
    "grades": {"Distributed Systems": "A-minus", "Applied Cryptography": "B-plus", "Thesis": "distinction"},
}
SHOWN = ("degree", "year")


class GraduateFailed(TheKeyError):
    """The scenario did not end as the story says it must."""


@dataclass(frozen=True)
class GraduateActors:
    governance: LocalAccount  # admits issuers
    university: LocalAccount  # issuer of degrees
    employer: LocalAccount  # the verifier
    graduate: LocalAccount  # the holder

    @classmethod
    def from_accounts(cls, accounts: list[LocalAccount]) -> GraduateActors:
        if len(accounts) < 10:
            raise BadInput("the graduate scenario needs ten accounts (it uses 0, 7, 8 and 9)")
        return cls(accounts[0], accounts[7], accounts[8], accounts[9])

    def names(self) -> dict[str, str]:
        return {k: getattr(self, k).address for k in self.__dataclass_fields__}


@dataclass
class GraduateTranscript:
    chain_id: int
    contracts: dict[str, str]
    actors: dict[str, str]
    steps: list[StepReport] = field(default_factory=list)
    cases: dict[str, str] = field(default_factory=dict)
    disclosed: dict[str, Any] = field(default_factory=dict)
    verification: SdJwtVerification | None = None
    after_revocation: SdJwtVerification | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": "graduate", "chainId": self.chain_id, "contracts": self.contracts, "actors": self.actors,
            "steps": [s.as_json() for s in self.steps], "cases": self.cases, "disclosed": self.disclosed,
            "verification": self.verification.as_json() if self.verification else None,
            "afterRevocation": self.after_revocation.as_json() if self.after_revocation else None,
            "gasUsed": sum(t.gas_used for s in self.steps for t in s.on_chain),
        }  # fmt: skip


class GraduateCheck:
    """Drives the scenario for one deployment; each step returns its ``StepReport``."""

    def __init__(
        self,
        deployment: Deployment,
        actors: GraduateActors,
        wallet: Wallet,
        *,
        on_step: Callable[[StepReport], None] | None = None,
    ) -> None:
        self.chain = deployment.chain
        self.actors = actors
        self.wallet = wallet
        self.on_step = on_step
        self.credentials = CredentialRegistry.from_deployment(deployment)
        self.consents = ConsentRegistry.from_deployment(deployment)
        self.steps: list[StepReport] = []
        self.schema_id = b""

    def did(self, account: LocalAccount) -> str:
        return did_for(self.chain.chain_id, account.address)

    def _tx(self, report: StepReport, label: str, receipt: Receipt | None) -> None:
        if receipt is None:
            raise GraduateFailed(f"{label}: no transaction receipt")
        report.on_chain.append(Transaction(label, receipt.tx_hash, receipt.gas_used, receipt.block_number))

    def _done(self, report: StepReport, started: float) -> StepReport:
        report.seconds = round(time.perf_counter() - started, 3)
        self.steps.append(report)
        if self.on_step is not None:
            self.on_step(report)
        return report

    def enroll(self) -> StepReport:
        started, report = time.perf_counter(), StepReport(0, "Enrolment: the university admitted as issuer of degrees")
        a, ctype = self.actors, type_hash(DEGREE_TYPE)
        if not self.credentials.is_authorised(a.university.address, ctype):
            rc = self.credentials.add_issuer(a.governance, a.university.address,
                                             document_hash({"organisation": "university"}), [ctype])  # fmt: skip
            self._tx(report, f"admit the university as issuer of {DEGREE_TYPE}", rc)
        self.schema_id = schema_id_of(a.university.address, ctype, DEGREE_SCHEMA)
        if not self.credentials.get_schema(self.schema_id).registered:
            self.schema_id, rc = self.credentials.register_schema(a.university, DEGREE_SCHEMA, ctype)
            self._tx(report, "register the degree schema", rc)
        report.summary = f"{self.did(a.university)} issues {DEGREE_TYPE} under schema 0x{self.schema_id.hex()[:16]}…"
        report.off_chain.append("the schema document is public; no graduate appears in it")
        return self._done(report, started)

    def issue(self, degree: dict[str, Any]) -> tuple[SdJwt, StepReport]:
        started, report = time.perf_counter(), StepReport(1, "Issuance: the degree as an SD-JWT VC to the wallet")
        a, now = self.actors, self.chain.timestamp()
        (index,) = next_status_indexes(self.credentials, a.university.address, 1)
        sd = issue_sd_jwt(
            self.credentials, a.university, holder_jwk=public_jwk(bytes(a.graduate.key)), subject=self.did(a.graduate),
            credential_type=DEGREE_TYPE, claims=degree, schema_id=self.schema_id, valid_from=now, valid_until=None,
            status_index=index,
        )  # fmt: skip
        self._tx(report, "anchor the degree (keccak-256 of the issuer-signed JWT)",
                 anchor_sd_jwt(self.credentials, a.university, sd))  # fmt: skip
        held = self.wallet.receive(sd.compact())
        report.summary = f"degree {held.id[:18]}… (status index {index}) in the graduate's wallet"
        report.off_chain += [
            "the graduate handed the university its public key (JWK) for cnf",
            f"the SD-JWT VC with {len(sd.disclosures)} salted disclosures sent to the graduate, "
            "kept encrypted (scrypt + AES-256-GCM) in the wallet",
        ]
        return sd, self._done(report, started)

    def challenge(self) -> tuple[str, str, StepReport]:
        started, report = time.perf_counter(), StepReport(2, "Challenge: the employer asks for proof of the degree")
        nonce, audience = b64url(os.urandom(16)), self.did(self.actors.employer)
        report.summary = f"nonce {nonce}, audience {audience}"
        report.off_chain.append("challenge sent to the graduate's device")
        return nonce, audience, self._done(report, started)

    def consent(self) -> tuple[bytes, StepReport]:
        started, report = time.perf_counter(), StepReport(3, "Consent: the graduate authorises the check")
        a = self.actors
        grant = GrantRequest(subject=a.graduate.address, grantee=a.employer.address, scope=scope_id(SCOPE),
                             purpose=purpose_id(PURPOSE), valid_until=self.chain.timestamp() + 30 * DAY,
                             max_uses=1)  # fmt: skip
        signed = self.consents.sign_grant(a.graduate, grant, self.chain.timestamp() + 3_600)
        receipt = self.consents.grant_by_sig(a.employer, signed)
        self._tx(report, "consent granted (graduate-signed, relayed by the employer)", receipt.receipt)
        report.summary = f"consent 0x{receipt.consent_id.hex()[:16]}… for {SCOPE} / {PURPOSE}, one use"
        report.off_chain.append("the graduate signed the consent on its phone (EIP-712) and paid no gas")
        return receipt.consent_id, self._done(report, started)

    def present(self, sd: SdJwt, nonce: str, audience: str) -> tuple[str, StepReport]:
        started, report = time.perf_counter(), StepReport(4, "Presentation: degree and year, not grades")
        text = self.wallet.present("0x" + sd.hash.hex(), SHOWN, bytes(self.actors.graduate.key),
                                   nonce=nonce, audience=audience)  # fmt: skip
        report.summary = f"discloses {', '.join(SHOWN)}; withholds {', '.join(n for n in sd.claims if n not in SHOWN)}"
        report.off_chain.append("presentation with a KB-JWT over the nonce, audience and sd_hash, sent to the employer")
        return text, self._done(report, started)

    def verify(
        self, presentation: str, nonce: str, audience: str, consent_id: bytes | None, *, recheck: bool = False
    ) -> tuple[SdJwtVerification, StepReport]:
        """The employer's check; with ``consent_id`` a valid check records one use of the consent."""
        title = "Re-check: the same presentation" if recheck else "Verification: the employer checks content and chain"
        started, report = time.perf_counter(), StepReport(7 if recheck else 5, title)
        result = verify_sd_jwt(self.credentials, presentation, nonce=nonce, audience=audience)
        report.ok = result.valid
        if consent_id is not None and result.valid:
            use = self.consents.record_use(self.actors.employer, consent_id, keccak(presentation.encode()))
            self._tx(report, f"use {use.use} of the consent recorded", self.chain.wait(use.tx_hash))
        failed = ", ".join(f"{c.name}: {c.reason}" for c in result.failures)
        report.summary = (
            ("VALID: " + ", ".join(c.name for c in result.checks)) if result.valid else f"REFUSED — {failed}"
        )
        report.off_chain.append(f"read offline: {result.claims}")
        return result, self._done(report, started)

    def revoke(self, sd: SdJwt) -> StepReport:
        started, report = time.perf_counter(), StepReport(6, "Revocation: the university withdraws the degree")
        rc = self.credentials.revoke(self.actors.university, sd.hash, keccak(text="degree-withdrawn"))
        self._tx(report, "revoke in the university's on-chain status list", rc)
        report.summary = f"status index {sd.status_index} set to INVALID"
        return self._done(report, started)


@contextmanager
def _temporary_wallet() -> Iterator[Wallet]:
    with tempfile.TemporaryDirectory(prefix="thekey-graduate-") as folder:
        yield Wallet(Path(folder) / "wallet.json", b64url(os.urandom(24)))


def run_graduate(
    deployment: Deployment,
    accounts: list[LocalAccount],
    *,
    wallet: Wallet | None = None,
    on_step: Callable[[StepReport], None] | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> GraduateTranscript:
    """The whole story; raises :class:`GraduateFailed` unless the check passes, then fails after revocation."""
    if wallet is None:
        with _temporary_wallet() as temporary:
            return run_graduate(deployment, accounts, wallet=temporary, on_step=on_step, on_phase=on_phase)
    phase = on_phase or (lambda _p: None)
    actors = GraduateActors.from_accounts(accounts)
    flow = GraduateCheck(deployment, actors, wallet, on_step=on_step)
    out = GraduateTranscript(deployment.chain.chain_id, deployment.addresses, actors.names())
    phase("Enrolment and issuance")
    flow.enroll()
    sd, _ = flow.issue(DEGREE)
    phase("Background check: the employer verifies the graduate's degree")
    nonce, audience, _ = flow.challenge()
    consent_id, _ = flow.consent()
    presentation, _ = flow.present(sd, nonce, audience)
    out.verification, _ = flow.verify(presentation, nonce, audience, consent_id)
    if not out.verification.valid:
        raise GraduateFailed("the background check failed: " + "; ".join(c.reason for c in out.verification.failures))
    if "grades" in out.verification.claims:
        raise GraduateFailed("the grades were disclosed")
    out.disclosed = dict(out.verification.claims)
    out.cases["background check"] = "verified"
    phase("Failure path: the degree is revoked and the same presentation is refused")
    flow.revoke(sd)
    out.after_revocation, _ = flow.verify(presentation, nonce, audience, None, recheck=True)
    refused = out.after_revocation.failures
    if {c.name for c in refused} != {"status"}:
        raise GraduateFailed(f"after revocation expected a status failure only, got {[c.name for c in refused]}")
    out.cases["after revocation"] = "refused: " + "; ".join(f"{c.name} {c.reason}" for c in refused)
    out.steps = flow.steps
    return out
