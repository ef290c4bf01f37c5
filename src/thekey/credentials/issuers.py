"""The issuer registry: authority issuers admitted, suspended and removed by governance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from eth_account.signers.local import LocalAccount

from thekey.chain.transactions import Receipt
from thekey.client import ContractClient
from thekey.hashing import keccak, to_checksum_address
from thekey.ids import HexFields

GOVERNOR_ROLE = keccak(text="GOVERNOR_ROLE")


class IssuerStatus(IntEnum):
    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2
    REMOVED = 3


@dataclass(frozen=True)
class Issuer(HexFields):
    address: str
    id: int
    status: IssuerStatus
    admitted_at: int
    status_changed_at: int
    status_watermark: int  # the end of the issuer's status list (a multiple of 128)
    name_hash: bytes


class IssuerRegistry(ContractClient):
    """Issuers live in the CredentialRegistry contract (manifest key ``credentials``)."""

    ARTIFACT = "CredentialRegistry"
    KEY = "credentials"

    def add_issuer(
        self, sender: LocalAccount, issuer: str, name_hash: bytes, credential_types: Sequence[bytes]
    ) -> Receipt:
        return self._send(sender, "addIssuer", to_checksum_address(issuer), name_hash, list(credential_types))

    def set_issuer_types(
        self, sender: LocalAccount, issuer: str, credential_types: Sequence[bytes], allowed: bool
    ) -> Receipt:
        return self._send(sender, "setIssuerTypes", to_checksum_address(issuer), list(credential_types), allowed)

    def suspend_issuer(self, sender: LocalAccount, issuer: str, reason: bytes) -> Receipt:
        return self._send(sender, "suspendIssuer", to_checksum_address(issuer), reason)

    def reinstate_issuer(self, sender: LocalAccount, issuer: str, reason: bytes) -> Receipt:
        return self._send(sender, "reinstateIssuer", to_checksum_address(issuer), reason)

    def remove_issuer(self, sender: LocalAccount, issuer: str, reason: bytes) -> Receipt:
        return self._send(sender, "removeIssuer", to_checksum_address(issuer), reason)

    def get_issuer(self, issuer: str) -> Issuer:
        address = to_checksum_address(issuer)
        i, status, admitted, changed, watermark, name_hash = self._call("getIssuer", address)
        return Issuer(
            address, int(i), IssuerStatus(status), int(admitted), int(changed), int(watermark), bytes(name_hash)
        )

    def is_authorised(self, issuer: str, credential_type: bytes) -> bool:
        return bool(self._call("isAuthorised", to_checksum_address(issuer), credential_type))

    def issuer_count(self) -> int:
        return int(self._call("issuerCount"))
