"""Residents' government services across departments, on chain where the mission puts things.

A resident has an account at the tax bureau (department B) and at the social-security office
(department A). Both accounts map to one eID:

0. enrolment — a KYC registrar binds the resident's DID to the HMAC commitments of its ID
               document and person (``IdentityBinding``); governance admits both departments
               as data-route organisations;
1. accounts  — with the resident's signed ``account-link`` consent (relayed by the department),
               each department links the keyed hash HMAC(department secret, local account id)
               of its own account to the DID (``DataRoutes.linkAccount``);
2. route     — with the resident's signed ``data-route`` consent, the tax bureau publishes that it
               holds the resident's ``tax.record``: a salted digest, never the record;
3. discovery — the social-security office maps its local account to the DID through its keyed
               hash and finds, in the data route, that the tax bureau holds the record it needs;
4. refusal   — without the resident's authorisation the fetch is refused: by the office's own
               ``DataAccess`` gate, and by the tax bureau's endpoint, which checks the chain;
5. authorise — the resident signs the authorisation (consent for ``tax.record`` /
               ``government-service`` to the office), which the office relays;
6. fetch     — the office records the use on chain, requests the record from the tax bureau's
               HTTP endpoint (an EIP-712 signed request naming the consent), the bureau checks the
               consent and that a use was recorded for this delivery, serves the record, and the
               office checks it against the published digest;
7. revoke    — the resident revokes; the same fetch is refused again.

On chain: DIDs (addresses), commitments and account keys (keyed hashes), category and purpose
ids, a salted digest, consent records and usage receipts. Off chain: the name, the document
number, the local account ids, the departments' secrets, the record and its salt.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount

from thekey.chain.transactions import Receipt
from thekey.consent.access import ConsentRequired, DataAccess, Delivery
from thekey.consent.ids import ACCOUNT_LINK_SCOPE, ROUTE_PURPOSE, purpose_id, scope_id
from thekey.consent.registry import ConsentKey, ConsentNotFound, ConsentRegistry, GrantRequest
from thekey.consent.routes import DataRoutes, RouteRequest, account_key, route_digest
from thekey.credentials.canonical import canonical_json
from thekey.deploy import Deployment
from thekey.eip712 import Domain, sign_typed_data, typed_data
from thekey.errors import BadInput, TheKeyError
from thekey.hashing import to_checksum_address
from thekey.identity.commitment import commit, person_commitment
from thekey.identity.did import did_for
from thekey.identity.registry import IdentityBinding
from thekey.workflow.flow import StepReport, Transaction

SCOPE = "tax.record"
PURPOSE = "government-service"
DAY = 86_400
REQUEST_SKEW = 120  # seconds a data request's issuedAt may differ from the endpoint's clock

#: The signed request an organisation sends a data holder's endpoint (EIP-712, the data-route
#: registry's chain and address as the domain, so a request is good for one deployment only).
REQUEST_TYPES: dict[str, list[tuple[str, str]]] = {
    "DataRequest": [
        ("holder", "address"),
        ("requester", "address"),
        ("subject", "address"),
        ("category", "bytes32"),
        ("purpose", "bytes32"),
        ("consentId", "bytes32"),
        ("issuedAt", "uint64"),
        ("nonce", "bytes32"),
    ]
}


@dataclass(frozen=True)
class Resident:
    """The resident's real-world data. Off chain only: the flow never sends any of it."""

    name: str
    document_type: str
    document_country: str
    document_number: str
    tax_account: str  # the tax bureau's local account id
    social_account: str  # the social-security office's local account id


#: The resident of the story. Fictional; the privacy tests scan every transaction for these values.
RESIDENT = Resident(
    name="Chen Jing",
    document_type="ID_CARD",
    document_country="CN",
    document_number="310104198812240036",
    tax_account="TAX-SH-2019-0048213",
    social_account="SSB-310104-77120",
)
TAX_RECORD: dict[str, Any] = {
    "recordType": "annual-tax-assessment",
    "taxYear": "2025",
    "assessedIncome": "186400.00 CNY",
    "taxPaid": "21870.00 CNY",
    "assessment": "settled, no arrears",
}


class DataRefused(TheKeyError):
    """A data holder's endpoint refused a request (the HTTP status and its RFC 9457 detail)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"refused by the data holder (HTTP {status}): {detail}")
        self.status = status
        self.detail = detail


class ScenarioFailed(TheKeyError):
    """The government scenario did not end as the story says it must."""


@dataclass
class Department:
    """A department: its chain account (its DID), its account-mapping secret and its records."""

    name: str
    account: LocalAccount
    secret: bytes = field(default_factory=lambda: os.urandom(32), repr=False)
    records: dict[str, bytes] = field(default_factory=dict, repr=False)  # local account id → record

    @property
    def address(self) -> str:
        return str(self.account.address)

    def key_of(self, local_account: str) -> bytes:
        return account_key(self.secret, local_account)


# -- the data request ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataRequest:
    holder: str
    requester: str
    subject: str
    category: bytes
    purpose: bytes
    consent_id: bytes
    issued_at: int
    nonce: bytes

    def message(self) -> dict[str, Any]:
        return {
            "holder": to_checksum_address(self.holder), "requester": to_checksum_address(self.requester),
            "subject": to_checksum_address(self.subject), "category": self.category, "purpose": self.purpose,
            "consentId": self.consent_id, "issuedAt": self.issued_at, "nonce": self.nonce,
        }  # fmt: skip

    def document(self) -> dict[str, Any]:
        return {k: ("0x" + v.hex() if isinstance(v, bytes) else v) for k, v in self.message().items()}

    @classmethod
    def from_document(cls, d: Any) -> DataRequest:
        try:
            return cls(
                to_checksum_address(d["holder"]), to_checksum_address(d["requester"]),
                to_checksum_address(d["subject"]), _b32(d["category"]), _b32(d["purpose"]), _b32(d["consentId"]),
                int(d["issuedAt"]), _b32(d["nonce"]),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError):
            raise BadInput("not a data request (holder, requester, subject, category, purpose, consentId, "
                           "issuedAt, nonce)") from None  # fmt: skip


def _b32(value: Any) -> bytes:
    raw = bytes.fromhex(str(value).removeprefix("0x"))
    if len(raw) != 32:
        raise ValueError("not 32 bytes")
    return raw


def request_domain(routes: DataRoutes) -> Domain:
    return Domain("TheKey Data Request", "1", routes.chain.chain_id, routes.address)


def sign_request(routes: DataRoutes, signer: LocalAccount, request: DataRequest) -> bytes:
    return sign_typed_data(signer, typed_data(request_domain(routes), "DataRequest", REQUEST_TYPES, request.message()))


def request_signer(routes: DataRoutes, request: DataRequest, signature: bytes) -> str:
    document = typed_data(request_domain(routes), "DataRequest", REQUEST_TYPES, request.message())
    return str(Account.recover_message(encode_typed_data(full_message=document), signature=signature))


# -- the data holder's endpoint --------------------------------------------------------------------


class DataEndpoint:
    """A department's HTTP endpoint (``POST /records``) that serves a resident's record only to a
    requester the resident authorised on chain, and only once per use recorded on chain.

    The request is EIP-712 signed by an actor of the requester (owner or sigAuth delegate of its
    DID), fresh, never seen before, and names the consent: the subject's consent to the requester
    for this category and purpose, not revoked, within its window, with more recorded uses than
    this endpoint has served. Refusals are RFC 9457 problem details (403, 400, 404).
    """

    def __init__(self, department: Department, consents: ConsentRegistry, routes: DataRoutes) -> None:
        self.department = department
        self.consents = consents
        self.routes = routes
        self.records: dict[str, tuple[bytes, bytes]] = {}  # subject address → (record, salt)
        self._served: dict[bytes, int] = {}
        self._nonces: dict[bytes, int] = {}  # nonce → issuedAt, forgotten once stale anyway
        self._lock = threading.Lock()

    def hold(self, subject: str, record: bytes, salt: bytes) -> None:
        self.records[to_checksum_address(subject)] = (record, salt)

    def decide(self, body: Any) -> tuple[int, dict[str, Any]]:
        """The endpoint's answer to a request body: ``(HTTP status, JSON)``."""
        try:
            request = DataRequest.from_document(body["request"])
            signature = bytes.fromhex(str(body["signature"]).removeprefix("0x"))
        except (KeyError, TypeError, ValueError, BadInput):
            return _problem(400, "Bad request", "the body is {request: DataRequest, signature: 0x…}")
        if request.holder != self.department.address:
            return _problem(400, "Bad request", "the request is addressed to another data holder")
        now = int(time.time())
        if abs(now - request.issued_at) > REQUEST_SKEW:
            return _problem(403, "Stale request", "the request was not issued within the last two minutes")
        try:
            signer = request_signer(self.routes, request, signature)
        except (ValueError, TypeError):
            return _problem(403, "Bad signature", "the request signature is malformed")
        if not self.consents.acts_for(request.requester, signer):
            return _problem(403, "Bad signature", f"{signer} does not act for the requester {request.requester}")
        with self._lock:
            if request.nonce in self._nonces:
                return _problem(403, "Replayed request", "this request was already answered")
            self._nonces = {n: t for n, t in self._nonces.items() if t >= now - REQUEST_SKEW}
            self._nonces[request.nonce] = request.issued_at
        expected = ConsentKey(request.subject, request.requester, request.category, request.purpose)
        try:
            if self.consents.key_of(request.consent_id) != expected:
                return _problem(403, "Not authorised", "the consent named is not the subject's authorisation of "
                                "this requester for this data and purpose")  # fmt: skip
            consent = self.consents.get(request.consent_id)
        except ConsentNotFound:
            return _problem(403, "Not authorised", "the subject has not authorised this requester (no such consent)")
        chain_now = self.consents.chain.timestamp()
        if consent.revocation_time:
            return _problem(403, "Not authorised", "the subject revoked this authorisation")
        if chain_now < consent.valid_from or (consent.valid_until and chain_now > consent.valid_until):
            return _problem(403, "Not authorised", "the authorisation is outside its validity window")
        with self._lock:
            if consent.uses <= self._served.get(request.consent_id, 0):
                return _problem(403, "Use not recorded", "no use of the authorisation is recorded on chain for "
                                "this delivery")  # fmt: skip
            found = self.records.get(request.subject)
            if found is None:
                return _problem(404, "Not found", "this department holds no such record of the subject")
            self._served[request.consent_id] = self._served.get(request.consent_id, 0) + 1
        record, salt = found
        return 200, {"data": base64.b64encode(record).decode(), "salt": "0x" + salt.hex()}

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve on a free loopback port in a thread; yields the endpoint's URL."""
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's name
                if self.path != "/records":
                    status, payload = _problem(404, "Not found", "POST /records")
                else:
                    try:
                        length = min(int(self.headers.get("Content-Length") or 0), 64 * 1024)
                        body = json.loads(self.rfile.read(length))
                    except ValueError:
                        body = None
                    status, payload = endpoint.decide(body)
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if status == 200 else "application/problem+json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, format: str, *args: Any) -> None:  # quiet: no request logs
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/records"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


def _mined(receipt: Receipt | None) -> Receipt:
    if receipt is None:
        raise ScenarioFailed("a grant returned no transaction receipt")
    return receipt


def _problem(status: int, title: str, detail: str) -> tuple[int, dict[str, Any]]:
    return status, {"type": "about:blank", "title": title, "status": status, "detail": detail}


def fetch_record(url: str, routes: DataRoutes, signer: LocalAccount, request: DataRequest) -> Delivery:
    """POST a signed request to a data holder's endpoint; DataRefused unless it serves the record."""
    body = json.dumps({"request": request.document(), "signature": "0x" + sign_request(routes, signer, request).hex()})
    http = urllib.request.Request(url, body.encode(), {"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(http, timeout=10) as response:
            data = json.loads(response.read())
        return Delivery(base64.b64decode(data["data"]), bytes.fromhex(data["salt"].removeprefix("0x")))
    except urllib.error.HTTPError as exc:
        try:
            detail = str(json.loads(exc.read()).get("detail", exc.reason))
        except ValueError:
            detail = str(exc.reason)
        raise DataRefused(exc.code, detail) from None


# -- the scenario ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parties:
    governance: LocalAccount  # suite admin: admits registrars and organisations
    registrar: LocalAccount  # KYC'd user agent: binds the resident's DID
    resident: LocalAccount  # only ever signs
    social: LocalAccount  # department A: the social-security office (needs the record)
    tax: LocalAccount  # department B: the tax bureau (holds it)

    @classmethod
    def from_accounts(cls, accounts: list[LocalAccount]) -> Parties:
        if len(accounts) < 10:
            raise BadInput("the government scenario needs ten accounts")
        return cls(accounts[0], accounts[1], accounts[6], accounts[7], accounts[8])

    def names(self) -> dict[str, str]:
        return {k: getattr(self, k).address for k in self.__dataclass_fields__}


class GovernmentService:
    """Drives the scenario for one deployment; each step returns its ``StepReport``."""

    def __init__(
        self,
        deployment: Deployment,
        parties: Parties,
        resident: Resident = RESIDENT,
        record: dict[str, Any] | None = None,
        *,
        pepper: bytes | None = None,
        on_step: Callable[[StepReport], None] | None = None,
    ) -> None:
        self.chain = deployment.chain
        self.parties = parties
        self.resident = resident
        self.pepper = pepper or os.urandom(32)
        self.on_step = on_step
        self.binding = IdentityBinding.from_deployment(deployment)
        self.consents = ConsentRegistry.from_deployment(deployment)
        self.routes = DataRoutes.from_deployment(deployment)
        self.social = Department("social-security office", parties.social)
        self.tax = Department("tax bureau", parties.tax)
        self.tax.records[resident.tax_account] = canonical_json(record or TAX_RECORD)
        self.endpoint = DataEndpoint(self.tax, self.consents, self.routes)
        self.scope, self.purpose = scope_id(SCOPE), purpose_id(PURPOSE)
        self.steps: list[StepReport] = []
        self.url = ""  # the tax bureau's endpoint, while served

    @property
    def did(self) -> str:
        return did_for(self.chain.chain_id, self.parties.resident.address)

    def _tx(self, report: StepReport, label: str, receipt: Receipt) -> None:
        report.on_chain.append(Transaction(label, receipt.tx_hash, receipt.gas_used, receipt.block_number))

    def _step(self, number: int, title: str) -> StepReport:
        return StepReport(number, title)

    def _finish(self, report: StepReport, started: float) -> StepReport:
        report.seconds = round(time.perf_counter() - started, 3)
        self.steps.append(report)
        if self.on_step is not None:
            self.on_step(report)
        return report

    def _deadline(self) -> int:
        return self.chain.timestamp() + 3_600

    # -- 0: enrolment ----------------------------------------------------------------------------
    def enroll(self) -> StepReport:
        started, report = time.perf_counter(), self._step(0, "Enrolment: one eID, KYC binding, departments admitted")
        p, r = self.parties, self.resident
        if not self.binding.is_registrar(p.registrar.address):
            self._tx(report, "admit registrar", self.binding.admit_registrar(p.governance, p.registrar.address))
        if self.binding.person_of(p.resident.address) is None:
            chain_id, binding = self.chain.chain_id, self.binding.address
            document = commit(self.pepper, chain_id, binding, r.document_type, r.document_country, r.document_number)
            person = person_commitment(self.pepper, chain_id, binding, r.document_country, r.document_number)
            self._tx(report, "bind DID to document and person commitments",
                     self.binding.bind(p.registrar, document, person, p.resident.address))  # fmt: skip
        for department in (self.social, self.tax):
            if not self.routes.is_organisation(department.address):
                self._tx(report, f"admit the {department.name}", self.routes.admit(p.governance, department.address))
        report.summary = f"{self.did} is the resident's one eID; both departments may use the data route"
        report.off_chain += [
            "name and ID-card number stay with the registrar: only HMAC commitments (pepper kept off chain) are bound",
        ]
        return self._finish(report, started)

    # -- 1: account links ------------------------------------------------------------------------
    def link_accounts(self) -> StepReport:
        started, report = time.perf_counter(), self._step(1, "Accounts: each department's account linked to the eID")
        p = self.parties
        for department, local in ((self.tax, self.resident.tax_account), (self.social, self.resident.social_account)):
            key = department.key_of(local)
            if self.routes.account_subject(department.address, key) == p.resident.address:
                continue
            grant = GrantRequest(p.resident.address, department.address, scope_id(ACCOUNT_LINK_SCOPE),
                                 purpose_id(ROUTE_PURPOSE), max_uses=1)  # fmt: skip
            signed = self.consents.sign_grant(p.resident, grant, self._deadline())
            self._tx(report, f"account-link consent (resident-signed) relayed by the {department.name}",
                     _mined(self.consents.grant_by_sig(department.account, signed).receipt))  # fmt: skip
            link = self.routes.link_account(department.account, department.address, key, p.resident.address)
            self._tx(report, f"{department.name} links HMAC(secret, account id) to the DID", link)
        report.summary = "two local accounts, one eID: each department knows the DID only through its own keyed hash"
        report.off_chain += [
            "local account ids and each department's HMAC secret stay in the departments",
            "the resident signed each consent off line (EIP-712) and paid no gas",
        ]
        return self._finish(report, started)

    # -- 2: the tax bureau publishes the route ---------------------------------------------------
    def publish_route(self) -> StepReport:
        started, report = time.perf_counter(), self._step(2, "Route: the tax bureau publishes the record's digest")
        p = self.parties
        record = self.tax.records[self.resident.tax_account]
        salt = secrets.token_bytes(16)
        self.endpoint.hold(p.resident.address, record, salt)
        consent = GrantRequest(p.resident.address, self.tax.address, self.scope, purpose_id(ROUTE_PURPOSE))
        signed = self.consents.sign_grant(p.resident, consent, self._deadline())
        route = RouteRequest(self.tax.address, p.resident.address, self.scope, route_digest(record, salt),
                             self.chain.timestamp())  # fmt: skip
        self._tx(report, "data-route consent (resident-signed) relayed with the route published",
                 self.routes.publish_with_consent(self.tax.account, route, signed))  # fmt: skip
        report.summary = f"{SCOPE} of the DID held by the tax bureau, digest 0x{route.digest.hex()[:16]}…"
        report.off_chain += ["the tax record and the digest's salt stay in the tax bureau"]
        return self._finish(report, started)

    # -- 3: discovery ----------------------------------------------------------------------------
    def discover(self) -> tuple[str, str, StepReport]:
        """The office maps its local account to the DID and finds the record's holder: (subject, holder)."""
        started, report = time.perf_counter(), self._step(3, "Discovery: the office finds who holds the record")
        subject = self.routes.account_subject(self.social.address, self.social.key_of(self.resident.social_account))
        if subject is None:
            raise ScenarioFailed("the office's account is not linked to any DID")
        holders = [r.organisation for r in self.routes.routes(subject) if r.category == self.scope and r.live]
        if not holders:
            raise ScenarioFailed("the data route shows no holder of the record")
        report.summary = f"account → {did_for(self.chain.chain_id, subject)}; {SCOPE} held by {', '.join(holders)}"
        report.off_chain += ["read only: the keyed hash of the office's account id and the route (no transaction)"]
        return to_checksum_address(subject), holders[0], self._finish(report, started)

    # -- 4/6/7: fetching -------------------------------------------------------------------------
    def _request(self, subject: str, consent_id: bytes) -> DataRequest:
        return DataRequest(self.tax.address, self.social.address, subject, self.scope, self.purpose, consent_id,
                           int(time.time()), secrets.token_bytes(32))  # fmt: skip

    def fetch(self, subject: str, holder: str, number: int, title: str) -> tuple[bytes | None, StepReport]:
        """The office fetches the record: through ``DataAccess`` (consent checked, use recorded,
        data checked against the digest); when that refuses, it asks the endpoint anyway and
        reports the endpoint's refusal too. Returns the record, or None when refused."""
        started, report = time.perf_counter(), self._step(number, title)
        access = DataAccess(self.consents, self.social.account, routes=self.routes)
        try:
            cid = access.live_consent(subject, self.scope, self.purpose)
            result = access.obtain(subject, self.scope, self.purpose,
                                   lambda: fetch_record(self.url, self.routes, self.social.account,
                                                        self._request(subject, cid)),
                                   holder=holder)  # fmt: skip
        except ConsentRequired as exc:
            key = ConsentKey(subject, self.social.address, self.scope, self.purpose)
            last = self.consents.current_consent(*key.as_tuple()) or key.consent_id(1)
            try:
                fetch_record(self.url, self.routes, self.social.account, self._request(subject, last))
            except DataRefused as refused:
                report.ok = False
                report.summary = f"refused: the office's gate ({exc}); the tax bureau's endpoint ({refused.detail})"
                report.off_chain += ["nothing was recorded or delivered"]
                return None, self._finish(report, started)
            raise ScenarioFailed("the tax bureau served the record without a live authorisation") from None
        self._tx(report, f"use {result.usage.use} of the authorisation recorded", self.chain.wait(result.usage.tx_hash))
        report.summary = f"{len(result.data)} bytes from the tax bureau, matching the published digest"
        report.off_chain += [
            "EIP-712 signed request over loopback HTTP to the tax bureau, which checked the consent on chain",
            "the record and its salt travelled off chain; the office checked keccak(salt ‖ record) = the route digest",
        ]
        return result.data, self._finish(report, started)

    # -- 5: authorisation, and its revocation ----------------------------------------------------
    def authorise(self, subject: str) -> StepReport:
        started, report = time.perf_counter(), self._step(5, "Authorisation: the resident lets the office use it")
        grant = GrantRequest(subject, self.social.address, self.scope, self.purpose,
                             valid_until=self.chain.timestamp() + 30 * DAY, max_uses=3)  # fmt: skip
        signed = self.consents.sign_grant(self.parties.resident, grant, self._deadline())
        receipt = self.consents.grant_by_sig(self.social.account, signed)
        self._tx(report, "authorisation (resident-signed) relayed by the office", _mined(receipt.receipt))
        report.summary = f"consent 0x{receipt.consent_id.hex()[:16]}…: {SCOPE} for {PURPOSE}, 30 days, 3 uses"
        report.off_chain += ["the resident signed on its phone (EIP-712); the office paid the gas"]
        return self._finish(report, started)

    def revoke(self, subject: str) -> StepReport:
        started, report = time.perf_counter(), self._step(7, "Revocation: the resident withdraws the authorisation")
        cid = self.consents.current_consent(subject, self.social.address, self.scope, self.purpose)
        if cid is None:
            raise ScenarioFailed("there is no authorisation to revoke")
        signed = self.consents.sign_revoke(self.parties.resident, cid, self._deadline())
        self._tx(report, "revocation (resident-signed) relayed", self.consents.revoke_by_sig(self.tax.account, signed))
        report.summary = f"consent 0x{cid.hex()[:16]}… revoked"
        return self._finish(report, started)


@dataclass
class GovernmentTranscript:
    chain_id: int
    contracts: dict[str, str]
    actors: dict[str, str]
    steps: list[StepReport] = field(default_factory=list)
    cases: dict[str, str] = field(default_factory=dict)
    #: the run's parties and off-chain state (secrets, records), for inspection
    service: GovernmentService | None = field(default=None, repr=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": "government", "chainId": self.chain_id, "contracts": self.contracts, "actors": self.actors,
            "steps": [s.as_json() for s in self.steps], "cases": self.cases,
            "gasUsed": sum(t.gas_used for s in self.steps for t in s.on_chain),
        }  # fmt: skip


def run_government(
    deployment: Deployment,
    accounts: list[LocalAccount],
    *,
    on_step: Callable[[StepReport], None] | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> GovernmentTranscript:
    """The whole story; raises ScenarioFailed unless each fetch ends as it must."""
    phase = on_phase or (lambda _p: None)
    parties = Parties.from_accounts(accounts)
    service = GovernmentService(deployment, parties, on_step=on_step)
    out = GovernmentTranscript(deployment.chain.chain_id, deployment.addresses, parties.names(), service=service)
    with service.endpoint.serve() as url:
        service.url = url
        phase("Enrolment and account links")
        service.enroll()
        service.link_accounts()
        phase("The tax bureau publishes the route; the social-security office finds it")
        service.publish_route()
        subject, holder = service.discover()[:2]
        phase("Without the resident's authorisation")
        data, _ = service.fetch(subject, holder, 4, "Fetch without authorisation: refused")
        if data is not None:
            raise ScenarioFailed("the record was delivered without an authorisation")
        out.cases["without authorisation"] = "refused"
        phase("With the resident's signed authorisation")
        service.authorise(subject)
        data, _ = service.fetch(subject, holder, 6, "Fetch: use recorded, record delivered and checked")
        if data != service.tax.records[service.resident.tax_account]:
            raise ScenarioFailed("the authorised fetch did not deliver the record")
        out.cases["authorised"] = "delivered"
        phase("After the resident revokes")
        service.revoke(subject)
        data, _ = service.fetch(subject, holder, 8, "Fetch after revocation: refused")
        if data is not None:
            raise ScenarioFailed("the record was delivered after the authorisation was revoked")
        out.cases["after revocation"] = "refused"
    out.steps = service.steps
    return out
