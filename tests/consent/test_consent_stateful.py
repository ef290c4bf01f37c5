"""The registry's invariants against a Python model (hypothesis RuleBasedStateMachine):
isAuthorized == the model's liveness of the current consent; at most one unrevoked consent
per tuple; uses never exceed maxUses; revocation is final; enumeration lists every grant."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from thekey.chain import Chain
from thekey.consent import ConsentRegistry, GrantRequest, scope_id
from thekey.errors import ContractRevert

SCOPES = [scope_id("health.record"), scope_id("tax.record")]
PURPOSE = scope_id("audit")


@dataclass
class Model:
    tuple_: bytes
    valid_from: int
    valid_until: int
    max_uses: int
    uses: int = 0
    revoked: bool = False

    def live(self, now: int) -> bool:
        in_window = self.valid_from <= now and (self.valid_until == 0 or now <= self.valid_until)
        return not self.revoked and in_window and (self.max_uses == 0 or self.uses < self.max_uses)


def test_consent_registry__matches_its_model(
    chain: Chain, consents: ConsentRegistry, subject: LocalAccount, org: LocalAccount
) -> None:
    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snapshot = chain.snapshot()
            self.model: dict[bytes, Model] = {}
            self.order: list[bytes] = []
            self.current: dict[bytes, bytes] = {}

        def teardown(self) -> None:
            chain.revert_to(self.snapshot)

        @rule(
            scope=st.sampled_from(SCOPES),
            start=st.integers(0, 30),
            length=st.sampled_from([0, 5, 40]),
            max_uses=st.integers(0, 2),
        )
        def grant(self, scope: bytes, start: int, length: int, max_uses: int) -> None:
            now = chain.timestamp() + 1
            frm = now + start if start else 0
            until = (frm or now) + length if length else 0
            chain.set_next_block_timestamp(now)
            rc = consents.grant(
                subject, GrantRequest(subject.address, org.address, scope, PURPOSE, frm, until, max_uses)
            )
            previous = self.current.get(scope)
            if previous is not None:
                self.model[previous].revoked = True
            self.model[rc.consent_id] = Model(scope, rc.valid_from, until, max_uses)
            self.order.append(rc.consent_id)
            self.current[scope] = rc.consent_id

        @rule(data=st.data())
        def revoke(self, data: st.DataObject) -> None:
            if not self.order:
                return
            cid = data.draw(st.sampled_from(self.order))
            if self.model[cid].revoked:
                with pytest.raises(ContractRevert):
                    consents.revoke(subject, cid)
                return
            consents.revoke(subject, cid)
            self.model[cid].revoked = True

        @rule(data=st.data())
        def use(self, data: st.DataObject) -> None:
            if not self.order:
                return
            cid = data.draw(st.sampled_from(self.order))
            if self.model[cid].live(chain.timestamp() + 1):
                chain.set_next_block_timestamp(chain.timestamp() + 1)
                consents.record_use(org, cid, b"\x01" * 32)
                self.model[cid].uses += 1
            else:
                chain.set_next_block_timestamp(chain.timestamp() + 1)
                with pytest.raises(ContractRevert):
                    consents.record_use(org, cid, b"\x01" * 32)
                chain.mine()

        @rule(seconds=st.sampled_from([1, 10, 30]))
        def wait(self, seconds: int) -> None:
            chain.increase_time(seconds)

        @invariant()
        def authorization_matches_model(self) -> None:
            now = chain.timestamp()
            for scope in SCOPES:
                cid = self.current.get(scope)
                expected = cid is not None and self.model[cid].live(now)
                assert consents.is_authorized(subject.address, org.address, scope, PURPOSE) == expected

        @invariant()
        def records_match_model(self) -> None:
            assert consents.ids(subject.address) == self.order
            unrevoked: dict[bytes, int] = {}
            for cid, m in self.model.items():
                c = consents.get(cid)
                assert c.uses == m.uses and (c.revocation_time != 0) == m.revoked
                assert m.max_uses == 0 or c.uses <= m.max_uses
                unrevoked[m.tuple_] = unrevoked.get(m.tuple_, 0) + (not m.revoked)
            assert all(n <= 1 for n in unrevoked.values())

    Machine.TestCase.settings = settings(
        max_examples=6,
        stateful_step_count=10,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    Machine.TestCase().runTest()
