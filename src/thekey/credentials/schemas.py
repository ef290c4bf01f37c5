"""The schema registry: content-addressed JSON Schemas (id = keccak256 of the canonical document)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from thekey.chain.transactions import Receipt
from thekey.client import ContractClient
from thekey.credentials.canonical import canonical_json
from thekey.errors import BadInput


@dataclass(frozen=True)
class Schema:
    id: bytes
    publisher: str
    index: int
    version: int
    registered_at: int
    deprecated_at: int
    credential_type: bytes

    @property
    def registered(self) -> bool:
        return self.index != 0


def schema_bytes(document: dict[str, Any]) -> bytes:
    """The bytes registered for a JSON Schema: its RFC 8785 canonical form."""
    if not isinstance(document, dict):
        raise BadInput("a JSON Schema document is a JSON object")
    return canonical_json(document)


def schema_id(document: dict[str, Any]) -> bytes:
    return keccak(schema_bytes(document))


class SchemaRegistry(ContractClient):
    ARTIFACT = "CredentialRegistry"
    KEY = "credentials"

    def register_schema(
        self, sender: LocalAccount, document: dict[str, Any], credential_type: bytes, version: int = 1
    ) -> tuple[bytes, Receipt]:
        """Register ``document`` (canonicalised); returns its id and the receipt."""
        data = schema_bytes(document)
        return keccak(data), self._send(sender, "registerSchema", data, credential_type, version)

    def deprecate_schema(self, sender: LocalAccount, schema_id: bytes) -> Receipt:
        return self._send(sender, "deprecateSchema", schema_id)

    def get_schema(self, schema_id: bytes) -> Schema:
        publisher, index, version, registered, deprecated, ctype = self._call("getSchema", schema_id)
        return Schema(
            schema_id, str(publisher), int(index), int(version), int(registered), int(deprecated), bytes(ctype)
        )

    def schema_document(self, schema_id: bytes) -> dict[str, Any] | None:
        """The registered document, read back from its ``SchemaRegistered`` event (None if unknown)."""
        event = self.contract.events.SchemaRegistered()
        logs = event.get_logs(from_block=0, argument_filters={"schemaId": schema_id})
        for log in logs:
            data = bytes(log["args"]["document"])
            if keccak(data) == schema_id:
                doc = json.loads(data)
                return doc if isinstance(doc, dict) else None
        return None
