"""The schema registry: typed JSON Schemas namespaced by publisher.

``schema id = keccak256(abi.encode(publisher, credentialType, keccak256(canonical document)))``:
the same document under another publisher or another type is another id, so nobody can
front-run an issuer's registration. Documents are checked against the JSON Schema draft 2020-12
meta-schema before anything is sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import jsonschema
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_account.signers.local import LocalAccount

from thekey.chain.transactions import Receipt
from thekey.client import ContractClient
from thekey.credentials.canonical import canonical_json
from thekey.errors import BadInput
from thekey.hashing import keccak, to_checksum_address
from thekey.ids import HexFields, Id

_SCHEMA_RECORD = ["(address,uint32,uint32,uint64,uint64,bytes32)"]  # ISchemaRegistry.Schema


@dataclass(frozen=True)
class Schema(HexFields):
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


def check_schema(document: dict[str, Any]) -> None:
    """Raise ``BadInput`` unless ``document`` is a valid JSON Schema (draft 2020-12 meta-schema)."""
    if not isinstance(document, dict):
        raise BadInput("a JSON Schema document is a JSON object")
    try:
        jsonschema.Draft202012Validator.check_schema(document)
    except jsonschema.SchemaError as exc:
        path = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        raise BadInput(f"not a valid JSON Schema (draft 2020-12) at {path}: {exc.message}") from None


def document_hash(document: dict[str, Any]) -> bytes:
    """keccak256 of the canonical document (what ``SchemaRegistered`` indexes)."""
    return keccak(schema_bytes(document))


def schema_id_of(publisher: str, credential_type: bytes, doc_hash: bytes) -> bytes:
    """The on-chain ``schemaIdOf(publisher, credentialType, documentHash)``."""
    return keccak(
        abi_encode(["address", "bytes32", "bytes32"], [to_checksum_address(publisher), credential_type, doc_hash])
    )


def schema_id(publisher: str, credential_type: bytes, document: dict[str, Any]) -> bytes:
    return schema_id_of(publisher, credential_type, document_hash(document))


@dataclass(frozen=True)
class Registration(HexFields):
    """One registration of a document, read from its ``SchemaRegistered`` event."""

    schema_id: bytes
    publisher: str
    credential_type: bytes


class SchemaRegistry(ContractClient):
    ARTIFACT = "CredentialRegistry"
    KEY = "credentials"

    def register_schema(
        self,
        sender: LocalAccount,
        document: dict[str, Any],
        credential_type: bytes,
        version: int = 1,
        *,
        publisher: str | None = None,
    ) -> tuple[bytes, Receipt]:
        """Register ``document`` (meta-validated, then canonicalised) for ``credential_type`` as
        ``publisher`` (default: the sender; an issuer whose DID the sender controls, or the sender
        as governance); returns its id and the receipt. An existing (publisher, type, document)
        reverts ``SchemaAlreadyRegistered``; see ``registrations`` for the same content elsewhere."""
        check_schema(document)
        data = schema_bytes(document)
        who = to_checksum_address(publisher or sender.address)
        sid = schema_id_of(who, credential_type, keccak(data))
        return Id(sid), self._send(sender, "registerSchema", who, data, credential_type, version)

    def registrations(self, document: dict[str, Any]) -> list[Registration]:
        """Every registration of ``document`` (any publisher, any type), oldest first."""
        logs = self.contract.events.SchemaRegistered().get_logs(
            from_block=0, argument_filters={"documentHash": document_hash(document)}
        )
        return [
            Registration(
                bytes(log["args"]["schemaId"]), str(log["args"]["publisher"]), bytes(log["args"]["credentialType"])
            )
            for log in logs
        ]

    def deprecate_schema(self, sender: LocalAccount, schema_id: bytes) -> Receipt:
        return self._send(sender, "deprecateSchema", schema_id)

    def get_schema(self, schema_id: bytes) -> Schema:
        # a raw eth_call (one round trip, no web3 contract machinery): every verification batch reads it
        raw = self._call_raw("getSchema(bytes32)", abi_encode(["bytes32"], [schema_id]))
        ((publisher, index, version, registered, deprecated, ctype),) = abi_decode(_SCHEMA_RECORD, raw)
        return Schema(
            schema_id, to_checksum_address(publisher), int(index), int(version), int(registered), int(deprecated),
            bytes(ctype),
        )  # fmt: skip

    def schema_document(self, schema_id: bytes) -> dict[str, Any] | None:
        """The registered document, read back from its ``SchemaRegistered`` event (None if unknown)."""
        event = self.contract.events.SchemaRegistered()
        logs = event.get_logs(from_block=0, argument_filters={"schemaId": schema_id})
        for log in logs:
            args = log["args"]
            data = bytes(args["document"])
            if schema_id_of(str(args["publisher"]), bytes(args["credentialType"]), keccak(data)) == schema_id:
                doc = json.loads(data)
                return doc if isinstance(doc, dict) else None
        return None
