"""``DataAccess``: the grantee's side of a data exchange — check consent on chain, record the
use, then hand over the data. The SDK never returns routed data without a live consent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eth_abi import encode
from eth_account.signers.local import LocalAccount

from thekey.consent.registry import ConsentKey, ConsentRegistry, UsageRecord
from thekey.consent.routes import DataRoutes, route_digest
from thekey.errors import TheKeyError
from thekey.hashing import keccak, to_checksum_address
from thekey.ids import HexFields


class ConsentRequired(TheKeyError):
    """No live consent covers the requested access; nothing was fetched or recorded."""


class DataIntegrityError(TheKeyError):
    """The data handed over does not match the digest the holder published in the data route."""


@dataclass(frozen=True)
class Delivery(HexFields):
    """What a holder hands over off chain: the data and the salt of its route digest."""

    data: bytes
    salt: bytes


@dataclass(frozen=True)
class AccessResult(HexFields):
    data: bytes
    consent_id: bytes
    usage: UsageRecord


class DataAccess:
    """A grantee organisation's gate to subjects' data.

    ``actor`` signs the usage receipts and must act for ``grantee`` (the organisation's DID
    address; by default the actor's own address).
    """

    def __init__(
        self,
        consents: ConsentRegistry,
        actor: LocalAccount,
        *,
        grantee: str | None = None,
        routes: DataRoutes | None = None,
    ) -> None:
        self.consents = consents
        self.routes = routes
        self.actor = actor
        self.grantee = to_checksum_address(grantee or actor.address)

    def live_consent(self, subject: str, scope: bytes, purpose: bytes) -> bytes:
        """The id of the live consent for (subject, this grantee, scope, purpose), or ConsentRequired."""
        cid = self.consents.live_consent(ConsentKey(subject, self.grantee, scope, purpose))
        if cid is None:
            raise ConsentRequired(
                f"no live consent from {to_checksum_address(subject)} to {self.grantee} for this scope and purpose"
            )
        return cid

    def obtain(
        self,
        subject: str,
        scope: bytes,
        purpose: bytes,
        fetch: Callable[[], Delivery],
        *,
        holder: str | None = None,
    ) -> AccessResult:
        """Check the consent, record the use on chain, then call ``fetch`` and return its data.

        With ``holder`` (an organisation in the data route) the data must match the digest that
        holder published for (subject, scope); the access hash recorded is then that route's
        id and digest, else the hash of (subject, scope, purpose, consent, use number).
        """
        cid = self.live_consent(subject, scope, purpose)
        published = None
        if holder is not None:
            if self.routes is None:
                raise TheKeyError("DataAccess needs a DataRoutes client to check a holder's route")
            published = self.routes.get_route(subject, holder, scope)
            if published is None or not published.live:
                raise DataIntegrityError(
                    f"{to_checksum_address(holder)} has no live route for this subject and scope "
                    "(never published, withdrawn, or its consent no longer stands)"
                )
            access = keccak(
                encode(["bytes32", "bytes32"], [self.routes.route_id(subject, holder, scope), published.digest])
            )
        else:
            access = keccak(
                encode(
                    ["address", "bytes32", "bytes32", "bytes32", "uint256"],
                    [to_checksum_address(subject), scope, purpose, cid, self.consents.get(cid).uses + 1],
                )
            )
        usage = self.consents.record_use(self.actor, cid, access)  # reverts unless the consent is live
        delivery = fetch()
        if published is not None and route_digest(delivery.data, delivery.salt) != published.digest:
            raise DataIntegrityError("the delivered data does not match the digest published in the data route")
        return AccessResult(delivery.data, cid, usage)
