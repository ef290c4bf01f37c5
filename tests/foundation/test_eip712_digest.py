"""The direct EIP-712 digest equals eth-account's encoder (the reference) on every field kind."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thekey.credentials.vc import PROOF_PRIMARY_TYPE, PROOF_TYPES
from thekey.eip712 import Domain, digest, flat_digest, typed_data
from thekey.errors import BadInput
from thekey.token.tky import PERMIT_TYPES

DOMAIN = Domain("TheKey Credentials", "1", 31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
MIXED = {"Mixed": [("name", "string"), ("blob", "bytes"), ("flag", "bool"), ("who", "address"),
                   ("small", "uint8"), ("signed", "int64"), ("tag", "bytes4")]}  # fmt: skip


@settings(max_examples=40, deadline=None, derandomize=True)
@given(issuer=st.text(), subject=st.text(), schema=st.binary(min_size=32, max_size=32))
def test_flat_digest__equals_eth_account_for_credential_proofs(issuer: str, subject: str, schema: bytes) -> None:
    message = {"issuer": issuer, "subject": subject, "schemaId": schema, "credentialHash": os.urandom(32)}
    expected = digest(typed_data(DOMAIN, PROOF_PRIMARY_TYPE, PROOF_TYPES, message))
    assert flat_digest(DOMAIN, PROOF_PRIMARY_TYPE, PROOF_TYPES, message) == expected


def test_flat_digest__equals_eth_account_for_every_atomic_kind() -> None:
    message = {"name": "ü", "blob": b"\x00\x01", "flag": True, "who": DOMAIN.verifying_contract,
               "small": 255, "signed": -5, "tag": b"\xde\xad\xbe\xef"}  # fmt: skip
    assert flat_digest(DOMAIN, "Mixed", MIXED, message) == digest(typed_data(DOMAIN, "Mixed", MIXED, message))
    permit = {"owner": DOMAIN.verifying_contract, "spender": DOMAIN.verifying_contract, "value": 1, "nonce": 2,
              "deadline": 3}  # fmt: skip
    assert flat_digest(DOMAIN, "Permit", PERMIT_TYPES, permit) == digest(
        typed_data(DOMAIN, "Permit", PERMIT_TYPES, permit)
    )


def test_flat_digest__refuses_nested_types() -> None:
    types = {"Outer": [("inner", "Inner")], "Inner": [("x", "uint256")]}
    with pytest.raises(BadInput):
        flat_digest(DOMAIN, "Outer", types, {"inner": {"x": 1}})
