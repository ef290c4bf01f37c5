"""The HTTP gateway (``thekey serve``): the suite on the ecosystem's own interfaces.

- ``GET /1.0/identifiers/{did}`` — DID resolution in the DIF Universal Resolver driver form
  (W3C DID Resolution result or the bare document, chosen by ``Accept``);
- ``POST /credentials/verify`` — credential verification on the W3C VC API's shape, with the
  same checks ``thekey credential verify`` prints (concurrent requests share chain reads:
  ``thekey.gateway.verification``);
- ``POST /presentations/verify`` — a holder-bound presentation for the caller's challenge and
  domain (``thekey.credentials.presentation``), the same checks ``thekey credential
  verify-presentation`` prints;
- ``GET /anchors/{issuer}/{hash}`` — the chain's record of one anchored credential;
- ``GET /status-lists/{chain}/{registry}/{issuer}/{purpose}`` — an issuer's on-chain status list
  as a signed W3C ``BitstringStatusListCredential`` (``thekey.gateway.status_lists``);
- ``GET /consents/{id}``, ``GET /consents/authorized?subject=&grantee=&scope=&purpose=``
  (``isAuthorized``) and ``GET /agreements/{id}`` — read-only views of consents and escrow agreements;
- ``GET /health`` (the process answers) and ``GET /ready`` (the node answers and the suite is
  deployed where the manifest says);
- ``GET /openapi.json`` — the OpenAPI 3.1 document generated from these handlers' docstrings.

Starlette under uvicorn: a small, maintained ASGI toolkit — routing, requests and responses,
nothing else; the handlers are plain functions over the SDK. The gateway has no write endpoints
and holds nobody's keys: its only key is its own status key, which signs status lists. Every
failure is an RFC 9457 problem document with a 4xx for bad input, 503 when the node does not
answer; bodies are capped and each client is rate limited.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.schemas import SchemaGenerator
from starlette.types import ASGIApp, Receive, Scope, Send

from thekey.consent.ids import documented_purpose, documented_scope
from thekey.consent.registry import ConsentNotFound, ConsentRegistry
from thekey.credentials.anchoring import CredentialRegistry, Query
from thekey.credentials.presentation import verify_presentation
from thekey.credentials.status import PURPOSES, Purpose, check_base_url
from thekey.deploy import Deployment
from thekey.errors import BadInput, ChainError, TheKeyError
from thekey.gateway.problems import Problem, problem_response
from thekey.gateway.status_lists import MEDIA_TYPE as STATUS_LIST_MEDIA_TYPE
from thekey.gateway.status_lists import StatusListConfig, StatusLists
from thekey.gateway.verification import BatchVerifier
from thekey.identity.did import EthrDID, parse_did_or_address
from thekey.identity.did_document import DIDResolver, Resolution
from thekey.identity.registry import EIDRegistry
from thekey.parsing import is_digits
from thekey.payments.escrow import Escrow

log = logging.getLogger("thekey.gateway")

RESOLUTION_PROFILE = 'application/ld+json;profile="https://w3id.org/did-resolution"'
RESOLUTION_CONTEXT = "https://w3id.org/did-resolution/v1"
# Representations of the DID document alone, and of the whole resolution result.
DOCUMENT_MEDIA_TYPES = ("application/did+ld+json", "application/did+json", "application/did")
RESULT_MEDIA_TYPES = ("application/did-resolution", RESOLUTION_PROFILE)
# DID Resolution error -> HTTP status (DID Resolution §"HTTP(S) binding").
RESOLUTION_STATUS = {
    "invalidDid": 400,
    "notFound": 404,
    "representationNotSupported": 406,
    "methodNotSupported": 501,
}


@dataclass(frozen=True)
class GatewayConfig:
    """Limits of one gateway process, its public URL and how it publishes status lists."""

    max_body_bytes: int = 256 * 1024
    rate_per_second: float = 100.0  # per client address, sustained
    burst: int = 200  # per client address, at once
    public_url: str | None = None  # the base of list URLs [default: the listening socket's URL]
    status: StatusListConfig = field(default_factory=StatusListConfig)


class ResolutionCache:
    """Resolutions by (DID, representation, head block hash): any new block starts afresh, so a
    cached answer is never older than the chain head it was asked at (LRU, ``size`` entries)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[str, str, str], Resolution] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> Resolution | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
            return hit

    def put(self, key: tuple[str, str, str], value: Resolution) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


class RateLimiter:
    """A token bucket per client address (in-process; put a shared limiter in front of replicas)."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def wait_time(self, client: str) -> float:
        """0 if ``client`` may go now (and takes a token), else seconds until it may."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / self.rate


class RateLimit:
    """ASGI middleware: 429 with ``Retry-After`` once a client address is over its bucket."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app, self.limiter = app, limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            client = scope["client"][0] if scope.get("client") else "unknown"
            wait = self.limiter.wait_time(client)
            if wait > 0:
                retry = str(max(1, round(wait)))
                response = problem_response(429, f"too many requests from {client}; retry in {retry} s",
                                            instance=scope["path"], headers={"Retry-After": retry})  # fmt: skip
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _media_ranges(accept: str) -> list[str]:
    """The media ranges of an ``Accept`` header, best first (q-values honoured, q=0 dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";") if p.strip()]
        if not pieces:
            continue
        q = 1.0
        params = []
        for p in pieces[1:]:
            key, _, value = p.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
            else:
                params.append(f"{key.strip().lower()}={value.strip()}")
        if q > 0:
            ranked.append((-q, n, ";".join([pieces[0].lower(), *params])))
    return [m for _, _, m in sorted(ranked)]


def _negotiate(accept: str | None) -> str | None:
    """The representation to serve for ``Accept``, or None when none is acceptable."""
    if not accept:
        return RESOLUTION_PROFILE
    for media in _media_ranges(accept):
        if media in DOCUMENT_MEDIA_TYPES or media in RESULT_MEDIA_TYPES:
            return media
        if media in ("*/*", "application/*", "application/json", "application/ld+json"):
            return RESOLUTION_PROFILE
    return None


def _local_base(request: Request) -> str:
    """The URL of the socket the request came in on (never the client's Host header, which would
    let any client name, and make the gateway sign, lists under URLs of its choosing)."""
    host, port = request.scope.get("server") or ("127.0.0.1", 80)
    host = f"[{host}]" if ":" in str(host) else host
    return f"{request.url.scheme}://{host}:{port}"


def _bytes32(raw: str, what: str) -> bytes:
    try:
        value = bytes.fromhex(raw.removeprefix("0x"))
    except ValueError:
        value = b""
    if len(value) != 32:
        raise Problem(400, f"a {what} is 32 bytes (0x + 64 hex digits), not {raw!r}", kind="invalid-request")
    return value


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _json(data: Any, status: int = 200, media_type: str = "application/json", **headers: str) -> Response:
    body = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    return Response(body, status_code=status, media_type=media_type, headers={"ETag": _etag(body), **headers})


class Gateway:
    """The handlers over one deployment."""

    def __init__(self, deployment: Deployment, config: GatewayConfig | None = None) -> None:
        self.deployment = deployment
        self.config = config or GatewayConfig()
        self.credentials = CredentialRegistry.from_deployment(deployment)
        self.identities = EIDRegistry.from_deployment(deployment)
        self.consents = ConsentRegistry.from_deployment(deployment)
        self.escrow = Escrow.from_deployment(deployment)
        self.resolver = DIDResolver.from_deployment(deployment)
        self.limiter = RateLimiter(self.config.rate_per_second, self.config.burst)
        self.verifier = BatchVerifier(self.credentials)
        self.resolutions = ResolutionCache()
        self.status_lists = StatusLists(self.credentials, self.resolver, self.config.status)
        self.public_url = None if self.config.public_url is None else check_base_url(self.config.public_url)

    # -- probes ----------------------------------------------------------------------------
    async def health(self, request: Request) -> Response:
        """
        summary: Liveness — the gateway process answers.
        responses:
          200: {description: The process is up.}
        """
        return JSONResponse({"status": "ok"})

    async def ready(self, request: Request) -> Response:
        """
        summary: Readiness — the node answers and the suite is deployed where the manifest says.
        responses:
          200: {description: Ready; the chain id and the latest block.}
          503: {description: The node does not answer or the suite is not there.}
        """

        def probe() -> dict[str, Any]:
            chain = self.deployment.chain
            for key, address in self.deployment.addresses.items():
                if chain.rpc("eth_getCode", [address, "latest"]) in ("0x", "0x0", None):
                    raise Problem(503, f"no {key} contract at {address}", kind="suite-not-deployed")
            return {"status": "ready", "chainId": chain.chain_id, "block": chain.block_number()}

        return JSONResponse(await run_in_threadpool(probe))

    # -- DID resolution ----------------------------------------------------------------------
    async def resolve(self, request: Request) -> Response:
        """
        summary: Resolve a did:ethr DID (DIF Universal Resolver driver interface).
        parameters:
          - in: path
            name: identifier
            required: true
            schema: {type: string}
            description: A did:ethr DID (optionally ?versionId=<block>).
          - in: header
            name: Accept
            required: false
            schema: {type: string}
            description: >-
              application/did-resolution, or application/ld+json with the did-resolution profile (the
              default), for the resolution result; application/did+ld+json, application/did+json or
              application/did for the document alone.
        responses:
          200: {description: Resolved.}
          400: {description: invalidDid.}
          404: {description: "notFound (the DID names a network this gateway does not serve)."}
          406: {description: representationNotSupported.}
          410: {description: The DID is deactivated; the body is its (empty) document and metadata.}
          501: {description: methodNotSupported (not did:ethr).}
        """
        did = request.path_params["identifier"]
        if request.url.query:
            did = f"{did}?{request.url.query}"
        media = _negotiate(request.headers.get("accept"))
        result_media = media if media in RESULT_MEDIA_TYPES else RESOLUTION_PROFILE
        if media is None:
            return self._resolution_error(
                "representationNotSupported", f"no acceptable representation for {request.headers.get('accept')!r}",
                result_media,
            )  # fmt: skip
        method = did.split(":", 2)[1] if did.startswith("did:") and did.count(":") >= 2 else None
        if method is None:
            return self._resolution_error("invalidDid", f"not a DID: {did}", result_media)
        if method != "ethr":
            return self._resolution_error("methodNotSupported", f"this driver resolves did:ethr, not did:{method}",
                                          result_media)  # fmt: skip
        accept = "application/did+json" if media == "application/did+json" else "application/did+ld+json"
        resolution = await run_in_threadpool(self._resolve, did, accept)
        error = resolution.did_resolution_metadata.get("error")
        if error == "unknownNetwork":
            return self._resolution_error("notFound", resolution.did_resolution_metadata["message"], result_media)
        if error:
            return self._resolution_error(str(error), str(resolution.did_resolution_metadata.get("message", error)),
                                          result_media)  # fmt: skip
        status = 410 if resolution.deactivated else 200
        if media in DOCUMENT_MEDIA_TYPES:
            response = _json(resolution.did_document, status, media)
        else:
            metadata = {**resolution.did_resolution_metadata, "contentType": "application/did+ld+json"}
            body = {"@context": RESOLUTION_CONTEXT, **resolution.as_dict(), "didResolutionMetadata": metadata}
            response = _json(body, status, result_media)
        return self._conditional(request, response, "no-cache")

    def _resolve(self, did: str, accept: str) -> Resolution:
        head = self.deployment.chain.rpc("eth_getBlockByNumber", ["latest", False])
        key = (did, accept, str(head["hash"]))
        cached = self.resolutions.get(key)
        if cached is None:
            cached = self.resolver.resolve(did, accept=accept, now=int(head["timestamp"], 16))
            self.resolutions.put(key, cached)
        return cached

    @staticmethod
    def _resolution_error(error: str, message: str, media: str) -> Response:
        body = {
            "@context": RESOLUTION_CONTEXT,
            "didDocument": None,
            "didDocumentMetadata": {},
            "didResolutionMetadata": {"error": error, "errorMessage": message},
        }
        return _json(body, RESOLUTION_STATUS.get(error, 400), media)

    @staticmethod
    def _conditional(request: Request, response: Response, cache_control: str) -> Response:
        """``304 Not Modified`` when the client already holds this representation."""
        response.headers["Cache-Control"] = cache_control
        etag = response.headers["ETag"]
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers={"ETag": etag, "Cache-Control": cache_control})
        return response

    # -- credentials -------------------------------------------------------------------------
    async def verify_credential(self, request: Request) -> Response:
        """
        summary: Verify a credential (W3C VC API shape).
        requestBody:
          required: true
          content:
            application/json:
              schema:
                type: object
                required: [verifiableCredential]
                properties:
                  verifiableCredential: {type: object}
                  options: {type: object}
        responses:
          200:
            description: >-
              Verification ran: `verified`, the passed `checks`, `errors` of the failed ones and
              every check's `results`.
          400: {description: The body is not such a JSON object.}
          413: {description: The body is larger than the gateway accepts.}
          415: {description: The body is not JSON.}
        """
        body = await self._json_body(request)
        credential = body.get("verifiableCredential")
        if not isinstance(credential, dict):
            raise Problem(400, "the body needs a `verifiableCredential` JSON object", kind="invalid-request")
        options = body.get("options", {})
        if not isinstance(options, dict):
            raise Problem(400, "`options` must be a JSON object", kind="invalid-request")
        unknown = sorted(set(options))
        if unknown:
            raise Problem(400, f"unsupported options: {', '.join(unknown)}", kind="invalid-request")
        result = await self.verifier.verify(credential)
        report = result.as_json()
        return JSONResponse(
            {
                "verified": result.valid,
                "checks": [c.name for c in result.checks if c.ok],
                "warnings": [],
                "errors": [f"{c.name}: {c.reason}" for c in result.failures],
                "credentialHash": report["credentialHash"],
                "results": report["checks"],
            }
        )

    async def verify_presentation(self, request: Request) -> Response:
        """
        summary: Verify a holder-bound presentation made for a challenge and domain (W3C VC API shape).
        description: >-
          The checks `thekey credential verify-presentation` prints: signature, holder (the signer
          controls the holder DID now), challenge and domain (the caller's, given in `options`),
          freshness and every embedded credential. The caller issues its challenges and keeps each
          one single-use: the gateway does not track them.
        requestBody:
          required: true
          content:
            application/json:
              schema:
                type: object
                required: [verifiablePresentation, options]
                properties:
                  verifiablePresentation: {type: object}
                  options:
                    type: object
                    required: [challenge, domain]
                    properties: {challenge: {type: string}, domain: {type: string}}
        responses:
          200:
            description: >-
              Verification ran: `verified`, the passed `checks`, `errors` of the failed ones, and in
              `results` the holder, the signer, every check and each credential's own result.
          400: {description: "The body is not such a JSON object, or challenge or domain is missing."}
          413: {description: The body is larger than the gateway accepts.}
          415: {description: The body is not JSON.}
        """
        body = await self._json_body(request)
        presentation = body.get("verifiablePresentation")
        if not isinstance(presentation, dict):
            raise Problem(400, "the body needs a `verifiablePresentation` JSON object", kind="invalid-request")
        options = body.get("options")
        if not isinstance(options, dict):
            raise Problem(400, "the body needs `options` with the verifier's `challenge` and `domain`",
                          kind="invalid-request")  # fmt: skip
        unknown = sorted(set(options) - {"challenge", "domain"})
        if unknown:
            raise Problem(400, f"unsupported options: {', '.join(unknown)}", kind="invalid-request")
        missing = [k for k in ("challenge", "domain") if not isinstance(options.get(k), str) or not options[k]]
        if missing:
            raise Problem(400, f"`options` needs a non-empty {' and '.join(missing)}", kind="invalid-request")
        result = await run_in_threadpool(
            verify_presentation, self.credentials, self.identities, presentation,
            challenge=options["challenge"], domain=options["domain"],
        )  # fmt: skip
        return JSONResponse(
            {
                "verified": result.valid,
                "checks": [c.name for c in result.checks if c.ok],
                "warnings": [],
                "errors": [f"{c.name}: {c.reason}" for c in result.failures],
                "results": result.as_json(),
            }
        )

    async def anchor(self, request: Request) -> Response:
        """
        summary: The chain's record of one credential anchored by an issuer.
        parameters:
          - {in: path, name: issuer, required: true, schema: {type: string}, description: A DID or address.}
          - {in: path, name: hash, required: true, schema: {type: string}, description: 0x + 64 hex digits.}
        responses:
          200: {description: "The anchor: validity, schema, validity window, status index, revoked/suspended."}
          400: {description: Not a DID/address or not a 32-byte hash.}
        """
        issuer = self._identity(request.path_params["issuer"])
        digest = _bytes32(request.path_params["hash"], "hash")
        (report,) = await run_in_threadpool(self.credentials.inspect, [Query(issuer.address, digest)])
        return _json(
            {
                "issuer": report.issuer,
                "credentialHash": "0x" + digest.hex(),
                "validity": report.validity.name,
                "issuerStatus": report.issuer_status.name,
                "schemaId": "0x" + report.schema_id.hex(),
                "anchoredAt": report.anchored_at,
                "validFrom": report.valid_from,
                "validUntil": report.valid_until,
                "statusIndex": report.status_index,
                "revoked": report.revoked,
                "suspended": report.suspended,
            }
        )

    # -- consents and agreements -------------------------------------------------------------
    async def consent(self, request: Request) -> Response:
        """
        summary: One consent record — its terms, uses, revocation and status now.
        parameters:
          - {in: path, name: id, required: true, schema: {type: string}, description: The consent id (0x + 64 hex).}
        responses:
          200: {description: "The consent: parties, scope, purpose, window, uses and status (live, revoked, …)."}
          400: {description: Not a 32-byte id.}
          404: {description: No such consent on this registry.}
        """
        consent_id = _bytes32(request.path_params["id"], "consent id")

        def read() -> dict[str, Any]:
            try:
                record = self.consents.get(consent_id)
            except ConsentNotFound as exc:
                raise Problem(404, str(exc), kind="not-found") from None
            chain = self.deployment.chain
            live = self.consents.is_live(consent_id)
            status = "live" if live else record.status(chain.timestamp(), subject_active=False)
            return {**record.as_json(chain.chain_id), "status": status}

        return _json(await run_in_threadpool(read))

    async def consent_authorized(self, request: Request) -> Response:
        """
        summary: Whether a grantee may now use a scope of a subject's data for a purpose (isAuthorized).
        parameters:
          - {in: query, name: subject, required: true, schema: {type: string}, description: A DID or address.}
          - {in: query, name: grantee, required: true, schema: {type: string}, description: A DID or address.}
          - {in: query, name: scope, required: true, schema: {type: string}, description: A documented name or 0x id.}
          - {in: query, name: purpose, required: true, schema: {type: string}, description: A documented name or 0x id.}
        responses:
          200: {description: "`authorized` and the tuple's current `consentId` (or null)."}
          400: {description: A parameter is missing or malformed.}
        """
        query = request.query_params
        missing = [k for k in ("subject", "grantee", "scope", "purpose") if not query.get(k)]
        if missing:
            raise Problem(400, f"give {', '.join(missing)} as query parameters", kind="invalid-request")
        subject, grantee = self._identity(query["subject"]), self._identity(query["grantee"])
        scope, purpose = documented_scope(query["scope"]), documented_purpose(query["purpose"])

        def read() -> dict[str, Any]:
            ok = self.consents.is_authorized(subject.address, grantee.address, scope, purpose)
            current = self.consents.current_consent(subject.address, grantee.address, scope, purpose)
            return {"authorized": ok, "consentId": None if current is None else "0x" + current.hex()}

        response = _json(await run_in_threadpool(read))
        response.headers["Cache-Control"] = "no-store"
        return response

    async def agreement(self, request: Request) -> Response:
        """
        summary: One escrow agreement — parties, terms, plan, and where it stands now.
        parameters:
          - {in: path, name: id, required: true, schema: {type: integer, minimum: 1}, description: The agreement id.}
        responses:
          200: {description: "The agreement: status, parties, price, deadlines, acceptances, plan, a description."}
          400: {description: Not a positive integer.}
          404: {description: No such agreement.}
        """
        raw = request.path_params["id"]
        if not is_digits(raw) or int(raw) < 1 or len(raw) > 78:
            raise Problem(400, f"an agreement id is a positive integer, not {raw!r}", kind="invalid-request")
        agreement_id = int(raw)

        def read() -> dict[str, Any]:
            try:
                created = self.escrow.created(agreement_id)
            except BadInput as exc:
                raise Problem(404, str(exc), kind="not-found") from None
            state = self.escrow.agreement(agreement_id, created.terms)
            return {
                **state.to_json(self.deployment.chain.timestamp()),
                "termsHash": "0x" + created.terms.terms_hash.hex(),
                "createdInBlock": created.block_number,
            }

        return _json(await run_in_threadpool(read))

    def _identity(self, text: str) -> EthrDID:
        """A DID or address of this gateway's chain (400 otherwise)."""
        chain_id = self.deployment.chain.chain_id
        try:
            who = parse_did_or_address(text, chain_id)
        except BadInput as exc:
            raise Problem(400, str(exc), kind="invalid-request") from None
        if who.chain_id != chain_id:
            raise Problem(400, f"{who} names chain {who.chain_id}, this gateway serves {chain_id}", kind="wrong-chain")
        return who

    # -- status lists -------------------------------------------------------------------------
    async def status_list(self, request: Request) -> Response:
        """
        summary: An issuer's status list as a signed W3C BitstringStatusListCredential.
        description: >-
          The URL new credentials carry in `credentialStatus[].statusListCredential`. Signed by the
          gateway's status key, which the issuer publishes in its DID (see docs/gateway.md); read
          from the chain at most once a second; ETag + Cache-Control, 304 on If-None-Match.
        parameters:
          - {in: path, name: chain, required: true, schema: {type: integer}, description: The chain id.}
          - {in: path, name: registry, required: true, schema: {type: string}, description: The CredentialRegistry.}
          - {in: path, name: issuer, required: true, schema: {type: string}, description: The issuer's address.}
          - {in: path, name: purpose, required: true, schema: {type: string, enum: [revocation, suspension]}}
        responses:
          200: {description: "The list credential (application/vc+ld+json)."}
          304: {description: Not modified (If-None-Match).}
          400: {description: Not an address.}
          404: {description: "Another chain or registry, an unknown issuer, or the issuer has not authorised the key."}
        """
        params = request.path_params
        chain = self.deployment.chain
        purpose_text = params["purpose"]
        if params["chain"] != str(chain.chain_id) or purpose_text not in PURPOSES:
            raise Problem(404, f"this gateway serves chain {chain.chain_id}'s revocation and suspension lists",
                          kind="no-such-list")  # fmt: skip
        registry, issuer = self._identity(params["registry"]), self._identity(params["issuer"])
        if registry.address != self.credentials.address:
            raise Problem(404, f"this gateway serves the lists of registry {self.credentials.address}",
                          kind="no-such-list")  # fmt: skip
        purpose: Purpose = "revocation" if purpose_text == "revocation" else "suspension"
        base = self.public_url or _local_base(request)
        published = self.status_lists.cached(base, issuer.address, purpose)
        if published is None:
            published = await run_in_threadpool(self.status_lists.get, base, issuer.address, purpose)
        response = Response(published.body, media_type=STATUS_LIST_MEDIA_TYPE, headers={"ETag": published.etag})
        return self._conditional(request, response, f"public, max-age={self.config.status.ttl_seconds}")

    # -- plumbing ---------------------------------------------------------------------------
    async def _json_body(self, request: Request) -> dict[str, Any]:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json" and not media.endswith("+json"):
            raise Problem(415, f"send JSON (Content-Type: application/json), not {media or 'nothing'}",
                          kind="unsupported-media-type")  # fmt: skip
        limit = self.config.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and is_digits(declared) and int(declared) > limit:
            raise Problem(413, f"the body is {declared} bytes; the limit is {limit}", kind="body-too-large")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise Problem(413, f"the body is over the limit of {limit} bytes", kind="body-too-large")
            chunks.append(chunk)
        try:
            body = json.loads(b"".join(chunks))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Problem(400, f"the body is not JSON: {exc}", kind="invalid-json") from None
        if not isinstance(body, dict):
            raise Problem(400, "the body must be a JSON object", kind="invalid-request")
        return body


def _openapi(routes: list[BaseRoute]) -> Callable[[Request], Awaitable[Response]]:
    generator = SchemaGenerator(
        {
            "openapi": "3.1.0",
            "info": {"title": "TheKey gateway", "version": "1"},
        }
    )

    async def openapi(request: Request) -> Response:
        """
        summary: This document (OpenAPI 3.1, generated from the handlers).
        responses:
          200: {description: The OpenAPI document.}
        """
        return JSONResponse(generator.get_schema(routes))

    return openapi


def create_app(deployment: Deployment, config: GatewayConfig | None = None) -> Starlette:
    """The gateway's ASGI application over ``deployment`` (serve it with uvicorn)."""
    gw = Gateway(deployment, config)
    routes: list[BaseRoute] = [
        Route("/health", gw.health, methods=["GET"]),
        Route("/ready", gw.ready, methods=["GET"]),
        Route("/1.0/identifiers/{identifier:path}", gw.resolve, methods=["GET"]),
        Route("/credentials/verify", gw.verify_credential, methods=["POST"]),
        Route("/presentations/verify", gw.verify_presentation, methods=["POST"]),
        Route("/anchors/{issuer}/{hash}", gw.anchor, methods=["GET"]),
        Route("/status-lists/{chain}/{registry}/{issuer}/{purpose}", gw.status_list, methods=["GET"]),
        Route("/consents/authorized", gw.consent_authorized, methods=["GET"]),
        Route("/consents/{id}", gw.consent, methods=["GET"]),
        Route("/agreements/{id}", gw.agreement, methods=["GET"]),
    ]
    routes.append(Route("/openapi.json", _openapi(routes), methods=["GET"], include_in_schema=True))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        headers = dict(exc.headers or {})
        return problem_response(exc.status_code, str(exc.detail), instance=request.url.path, headers=headers)

    async def problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return exc.response(instance=request.url.path)

    async def sdk_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, BadInput):
            return problem_response(400, str(exc), kind="invalid-request", instance=request.url.path)
        if isinstance(exc, ChainError):
            return problem_response(503, f"the node does not answer: {exc}", kind="node-unavailable",
                                    instance=request.url.path)  # fmt: skip
        return problem_response(422, str(exc), kind="cannot-process", instance=request.url.path)

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(500, "an internal error; it has been logged", instance=request.url.path)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await gw.verifier.start()
        # Everything alive at start (web3, ABIs, artifacts, caches) moves out of the collector's
        # reach: a full collection walking it stalls every request for a few hundred ms under
        # load, which is what the p99 latency measured; requests' garbage is still collected.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            await gw.verifier.stop()

    return Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(RateLimit, limiter=gw.limiter)],
        exception_handlers={
            HTTPException: http_error,
            Problem: problem,
            TheKeyError: sdk_error,
            Exception: unexpected,
        },
    )
