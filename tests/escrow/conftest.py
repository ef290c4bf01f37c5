"""Fixtures of the escrow domain: the clients, the cast (provider, verifier, user, arbiter,
payees, keeper), a funded provider, a terms factory, and a ledger that checks conservation."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from thekey.chain import Chain
from thekey.deploy import TKY, Deployment
from thekey.payments.escrow import Escrow, Plan, Terms
from thekey.token.tky import Token

PRICE = 1_000 * TKY + 7  # not divisible by 10,000: every split has rounding dust
HOUR = 3600
DAY = 86_400
TERMS_HASH = keccak(text="salt:1f2e|service:identity-verification#42")
EVIDENCE = keccak(text="salt:9a8b|verification-record#42")


@dataclass
class Cast:
    provider: LocalAccount
    verifier: LocalAccount
    user: LocalAccount
    arbiter: LocalAccount
    payees: list[LocalAccount]
    keeper: LocalAccount


@pytest.fixture
def token(deployment: Deployment) -> Token:
    return Token.from_deployment(deployment)


@pytest.fixture
def escrow(deployment: Deployment) -> Escrow:
    return Escrow.from_deployment(deployment)


@pytest.fixture
def cast(accounts: list[LocalAccount], token: Token, deployer: LocalAccount) -> Cast:
    c = Cast(accounts[1], accounts[2], accounts[3], accounts[4], accounts[5:13], accounts[13])
    token.transfer(deployer, c.provider.address, 1_000_000 * TKY)
    return c


@pytest.fixture
def make_terms(cast: Cast, chain: Chain) -> Callable[..., Terms]:
    """Terms of the provider with two extra payees (60/25/10/5 %), due in a day, a 1-hour window."""

    def make(**overrides: Any) -> Terms:
        base = Terms(
            provider=cast.provider.address,
            verifier=cast.verifier.address,
            user=cast.user.address,
            arbiter=cast.arbiter.address,
            price=PRICE,
            service_deadline=chain.timestamp() + DAY,
            dispute_window=HOUR,
            terms_hash=TERMS_HASH,
            plan=Plan.of(6000, 2500, {cast.payees[0].address: 1000, cast.payees[1].address: 500}),
        )
        return replace(base, **overrides)

    return make


@pytest.fixture
def open_agreement(escrow: Escrow, cast: Cast, chain: Chain) -> Callable[[Terms], int]:
    """Create and fund ``terms`` by permit with both acceptances relayed: a binding agreement."""

    def open_(terms: Terms) -> int:
        deadline = chain.timestamp() + HOUR
        va = escrow.sign_acceptance(cast.verifier, terms, deadline)
        ua = escrow.sign_acceptance(cast.user, terms, deadline)
        agreement_id, _ = escrow.create_and_fund(cast.provider, terms, va, ua)
        return agreement_id

    return open_


@dataclass
class Ledger:
    """Conservation: the escrow's TKY balance equals the prices of open agreements plus credits."""

    escrow: Escrow
    token: Token
    accounts: set[str] = field(default_factory=set)

    def owed(self) -> int:
        open_prices = 0
        for i in range(1, self.escrow.count() + 1):
            a = self.escrow.agreement(i)
            if not a.status.terminal:
                open_prices += a.price
        return open_prices + sum(self.escrow.credit_of(x) for x in self.accounts)

    def check(self) -> None:
        assert self.token.balance_of(self.escrow.address) == self.owed()


@pytest.fixture
def ledger(escrow: Escrow, token: Token, accounts: list[LocalAccount]) -> Ledger:
    return Ledger(escrow, token, {a.address for a in accounts})


def balances(token: Token, accounts: Iterable[LocalAccount | str]) -> dict[str, int]:
    addrs = [a if isinstance(a, str) else a.address for a in accounts]
    return {a: token.balance_of(a) for a in addrs}
