"""DataRoutes against a Python model (hypothesis state machine, Anvil): a publication consumes one
use of the consent it rests on and never more than maxUses; a route is live exactly while it is
published and its consent stands (not revoked, inside its window); only the subject or the
organisation withdraws it; every revert is the one the model predicts."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tests.consent.conftest import HEALTH, ROUTE
from thekey.chain import Chain
from thekey.consent import ConsentRegistry, DataRoutes, GrantRequest, RouteRequest
from thekey.errors import ContractRevert


@dataclass
class Grant:
    valid_until: int
    max_uses: int
    uses: int = 0
    revoked: bool = False

    def stands(self, now: int) -> bool:
        return not self.revoked and (self.valid_until == 0 or now <= self.valid_until)


def test_data_routes__match_their_model(
    chain: Chain,
    consents: ConsentRegistry,
    routes: DataRoutes,
    subject: LocalAccount,
    admitted: LocalAccount,
    stranger: LocalAccount,
) -> None:
    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snapshot = chain.snapshot()
            self.grants: dict[bytes, Grant] = {}
            self.current: bytes | None = None
            self.route_consent: bytes | None = None  # the consent the published route rests on
            self.booked: bytes | None = None  # the consent whose uses the route registry counts
            self.n = 0

        def teardown(self) -> None:
            chain.revert_to(self.snapshot)

        def _expect(self, action: object, error: str | None) -> None:
            if error is None:
                action()  # type: ignore[operator]
                return
            with pytest.raises(ContractRevert) as exc:
                action()  # type: ignore[operator]
            assert exc.value.name == error

        @rule(length=st.sampled_from([0, 20]), max_uses=st.sampled_from([1, 2, 0]))
        def grant(self, length: int, max_uses: int) -> None:
            until = chain.timestamp() + 1 + length if length else 0
            request = GrantRequest(subject.address, admitted.address, HEALTH, ROUTE, 0, until, max_uses)
            cid = consents.grant(subject, request).consent_id
            if self.current is not None:
                self.grants[self.current].revoked = True  # a new grant replaces the old one
            self.grants[cid], self.current = Grant(until, max_uses), cid

        @rule()
        def revoke(self) -> None:
            if self.current is not None and not self.grants[self.current].revoked:
                consents.revoke(subject, self.current)
                self.grants[self.current].revoked = True

        @rule()
        def publish(self) -> None:
            self.n += 1
            now = chain.timestamp() + 1
            chain.set_next_block_timestamp(now)
            g = self.grants.get(self.current) if self.current else None
            if g is None or not g.stands(now):
                error: str | None = "RoutesNoConsent"
            elif g.max_uses and g.uses >= g.max_uses:
                error = "RoutesConsentExhausted"
            else:
                error = None
            req = RouteRequest(admitted.address, subject.address, HEALTH, bytes([self.n % 250 + 1]) * 32, now)
            self._expect(lambda: routes.publish(admitted, req), error)
            if error is None:
                assert g is not None
                g.uses += 1
                self.booked = self.current
                self.route_consent = self.current
            else:
                chain.mine()

        @rule(who=st.sampled_from(["subject", "organisation", "stranger"]))
        def withdraw(self, who: str) -> None:
            sender = {"subject": subject, "organisation": admitted, "stranger": stranger}[who]
            if who == "stranger":
                error: str | None = "RoutesNotAParty"
            else:
                error = None if self.route_consent is not None else "RoutesNoRoute"
            self._expect(lambda: routes.withdraw_route(sender, subject.address, admitted.address, HEALTH), error)
            if error is None:
                self.route_consent = None

        @rule(seconds=st.sampled_from([1, 15, 30]))
        def wait(self, seconds: int) -> None:
            chain.increase_time(seconds)

        @invariant()
        def uses_and_liveness_match(self) -> None:
            now = chain.timestamp()
            for g in self.grants.values():
                assert g.max_uses == 0 or g.uses <= g.max_uses
            booked = (self.booked, self.grants[self.booked].uses) if self.booked else (None, 0)
            assert routes.consent_uses(subject.address, admitted.address, HEALTH) == booked
            expected = self.route_consent is not None and self.grants[self.route_consent].stands(now)
            assert routes.is_route_live(subject.address, admitted.address, HEALTH) == expected

    Machine.TestCase.settings = settings(
        max_examples=15,
        stateful_step_count=12,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    Machine.TestCase().runTest()
