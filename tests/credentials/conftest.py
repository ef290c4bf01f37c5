"""Fixtures of the credentials tests: the registry, an admitted issuer, a registered schema."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3.contract import Contract

from thekey.chain import Chain
from thekey.credentials import CredentialRegistry, IssuedCredential, issue_credential
from thekey.credentials.issuance import next_status_indexes
from thekey.credentials.vc import type_hash
from thekey.deploy import Deployment
from thekey.identity.did import did_for

DEGREE = "UniversityDegreeCredential"
DEGREE_TYPE = type_hash(DEGREE)
DEGREE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "University degree",
    "type": "object",
    "properties": {
        "degree": {"type": "string", "minLength": 2},
        "gpa": {"type": "integer", "minimum": 0, "maximum": 400},  # hundredths: EIP-712 has no fractions
        "year": {"type": "integer"},
    },
    "required": ["degree"],
    "additionalProperties": False,
}
CLAIMS = {"degree": "BSc Computer Science", "gpa": 370, "year": 2026}
YEAR = 365 * 86400


@dataclass
class Env:
    chain: Chain
    registry: CredentialRegistry
    governor: LocalAccount
    issuer: LocalAccount
    holder: LocalAccount
    relayer: LocalAccount
    stranger: LocalAccount
    schema_id: bytes

    @property
    def holder_did(self) -> str:
        return did_for(self.chain.chain_id, self.holder.address)

    def issue(
        self,
        *,
        claims: dict[str, Any] | None = None,
        valid_from: int | None = None,
        valid_until: int | None = -1,
        index: int | None = None,
        issuer: LocalAccount | None = None,
        schema_id: bytes | None = None,
    ) -> IssuedCredential:
        issuer = issuer or self.issuer
        now = self.chain.timestamp()
        vf = now if valid_from is None else valid_from
        vu = vf + YEAR if valid_until == -1 else valid_until
        if index is None:
            index = next_status_indexes(self.registry, issuer.address, 1)[0]
        return issue_credential(
            self.registry,
            issuer,
            subject=self.holder_did,
            credential_type=DEGREE,
            claims=claims or CLAIMS,
            schema_id=schema_id or self.schema_id,
            valid_from=vf,
            valid_until=vu,
            status_index=index,
        )


@pytest.fixture
def registry(deployment: Deployment) -> CredentialRegistry:
    return CredentialRegistry.from_deployment(deployment)


@pytest.fixture
def identities(deployment: Deployment) -> Contract:
    return deployment.contract("identity")


@pytest.fixture
def env(chain: Chain, registry: CredentialRegistry, accounts: list[LocalAccount], stranger: LocalAccount) -> Env:
    """accounts[1] admitted as an issuer of degrees, which registered the degree schema."""
    governor, issuer = accounts[0], accounts[1]
    registry.add_issuer(governor, issuer.address, keccak(text="Example University"), [DEGREE_TYPE])
    sid, _ = registry.register_schema(issuer, DEGREE_SCHEMA, DEGREE_TYPE, 1)
    return Env(chain, registry, governor, issuer, accounts[3], accounts[4], stranger, sid)


@pytest.fixture
def anchored(env: Env) -> Callable[..., IssuedCredential]:
    """``anchored(**issue_kwargs)`` issues and anchors a credential singly."""
    from thekey.credentials import anchor_credential

    def make(**kwargs: Any) -> IssuedCredential:
        item = env.issue(**kwargs)
        anchor_credential(env.registry, kwargs.get("issuer") or env.issuer, item)
        return item

    return make
