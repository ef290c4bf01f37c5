"""Fixtures of the consent domain: the registry and routes clients, the ERC-1056 registry,
the cast (subject, organisations, delegate, relayer) and a default grant request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from thekey.chain import Chain
from thekey.consent import ConsentRegistry, DataRoutes, GrantRequest, purpose_id, scope_id
from thekey.consent.registry import DELEGATE_TYPE
from thekey.deploy import Deployment

HEALTH = scope_id("health.record")
TAX = scope_id("tax.record")
UNDERWRITING = purpose_id("insurance-underwriting")
ROUTE = purpose_id("data-route")
ACCOUNT_LINK = scope_id("account-link")


@pytest.fixture
def consents(deployment: Deployment) -> ConsentRegistry:
    return ConsentRegistry.from_deployment(deployment)


@pytest.fixture
def routes(deployment: Deployment) -> DataRoutes:
    return DataRoutes.from_deployment(deployment)


@pytest.fixture
def identities(deployment: Deployment) -> Contract:
    """The raw ERC-1056 registry (only its standard surface is used here)."""
    return deployment.contract("identity")


@pytest.fixture
def subject(accounts: list[LocalAccount]) -> LocalAccount:
    """A resident: the owner of its own did:ethr (accounts[1])."""
    return accounts[1]


@pytest.fixture
def org(accounts: list[LocalAccount]) -> LocalAccount:
    """An insurer / department (accounts[2]), the grantee."""
    return accounts[2]


@pytest.fixture
def other_org(accounts: list[LocalAccount]) -> LocalAccount:
    return accounts[3]


@pytest.fixture
def delegate(accounts: list[LocalAccount]) -> LocalAccount:
    """A key (accounts[4]) that the tests may register as a sigAuth delegate."""
    return accounts[4]


@pytest.fixture
def relayer(accounts: list[LocalAccount]) -> LocalAccount:
    """The user's agent (accounts[5]): pays gas, holds no authority."""
    return accounts[5]


@pytest.fixture
def add_delegate(chain: Chain, identities: Contract) -> Callable[[LocalAccount, str, int], None]:
    """``add_delegate(owner, delegate, validity_seconds)`` registers a sigAuth delegate."""

    def add(owner: LocalAccount, who: str, validity: int = 3600) -> None:
        chain.transact(identities.functions.addDelegate(owner.address, DELEGATE_TYPE, who, validity), owner)

    return add


@pytest.fixture
def request_(subject: LocalAccount, org: LocalAccount) -> GrantRequest:
    """Health record for underwriting, no window, unlimited uses."""
    return GrantRequest(subject.address, org.address, HEALTH, UNDERWRITING)


@pytest.fixture
def admitted(routes: DataRoutes, deployer: LocalAccount, org: LocalAccount) -> LocalAccount:
    """``org`` admitted as an organisation of the data route by governance."""
    routes.admit(deployer, org.address)
    return org
