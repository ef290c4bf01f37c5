"""Fixtures of the identity domain: the registry and binding clients, a registrar."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount

from thekey.deploy import Deployment
from thekey.identity.registry import EIDRegistry, IdentityBinding


@pytest.fixture
def registry(deployment: Deployment) -> EIDRegistry:
    return EIDRegistry.from_deployment(deployment)


@pytest.fixture
def binding(deployment: Deployment) -> IdentityBinding:
    return IdentityBinding.from_deployment(deployment)


@pytest.fixture
def registrar(binding: IdentityBinding, deployer: LocalAccount, accounts: list[LocalAccount]) -> LocalAccount:
    """accounts[10], admitted as a registrar by governance (the deployer)."""
    binding.admit_registrar(deployer, accounts[10].address)
    return accounts[10]
