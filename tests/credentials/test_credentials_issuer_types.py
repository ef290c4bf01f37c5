"""Credential types past the 96 packed into an issuer's slot live in a mapping: granted,
checked and withdrawn the same way."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from thekey.credentials.issuers import IssuerRegistry
from thekey.deploy import Deployment


def test_issuer_types__beyond_the_packed_slot_are_granted_and_withdrawn(
    deployment: Deployment, deployer: LocalAccount, accounts: list[LocalAccount]
) -> None:
    registry = IssuerRegistry.from_deployment(deployment)
    issuer = accounts[7].address
    types = [keccak(text=f"Type{i}") for i in range(100)]  # ids 1..100: 97..100 overflow the slot
    registry.add_issuer(deployer, issuer, keccak(text="Many Types Authority"), types)
    assert all(registry.is_authorised(issuer, t) for t in (types[0], types[95], types[96], types[99]))
    assert not registry.is_authorised(issuer, keccak(text="Type100"))
    registry.set_issuer_types(deployer, issuer, [types[99], types[3]], False)
    assert not registry.is_authorised(issuer, types[99]) and not registry.is_authorised(issuer, types[3])
    assert registry.is_authorised(issuer, types[98]) and registry.is_authorised(issuer, types[4])
    registry.set_issuer_types(deployer, issuer, [types[99]], True)
    assert registry.is_authorised(issuer, types[99])
