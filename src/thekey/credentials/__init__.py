"""Credentials: issuer and schema registries, anchoring, status lists, W3C VCs, verification.

Modules: ``issuers`` / ``schemas`` / ``anchoring`` (typed clients of the CredentialRegistry
contract), ``vc`` (VC 2.0 documents), ``proof`` (their EthereumEip712Signature2021 proof: types
generation, EIP-712 hashing, signing, recovery), ``canonical`` (RFC 8785 + keccak-256 hash),
``merkle`` (OpenZeppelin-compatible StandardMerkleTree, for batch anchors), ``status`` (status
entries and Bitstring Status List export), ``issuance`` (issue and anchor, singly or in batches),
``verify`` and ``store`` (SQLite); selective disclosure is the SD-JWT VC format: ``jws`` (ES256K
compact JWS), ``sdjwt`` (issue, present, parse) and ``sdjwt_verify``.
"""

from thekey.credentials.anchoring import Anchor, CredentialRegistry, Query, Report, StatusAction, Validity
from thekey.credentials.canonical import canonical_json, credential_hash
from thekey.credentials.issuance import IssuedCredential, anchor_batch, anchor_credential, issue_credential
from thekey.credentials.issuers import Issuer, IssuerRegistry, IssuerStatus
from thekey.credentials.schemas import Schema, SchemaRegistry, schema_id
from thekey.credentials.store import CredentialStore
from thekey.credentials.verify import Check, VerificationResult, verify_credential, verify_credentials

__all__ = [
    "Anchor",
    "Check",
    "CredentialRegistry",
    "CredentialStore",
    "IssuedCredential",
    "Issuer",
    "IssuerRegistry",
    "IssuerStatus",
    "Query",
    "Report",
    "Schema",
    "SchemaRegistry",
    "StatusAction",
    "Validity",
    "VerificationResult",
    "anchor_batch",
    "anchor_credential",
    "canonical_json",
    "credential_hash",
    "issue_credential",
    "schema_id",
    "verify_credential",
    "verify_credentials",
]
