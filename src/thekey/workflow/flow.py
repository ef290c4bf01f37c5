"""The verification flow of the mission, end to end, on chain where the mission puts things on chain.

A Beijing resident buys medical insurance from an insurer in Singapore. The insurer (the
service provider) needs the resident's identity verified and health record; a verifier does
the check and is paid in TKY by the agreed plan; everything is auditable afterwards:

1. request   — the insurer proposes an escrow agreement (price, share plan) naming the data
               scope and purpose it needs;
2. sign      — the user and the verifier sign the agreement (EIP-712); the insurer creates and
               funds it in one transaction by permit; the user signs the consent, which the
               user's agent (the registrar) relays — the user pays no gas;
3. policy    — the verifier checks the request against the industry rules; a rejection is
               recorded on chain with its reason code and refunds the insurer;
4. identity  — the verifier matches the user's biometric sample against the government record,
               cross-checked with behaviour and scene signals (``IdentityCheck``); a mismatch
               is declined and refunded, and nothing is issued;
5. evidence  — the verifier issues and anchors an ``IdentityVerification`` credential whose
               claims carry the hash of the full verification record;
6. data      — the hospital issues and anchors the ``HealthRecord`` credential, keeps it
               encrypted off chain, and publishes a data route; the insurer finds the hospital
               through the route and fetches the record through ``DataAccess`` — consent
               checked and the use recorded on chain — then decrypts and verifies it;
7. settle    — the verifier completes the agreement with the evidence hash; the insurer
               confirms; the escrow credits verifier, user and hospital, who withdraw;
8. audit     — every event is indexed; a report and the users' credit ratings follow.

Personal data (the document number, the biometric template, the health record) never goes
on chain: only commitments, hashes and pseudonymous addresses do.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from eth_account.signers.local import LocalAccount

from thekey.chain.transactions import Receipt
from thekey.consent.access import ConsentRequired, DataAccess, Delivery
from thekey.consent.ids import ROUTE_PURPOSE, purpose_id, scope_id
from thekey.consent.registry import ConsentRegistry, GrantRequest
from thekey.consent.routes import DataRoutes, RouteRequest, route_digest
from thekey.credentials.anchoring import CredentialRegistry
from thekey.credentials.canonical import canonical_json, document_hash
from thekey.credentials.issuance import IssuedCredential, anchor_credential, issue_credential, next_status_indexes
from thekey.credentials.schemas import schema_id as schema_id_of
from thekey.credentials.vc import type_hash
from thekey.credentials.verify import VerificationResult, verify_credential
from thekey.deploy import TKY, Deployment
from thekey.errors import BadInput, TheKeyError
from thekey.identity.commitment import commit, person_commitment
from thekey.identity.did import did_for
from thekey.identity.registry import IdentityBinding
from thekey.payments.escrow import Escrow, Plan, Status, Terms
from thekey.token.tky import Token
from thekey.workflow.identity_check import (
    BiometricSample,
    GovernmentRecordService,
    IdentityCheck,
    IdentityCheckResult,
    Signals,
    SimulatedIdentityCheck,
    synthetic_template,
)
from thekey.workflow.policy import Policy, PolicyDecision
from thekey.workflow.reasons import reason_hash
from thekey.workflow.vault import Vault, public_bytes

IDENTITY_VERIFICATION = "IdentityVerification"
HEALTH_RECORD = "HealthRecord"
DAY = 86_400

IDENTITY_VERIFICATION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "TheKey identity verification result",
    "type": "object",
    "required": ["verificationRecord", "agreement", "decision", "policyVersion"],
    "properties": {
        "verificationRecord": {"type": "string", "pattern": "^0x[0-9a-f]{64}$"},
        "agreement": {"type": "string"},
        "decision": {"type": "string", "enum": ["identity confirmed"]},
        "policyVersion": {"type": "string", "pattern": "^0x[0-9a-f]{64}$"},
    },
    "additionalProperties": False,
}
HEALTH_RECORD_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "TheKey health record",
    "type": "object",
    "required": ["recordType", "bloodType", "conditions", "allergies", "lastExamination"],
    "properties": {
        "recordType": {"type": "string"},
        "bloodType": {"type": "string", "enum": ["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"]},
        "conditions": {"type": "array", "items": {"type": "string"}},
        "allergies": {"type": "array", "items": {"type": "string"}},
        "lastExamination": {"type": "string", "format": "date"},
    },
    "additionalProperties": False,
}


class FlowError(TheKeyError):
    """A step was called out of order or on a case that ended."""


@dataclass(frozen=True)
class Actors:
    """The parties. ``user`` only ever signs; the registrar (the user's agent) relays for it."""

    governance: LocalAccount  # suite admin: admits registrars, issuers, organisations
    registrar: LocalAccount  # KYC'd user agent: binds DIDs, relays the user's signatures
    verifier: LocalAccount  # identity-verification party, issuer of IdentityVerification
    insurer: LocalAccount  # the service provider, payer
    hospital: LocalAccount  # data provider, issuer of HealthRecord
    arbiter: LocalAccount  # resolves disputes
    user: LocalAccount  # the resident

    @classmethod
    def from_accounts(cls, accounts: list[LocalAccount]) -> Actors:
        if len(accounts) < 7:
            raise BadInput("the flow needs seven accounts")
        return cls(*accounts[:7])

    def names(self) -> dict[str, str]:
        return {k: getattr(self, k).address for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Person:
    """The resident's real-world data. Off chain only: the flow never sends any of it."""

    name: str
    document_type: str
    document_country: str
    document_number: str
    home_country: str
    device_id: str
    biometric_seed: str
    #: the national identity number (civil registration) of ``document_country``; the document
    #: number when the document is the national ID card itself
    national_id: str = ""


@dataclass(frozen=True)
class Request:
    """What the provider asks for and pays."""

    provider_category: str = "insurer"
    scope: str = "health.record"
    purpose: str = "insurance-underwriting"
    price: int = 100 * TKY
    verifier_bps: int = 6_000
    user_bps: int = 1_000
    data_provider_bps: int = 3_000
    service_time: int = DAY
    dispute_window: int = 3_600


@dataclass(frozen=True)
class Transaction:
    label: str
    tx_hash: str
    gas_used: int
    block: int

    def as_json(self) -> dict[str, Any]:
        return {"label": self.label, "txHash": self.tx_hash, "gasUsed": self.gas_used, "block": self.block}


@dataclass
class StepReport:
    """One step: what went on chain (transactions) and what stayed off chain."""

    number: int
    title: str
    ok: bool = True
    summary: str = ""
    on_chain: list[Transaction] = field(default_factory=list)
    off_chain: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "step": self.number, "title": self.title, "ok": self.ok, "summary": self.summary,
            "onChain": [t.as_json() for t in self.on_chain], "offChain": list(self.off_chain),
            "gasUsed": sum(t.gas_used for t in self.on_chain),
        }  # fmt: skip


@dataclass
class Case:
    """One verification request as it moves through the flow."""

    request: Request
    terms: Terms
    agreement_id: int = 0
    consent_id: bytes = b""
    status: str = "open"  # open → settled | declined:<code> | refunded:timeout | stopped:<reason>
    policy: PolicyDecision | None = None
    identity: IdentityCheckResult | None = None
    evidence: IssuedCredential | None = None
    health_record: IssuedCredential | None = None
    health_record_verification: VerificationResult | None = None

    @property
    def open(self) -> bool:
        return self.status == "open"


class VerificationFlow:
    """Drives the flow for one deployment. Each step method returns its ``StepReport``;
    ``on_step`` (if given) sees every report as it completes."""

    def __init__(
        self,
        deployment: Deployment,
        actors: Actors,
        *,
        policy: Policy | None = None,
        identity_check: IdentityCheck | None = None,
        records: GovernmentRecordService | None = None,
        vault: Vault | None = None,
        registrar_pepper: bytes | None = None,
        on_step: Callable[[StepReport], None] | None = None,
    ) -> None:
        self.deployment = deployment
        self.chain = deployment.chain
        self.actors = actors
        self.policy = policy or Policy.default()
        self.records = records or GovernmentRecordService(os.urandom(32))
        self.check: IdentityCheck = identity_check or SimulatedIdentityCheck(self.records)
        self.vault = vault or Vault()
        self.pepper = registrar_pepper or os.urandom(32)
        self.on_step = on_step
        self.token = Token.from_deployment(deployment)
        self.escrow = Escrow.from_deployment(deployment)
        self.binding = IdentityBinding.from_deployment(deployment)
        self.consents = ConsentRegistry.from_deployment(deployment)
        self.routes = DataRoutes.from_deployment(deployment)
        self.credentials = CredentialRegistry.from_deployment(deployment)
        # off-chain encryption keys of the organisations that read sealed records
        self.reader_keys = {"hospital": X25519PrivateKey.generate(), "insurer": X25519PrivateKey.generate()}
        self.schemas: dict[str, bytes] = {}
        self.steps: list[StepReport] = []
        self._route_salts: dict[bytes, bytes] = {}

    # -- helpers -------------------------------------------------------------------------------

    def did(self, account: LocalAccount | str) -> str:
        address = account if isinstance(account, str) else account.address
        return did_for(self.chain.chain_id, address)

    def _tx(self, report: StepReport, label: str, receipt: Receipt | None) -> None:
        if receipt is None:  # clients that return a record rather than the receipt
            raise FlowError(f"{label}: no transaction receipt")
        report.on_chain.append(Transaction(label, receipt.tx_hash, receipt.gas_used, receipt.block_number))

    def _finish(self, report: StepReport, started: float) -> StepReport:
        report.seconds = round(time.perf_counter() - started, 3)
        self.steps.append(report)
        if self.on_step is not None:
            self.on_step(report)
        return report

    @staticmethod
    def _require_open(case: Case) -> None:
        if not case.open:
            raise FlowError(f"the case has ended ({case.status})")

    # -- step 0: enrolment ---------------------------------------------------------------------

    def enroll(self, person: Person, funding: int = 10_000 * TKY) -> StepReport:
        """Admit the parties, bind the user's DID to the document commitment (KYC by the
        registrar), enroll the biometric template with the government record service."""
        started, report = time.perf_counter(), StepReport(0, "Enrolment: parties, KYC binding, government record")
        a, gov = self.actors, self.actors.governance
        if not self.binding.is_registrar(a.registrar.address):
            self._tx(report, "admit registrar", self.binding.admit_registrar(gov, a.registrar.address))
        for issuer, vc_type, schema in (
            (a.verifier, IDENTITY_VERIFICATION, IDENTITY_VERIFICATION_SCHEMA),
            (a.hospital, HEALTH_RECORD, HEALTH_RECORD_SCHEMA),
        ):
            if not self.credentials.is_authorised(issuer.address, type_hash(vc_type)):
                self._tx(report, f"admit issuer of {vc_type}", self.credentials.add_issuer(
                    gov, issuer.address, document_hash({"organisation": vc_type}), [type_hash(vc_type)]))  # fmt: skip
            schema_id = schema_id_of(issuer.address, type_hash(vc_type), schema)
            if not self.credentials.get_schema(schema_id).registered:
                schema_id, rc = self.credentials.register_schema(issuer, schema, type_hash(vc_type))
                self._tx(report, f"register {vc_type} schema", rc)
            self.schemas[vc_type] = schema_id
        for org in (a.hospital, a.insurer):
            if not self.routes.is_organisation(org.address):
                self._tx(report, "admit data-route organisation", self.routes.admit(gov, org.address))
        if self.token.balance_of(a.insurer.address) < funding:
            self._tx(report, "fund the insurer with TKY", self.token.transfer(gov, a.insurer.address, funding))
        commitment = commit(self.pepper, self.chain.chain_id, self.binding.address,
                            person.document_type, person.document_country, person.document_number)  # fmt: skip
        civil_id = person.national_id or person.document_number
        person_id = person_commitment(self.pepper, self.chain.chain_id, self.binding.address,
                                      person.document_country, civil_id)  # fmt: skip
        # a DID enrolled by an earlier run (its registrar's pepper) keeps its one person
        if self.binding.person_of(a.user.address) is None:
            self._tx(report, "bind DID to document and person commitments",
                     self.binding.bind(a.registrar, commitment, person_id, a.user.address))  # fmt: skip
        template = synthetic_template(person.biometric_seed, "fingerprint")
        self.records.enroll(self.did(a.user), "fingerprint", template)
        if isinstance(self.check, SimulatedIdentityCheck):
            self.check.behaviour.remember(self.did(a.user), person.device_id)
        report.summary = f"{self.did(a.user)} bound to commitment 0x{commitment.hex()[:16]}…"
        report.off_chain += [
            f"document {person.document_type}/{person.document_country} normalised and HMAC-committed by the registrar",
            "fingerprint template enrolled with the government record service (keyed by HMAC of the DID)",
            "the user's name, document number and template never leave the registrar and the record service",
        ]
        return self._finish(report, started)

    # -- steps 1 and 2: request, signatures, funding, consent -----------------------------------

    def request(self, request: Request) -> tuple[Case, StepReport]:
        """Step 1: the provider drafts the agreement and the data it needs (nothing sent yet)."""
        started, report = time.perf_counter(), StepReport(1, "Request: the provider opens a verification request")
        a = self.actors
        plan = Plan.of(request.verifier_bps, request.user_bps, [(str(a.hospital.address), request.data_provider_bps)])
        plan.check()
        salt = os.urandom(16).hex()
        description = {"scope": request.scope, "purpose": request.purpose, "category": request.provider_category,
                       "salt": salt}  # fmt: skip
        terms = Terms(
            provider=a.insurer.address, verifier=a.verifier.address, user=a.user.address, arbiter=a.arbiter.address,
            price=request.price, service_deadline=self.chain.timestamp() + request.service_time,
            dispute_window=request.dispute_window, terms_hash=document_hash(description), plan=plan,
        )  # fmt: skip
        terms.check()
        report.summary = (f"{request.provider_category} asks for {request.scope} for {request.purpose}, "
                          f"{request.price / TKY:g} TKY, plan verifier/user/hospital "
                          f"{request.verifier_bps}/{request.user_bps}/{request.data_provider_bps} bps")  # fmt: skip
        report.off_chain.append(
            "service description (scope, purpose, salt) kept by the parties; its hash is in the terms"
        )
        return Case(request, terms), self._finish(report, started)

    def sign_and_fund(self, case: Case) -> StepReport:
        """Step 2: the user and the verifier sign; the provider creates and funds by permit; the
        user signs the consent and the registrar relays it."""
        self._require_open(case)
        started, report = (
            time.perf_counter(),
            StepReport(2, "Signatures: agreement accepted and funded, consent granted"),
        )
        a, terms = self.actors, case.terms
        deadline = self.chain.timestamp() + 3_600
        user_acceptance = self.escrow.sign_acceptance(a.user, terms, deadline)
        verifier_acceptance = self.escrow.sign_acceptance(a.verifier, terms, deadline)
        case.agreement_id, rc = self.escrow.create_and_fund(a.insurer, terms, verifier_acceptance, user_acceptance)
        self._tx(report, f"create + fund agreement {case.agreement_id} by permit", rc)
        grant = GrantRequest(
            subject=a.user.address, grantee=a.insurer.address, scope=scope_id(case.request.scope),
            purpose=purpose_id(case.request.purpose), valid_until=self.chain.timestamp() + 30 * DAY, max_uses=3,
        )  # fmt: skip
        signed = self.consents.sign_grant(a.user, grant, deadline)
        receipt = self.consents.grant_by_sig(a.registrar, signed)
        case.consent_id = receipt.consent_id
        self._tx(report, "consent granted (user-signed, relayed by the registrar)", receipt.receipt)
        report.summary = (f"agreement {case.agreement_id} is "
                          f"{self.escrow.agreement(case.agreement_id, terms).status.label}; "
                          f"consent 0x{case.consent_id.hex()[:16]}… for 30 days, 3 uses")  # fmt: skip
        report.off_chain += [
            "user signed the agreement and the consent on a phone (EIP-712); the user paid no gas",
            "the user presented a fingerprint sample to the verifier (off chain)",
        ]
        return self._finish(report, started)

    # -- step 3: policy -------------------------------------------------------------------------

    def _decline(self, case: Case, report: StepReport, code: str) -> None:
        rc = self.escrow.decline(self.actors.verifier, case.agreement_id, reason_hash(code), case.terms)
        self._tx(report, f"declined ({code}); the price is credited back to the insurer", rc)
        self._tx(report, "the insurer withdraws its refund", self.escrow.withdraw(self.actors.insurer))
        case.status = f"declined:{code}"
        report.ok = False

    def check_policy(self, case: Case) -> StepReport:
        """Step 3: the verifier checks the request against the industry rules."""
        self._require_open(case)
        started, report = time.perf_counter(), StepReport(3, "Policy: the request against the industry rules")
        r = case.request
        case.policy = self.policy.check(r.provider_category, r.scope, r.purpose, r.price)
        report.summary = f"{case.policy.reason} (rules 0x{case.policy.policy_version.hex()[:16]}…)"
        report.off_chain.append(f"rules file {self.policy.name!r} evaluated by the verifier")
        if not case.policy.allowed:
            self._decline(case, report, case.policy.code)
        return self._finish(report, started)

    # -- step 4: identity -----------------------------------------------------------------------

    def check_identity(self, case: Case, sample: BiometricSample, signals: Signals) -> StepReport:
        """Step 4: the biometric match cross-checked with behaviour and scene data."""
        self._require_open(case)
        started, report = time.perf_counter(), StepReport(4, "Identity: biometric match, behaviour and scene")
        case.identity = result = self.check.check(self.did(self.actors.user), sample, signals)
        report.summary = (f"{result.reason}: match {result.match_score:.3f}, behaviour {result.behaviour_score:.2f}, "
                          f"scene {result.scene_score:.2f} → confidence {result.confidence:.3f} "
                          f"(threshold {result.threshold})")  # fmt: skip
        report.off_chain.append("sample compared with the government-certified template through the record service")
        if not result.passed:
            self._decline(case, report, result.code)
        return self._finish(report, started)

    # -- step 5: evidence -----------------------------------------------------------------------

    def _issue(self, issuer: LocalAccount, vc_type: str, claims: dict[str, Any], valid_for: int) -> IssuedCredential:
        now = self.chain.timestamp()
        (index,) = next_status_indexes(self.credentials, issuer.address, 1)
        return issue_credential(
            self.credentials, issuer, subject=self.did(self.actors.user), credential_type=vc_type, claims=claims,
            schema_id=self.schemas[vc_type], valid_from=now, valid_until=now + valid_for, status_index=index,
        )  # fmt: skip

    def record_evidence(self, case: Case) -> StepReport:
        """Step 5: the verification record's hash, anchored as an IdentityVerification credential."""
        self._require_open(case)
        if case.policy is None or case.identity is None or not case.identity.passed:
            raise FlowError("evidence needs a passed policy check and identity check")
        started, report = time.perf_counter(), StepReport(5, "Evidence: the verification record anchored")
        a = self.actors
        record = {
            "type": "TheKeyVerificationRecord",
            "agreement": f"{self.escrow.address}#{case.agreement_id}",
            "subject": self.did(a.user),
            "provider": self.did(a.insurer),
            "scope": case.request.scope,
            "purpose": case.request.purpose,
            "policyVersion": "0x" + case.policy.policy_version.hex(),
            "identityCheck": case.identity.as_json(),
            "decidedAt": self.chain.timestamp(),
            "salt": os.urandom(16).hex(),
        }
        record_hash = document_hash(record)
        case.evidence = self._issue(a.verifier, IDENTITY_VERIFICATION, {
            "verificationRecord": "0x" + record_hash.hex(),
            "agreement": record["agreement"],
            "decision": "identity confirmed",
            "policyVersion": record["policyVersion"],
        }, 365 * DAY)  # fmt: skip
        self._tx(report, "anchor IdentityVerification credential",
                 anchor_credential(self.credentials, a.verifier, case.evidence))  # fmt: skip
        report.summary = f"credential 0x{case.evidence.hash.hex()[:16]}… anchors record 0x{record_hash.hex()[:16]}…"
        report.off_chain += [
            "full verification record (input hashes, scores, decision, policy version) kept by the verifier",
            "the signed IdentityVerification credential handed to the user",
        ]
        return self._finish(report, started)

    # -- step 6: the health record ----------------------------------------------------------------

    def publish_health_record(self, case: Case, record: dict[str, Any]) -> StepReport:
        """Step 6a: the hospital issues and anchors the health-record credential, seals it in its
        vault, and (with the user's consent) publishes that it holds such a record."""
        self._require_open(case)
        started, report = time.perf_counter(), StepReport(6, "Health record: issued, sealed off chain, route published")
        a = self.actors
        case.health_record = issued = self._issue(a.hospital, HEALTH_RECORD, record, 365 * DAY)
        self._tx(report, "anchor HealthRecord credential", anchor_credential(self.credentials, a.hospital, issued))
        content = canonical_json(issued.credential)
        sealed = self.vault.seal(content, [self.reader_keys["hospital"].public_key()])
        category = scope_id(case.request.scope)
        route_consent = GrantRequest(subject=a.user.address, grantee=a.hospital.address, scope=category,
                                     purpose=purpose_id(ROUTE_PURPOSE))  # fmt: skip
        signed = self.consents.sign_grant(a.user, route_consent, self.chain.timestamp() + 3_600)
        salt = os.urandom(16)
        self._route_salts[sealed.record_id] = salt
        route = RouteRequest(organisation=a.hospital.address, subject=a.user.address, category=category,
                             digest=route_digest(content, salt), updated_at=self.chain.timestamp())  # fmt: skip
        self._tx(report, "route consent (user-signed) relayed with the data route published",
                 self.routes.publish_with_consent(a.hospital, route, signed))  # fmt: skip
        report.summary = f"HealthRecord 0x{issued.hash.hex()[:16]}… held by the hospital; route published"
        report.off_chain += [
            f"record content AES-256-GCM encrypted in the hospital's vault (record 0x{sealed.record_id.hex()[:16]}…)",
            "the route shows only that the hospital holds a health.record for the DID, with a salted digest",
        ]
        return self._finish(report, started)

    def fetch_health_record(self, case: Case) -> StepReport:
        """Step 6b: the insurer finds the holder through the route and obtains the record through
        the consent-checked path (use recorded on chain), then decrypts and verifies it."""
        self._require_open(case)
        if case.health_record is None:
            raise FlowError("no health record has been published for this case")
        started, report = time.perf_counter(), StepReport(6, "Health record: fetched under consent and verified")
        a = self.actors
        category = scope_id(case.request.scope)
        holders = [r.organisation for r in self.routes.routes(a.user.address) if r.category == category and r.live]
        if a.hospital.address not in holders:
            raise FlowError("the data route shows no holder of the record")
        record_id = document_hash(case.health_record.credential)
        insurer_key, hospital_key = self.reader_keys["insurer"], self.reader_keys["hospital"]

        def hand_over() -> Delivery:  # the hospital's side: share the record key with the insurer
            self.vault.share(record_id, hospital_key, insurer_key.public_key())
            return Delivery(self.vault.open(record_id, insurer_key), self._route_salts[record_id])

        access = DataAccess(self.consents, a.insurer, routes=self.routes)
        try:
            result = access.obtain(a.user.address, category, purpose_id(case.request.purpose), hand_over,
                                   holder=a.hospital.address)  # fmt: skip
        except ConsentRequired as exc:
            case.status = "stopped:consent-revoked"
            report.ok, report.summary = False, f"fetch refused: {exc}"
            return self._finish(report, started)
        self._tx(report, f"use {result.usage.use} of the consent recorded", self.chain.wait(result.usage.tx_hash))
        credential = json.loads(result.data)
        case.health_record_verification = verify_credential(self.credentials, credential, holder=self.did(a.user))
        report.ok = case.health_record_verification.valid
        report.summary = (f"holder found through the route: {', '.join(holders)}; credential "
                          f"{'valid' if report.ok else 'INVALID'}: "
                          f"{', '.join(c.name for c in case.health_record_verification.checks)}")  # fmt: skip
        report.off_chain += [
            "hospital wrapped the record key for the insurer's X25519 key "
            f"(reader 0x{public_bytes(insurer_key.public_key()).hex()[:12]}…)",
            "insurer decrypted the record and checked it against the route digest and the credential anchor",
        ]
        return self._finish(report, started)

    def revoke_consent(self, case: Case) -> StepReport:
        """The user withdraws the consent (signed; relayed by the registrar)."""
        started, report = time.perf_counter(), StepReport(6, "Consent withdrawn by the user")
        signed = self.consents.sign_revoke(self.actors.user, case.consent_id, self.chain.timestamp() + 3_600)
        self._tx(
            report, "consent revoked (user-signed, relayed)", self.consents.revoke_by_sig(self.actors.registrar, signed)
        )
        report.summary = f"consent 0x{case.consent_id.hex()[:16]}… revoked"
        return self._finish(report, started)

    # -- step 7: settlement -----------------------------------------------------------------------

    def settle(self, case: Case) -> StepReport:
        """Step 7: complete with the evidence hash, confirm, and every payee withdraws."""
        self._require_open(case)
        if case.evidence is None:
            raise FlowError("settlement needs the anchored evidence")
        started, report = time.perf_counter(), StepReport(7, "Settlement: TKY paid out by the plan")
        a = self.actors
        self._tx(
            report,
            "complete with evidence",
            self.escrow.complete(a.verifier, case.agreement_id, case.evidence.hash, case.terms),
        )
        self._tx(report, "provider confirms: settled", self.escrow.confirm(a.insurer, case.agreement_id, case.terms))
        paid = {}
        for name, party in (("verifier", a.verifier), ("user", a.user), ("hospital", a.hospital)):
            owed = self.escrow.credit_of(party.address)
            if owed:
                self._tx(report, f"{name} withdraws", self.escrow.withdraw(party))
                paid[name] = owed
        case.status = "settled"
        report.summary = ", ".join(f"{k} {v / TKY:g} TKY" for k, v in paid.items())
        return self._finish(report, started)

    def reclaim_after_deadline(self, case: Case) -> StepReport:
        """The verifier missed the service deadline: the provider takes the price back."""
        started, report = time.perf_counter(), StepReport(7, "Timeout: the provider reclaims")
        self.chain.set_next_block_timestamp(case.terms.service_deadline + 1)
        self._tx(
            report,
            "reclaim after the service deadline",
            self.escrow.reclaim(self.actors.insurer, case.agreement_id, case.terms),
        )
        case.status = "refunded:timeout"
        report.ok, report.summary = False, f"agreement {case.agreement_id} refunded in full"
        return self._finish(report, started)

    # -- the whole happy path ---------------------------------------------------------------------

    def run(self, request: Request, sample: BiometricSample, signals: Signals, health_record: dict[str, Any]) -> Case:
        """Steps 1 to 7 for one request; stops at the first failure (the case says why)."""
        case, _ = self.request(request)
        self.sign_and_fund(case)
        self.check_policy(case)
        if case.open:
            self.check_identity(case, sample, signals)
        if not case.open:
            return case
        self.record_evidence(case)
        self.publish_health_record(case, health_record)
        self.fetch_health_record(case)
        if case.open:
            self.settle(case)
        return case

    def agreement_status(self, case: Case) -> Status:
        return self.escrow.agreement(case.agreement_id, case.terms).status
