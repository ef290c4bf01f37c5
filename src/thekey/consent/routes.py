"""The data-route client: governance admits organisations; organisations publish (directly or
signed-and-relayed) which categories of a DID's data they hold, and link local accounts to
DIDs by keyed hash."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount

from thekey.chain.transactions import Receipt
from thekey.client import ContractClient
from thekey.consent.ids import describe
from thekey.consent.registry import SignedGrant, _bytes32, _hex
from thekey.eip712 import Domain, sign_typed_data, typed_data
from thekey.errors import BadInput
from thekey.hashing import keccak, to_checksum_address
from thekey.ids import HexFields

PUBLISH_TYPES: dict[str, list[tuple[str, str]]] = {
    "PublishRoute": [
        ("organisation", "address"),
        ("subject", "address"),
        ("category", "bytes32"),
        ("digest", "bytes32"),
        ("updatedAt", "uint64"),
        ("signer", "address"),
        ("nonce", "uint256"),
        ("deadline", "uint256"),
    ]
}
ORGANISATION_ROLE = keccak(text="ORGANISATION_ROLE")
GOVERNOR_ROLE = keccak(text="GOVERNOR_ROLE")
MIN_ACCOUNT_SECRET = 16


def account_key(secret: bytes, local_account_id: str) -> bytes:
    """The keyed hash that stands for a local account on chain: HMAC-SHA256(secret, id).

    ``secret`` is the organisation's own key (at least 16 bytes, never shared); without it
    nobody can test a guessed account id against the chain.
    """
    if len(secret) < MIN_ACCOUNT_SECRET:
        raise BadInput(f"the account-mapping secret must be at least {MIN_ACCOUNT_SECRET} bytes")
    if not local_account_id.strip():
        raise BadInput("an empty local account id")
    return hmac.new(secret, local_account_id.strip().encode(), hashlib.sha256).digest()


def route_digest(data: bytes, salt: bytes) -> bytes:
    """The digest published for a data set: keccak256(salt ‖ data). The salt (≥ 16 random bytes)
    travels with the data off chain, so a low-entropy record cannot be guessed from its digest."""
    if len(salt) < 16:
        raise BadInput("a route digest salt must be at least 16 bytes")
    return keccak(salt + data)


@dataclass(frozen=True)
class RouteRequest:
    organisation: str
    subject: str
    category: bytes
    digest: bytes
    updated_at: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "organisation", to_checksum_address(self.organisation))
        object.__setattr__(self, "subject", to_checksum_address(self.subject))
        object.__setattr__(self, "category", _bytes32(self.category, "category"))
        object.__setattr__(self, "digest", _bytes32(self.digest, "digest"))

    def as_tuple(self) -> tuple[Any, ...]:
        return (self.organisation, self.subject, self.category, self.digest, self.updated_at)

    def message(self) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "subject": self.subject,
            "category": self.category,
            "digest": self.digest,
            "updatedAt": self.updated_at,
        }


@dataclass(frozen=True)
class Route(HexFields):
    """A published route: ``organisation`` holds ``category`` data of the DID with ``digest``.

    ``consent_id`` is the consent the last publication used and ``consent_uses`` how many of its
    uses publications and links consumed; ``live`` is whether the route is published (not
    withdrawn) and that consent still stands."""

    organisation: str
    category: bytes
    digest: bytes
    updated_at: int
    consent_id: bytes
    consent_uses: int
    live: bool

    @property
    def withdrawn(self) -> bool:
        return self.digest == bytes(32)

    def as_json(self) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "category": describe(self.category),
            "categoryId": _hex(self.category),
            "digest": _hex(self.digest),
            "updatedAt": self.updated_at,
            "consentId": _hex(self.consent_id),
            "consentUses": self.consent_uses,
            "live": self.live,
        }


@dataclass(frozen=True)
class SignedRoute(HexFields):
    """A publication signed by an actor for the organisation; anyone may relay it."""

    request: RouteRequest
    signer: str
    nonce: int
    deadline: int
    signature: bytes

    def document(self) -> dict[str, Any]:
        r = self.request
        return {
            "type": "TheKeySignedRoute",
            "organisation": r.organisation,
            "subject": r.subject,
            "category": _hex(r.category),
            "digest": _hex(r.digest),
            "updatedAt": r.updated_at,
            "signer": self.signer,
            "nonce": self.nonce,
            "deadline": self.deadline,
            "signature": _hex(self.signature),
        }

    @classmethod
    def from_document(cls, d: dict[str, Any]) -> SignedRoute:
        try:
            req = RouteRequest(d["organisation"], d["subject"], d["category"], d["digest"], int(d["updatedAt"]))
            sig = bytes.fromhex(str(d["signature"]).removeprefix("0x"))
            return cls(req, to_checksum_address(d["signer"]), int(d["nonce"]), int(d["deadline"]), sig)
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, BadInput):
                raise
            raise BadInput(
                "not a signed-route document (organisation, subject, category, digest, updatedAt, "
                "signer, nonce, deadline, signature)"
            ) from None


def publish_document(domain: Domain, request: RouteRequest, signer: str, nonce: int, deadline: int) -> dict[str, Any]:
    """The EIP-712 document of a signed publication."""
    message = {
        **request.message(),
        "signer": to_checksum_address(signer),
        "nonce": nonce,
        "deadline": deadline,
    }
    return typed_data(domain, "PublishRoute", PUBLISH_TYPES, message)


class DataRoutes(ContractClient):
    ARTIFACT = "DataRoutes"
    KEY = "routes"

    # -- governance -----------------------------------------------------------------------
    def admit(self, sender: LocalAccount, organisation: str) -> Receipt:
        """Admit an organisation (GOVERNOR_ROLE only)."""
        return self._send(sender, "grantRole", ORGANISATION_ROLE, to_checksum_address(organisation))

    def remove(self, sender: LocalAccount, organisation: str) -> Receipt:
        """Remove an organisation (GOVERNOR_ROLE only); its routes stay readable."""
        return self._send(sender, "revokeRole", ORGANISATION_ROLE, to_checksum_address(organisation))

    def is_organisation(self, organisation: str) -> bool:
        return bool(self._call("hasRole", ORGANISATION_ROLE, to_checksum_address(organisation)))

    # -- publication ----------------------------------------------------------------------
    def publish(self, sender: LocalAccount, request: RouteRequest) -> Receipt:
        return self._send(sender, "publish", request.as_tuple())

    def publish_with_consent(self, sender: LocalAccount, request: RouteRequest, consent: SignedGrant) -> Receipt:
        """Relay the subject's signed data-route consent for this route and publish, in one
        transaction (the consent must be the route's: subject, grantee = organisation, scope =
        category, purpose ``data-route``)."""
        g = consent.request
        return self._send(
            sender,
            "publishWithConsent",
            request.as_tuple(),
            g.as_tuple(),
            consent.serial,
            consent.signer,
            consent.deadline,
            consent.signature,
        )

    def sign_publish(
        self,
        signer: LocalAccount,
        request: RouteRequest,
        deadline: int,
        *,
        nonce: int | None = None,
        domain: Domain | None = None,
    ) -> SignedRoute:
        nonce = self.nonce_of(signer.address) if nonce is None else nonce
        doc = publish_document(domain or self.domain, request, signer.address, nonce, deadline)
        return SignedRoute(request, signer.address, nonce, deadline, sign_typed_data(signer, doc))

    def publish_by_sig(self, relayer: LocalAccount, signed: SignedRoute) -> Receipt:
        return self._send(
            relayer,
            "publishBySig",
            signed.request.as_tuple(),
            signed.signer,
            signed.nonce,
            signed.deadline,
            signed.signature,
        )

    # -- account mapping ------------------------------------------------------------------
    def link_account(self, sender: LocalAccount, organisation: str, key: bytes, subject: str) -> Receipt:
        """Link the keyed hash ``key`` (see :func:`account_key`) of a local account to ``subject``."""
        return self._send(sender, "linkAccount", to_checksum_address(organisation), key, to_checksum_address(subject))

    def account_subject(self, organisation: str, key: bytes) -> str | None:
        """The DID ``key`` is linked to while the link's consent stands, else None."""
        s = str(self._call("accountSubject", to_checksum_address(organisation), key))
        return None if int(s, 16) == 0 else s

    def unlink_account(self, sender: LocalAccount, organisation: str, key: bytes) -> Receipt:
        """Remove a link; ``sender`` acts for the linked subject or for the organisation."""
        return self._send(sender, "unlinkAccount", to_checksum_address(organisation), key)

    # -- withdrawal -----------------------------------------------------------------------
    def withdraw_route(self, sender: LocalAccount, subject: str, organisation: str, category: bytes) -> Receipt:
        """Withdraw a route; ``sender`` acts for the subject or for the organisation."""
        return self._send(
            sender, "withdrawRoute", to_checksum_address(subject), to_checksum_address(organisation), category
        )

    # -- reads ----------------------------------------------------------------------------
    def route_id(self, subject: str, organisation: str, category: bytes) -> bytes:
        return bytes(self._call("routeId", to_checksum_address(subject), to_checksum_address(organisation), category))

    def is_route_live(self, subject: str, organisation: str, category: bytes) -> bool:
        """Whether the route is published (not withdrawn) and its consent stands."""
        return bool(
            self._call("isRouteLive", to_checksum_address(subject), to_checksum_address(organisation), category)
        )

    def consent_uses(self, subject: str, organisation: str, scope: bytes) -> tuple[bytes | None, int]:
        """The data-route consent of (subject, organisation, scope) this registry last used, and
        how many publications and links used it (a data-route consent's only use count)."""
        cid, uses = self._call(
            "consentUses", to_checksum_address(subject), to_checksum_address(organisation), _bytes32(scope, "scope")
        )
        return (None, 0) if bytes(cid) == bytes(32) else (bytes(cid), int(uses))

    def get_route(self, subject: str, organisation: str, category: bytes) -> Route | None:
        """The route, or None if it was never published (a withdrawn one has ``withdrawn``)."""
        who, org = to_checksum_address(subject), to_checksum_address(organisation)
        _org, updated_at, _subject, _category, digest, consent_id, uses = self._call("getRoute", who, org, category)
        if int(updated_at) == 0:
            return None
        live = self.is_route_live(who, org, category)
        return Route(org, bytes(category), bytes(digest), int(updated_at), bytes(consent_id), int(uses), live)

    def routes(self, subject: str) -> list[Route]:
        """Every organisation and category published for ``subject`` (never the data), withdrawn
        ones included (``withdrawn``; ``live`` says which may be used), in first-publication order.
        Which routes exist comes from the ``RoutePublished`` events (the registry stores no list);
        each route's state is then read from the chain."""
        who = to_checksum_address(subject)
        logs = self.contract.events.RoutePublished.get_logs(from_block=0, argument_filters={"subject": who})
        seen: dict[tuple[str, bytes], None] = {}
        for log in logs:
            seen.setdefault((str(log["args"]["organisation"]), bytes(log["args"]["category"])), None)
        found = (self.get_route(who, org, category) for org, category in seen)
        return [r for r in found if r is not None]

    def version(self) -> str:
        return str(self._call("version"))
