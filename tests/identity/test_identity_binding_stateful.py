"""The IdentityBinding invariants against a Python model (hypothesis state machine, Anvil):
a commitment is bound to at most one identity; identityOf(c) == i iff c in commitmentsOf(i);
isBound(i) iff commitmentsOf(i) is non-empty; every revert is the one the model predicts."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from thekey.chain import Chain
from thekey.errors import ContractRevert
from thekey.identity.registry import ZERO_ADDRESS, IdentityBinding

COMMITMENTS = [bytes([i + 1]) * 32 for i in range(4)]


def test_binding__model_and_chain_agree(
    chain: Chain, binding: IdentityBinding, registrar: LocalAccount, accounts: list[LocalAccount]
) -> None:
    identities = [a.address for a in accounts[1:4]]

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snapshot = chain.snapshot()
            self.model: dict[bytes, str] = {}

        def teardown(self) -> None:
            chain.revert_to(self.snapshot)

        def _expect(self, action: object, error: str | None) -> None:
            if error is None:
                action()  # type: ignore[operator]
                return
            with pytest.raises(ContractRevert) as exc:
                action()  # type: ignore[operator]
            assert exc.value.name == error

        @rule(c=st.sampled_from(COMMITMENTS), i=st.sampled_from(identities))
        def bind(self, c: bytes, i: str) -> None:
            error = "IdentityBindingCommitmentTaken" if c in self.model else None
            self._expect(lambda: binding.bind(registrar, c, i), error)
            if error is None:
                self.model[c] = i

        @rule(c=st.sampled_from(COMMITMENTS))
        def unbind(self, c: bytes) -> None:
            error = None if c in self.model else "IdentityBindingNotBound"
            self._expect(lambda: binding.unbind(registrar, c, 4), error)
            self.model.pop(c, None)

        @rule(c=st.sampled_from(COMMITMENTS), i=st.sampled_from(identities))
        def rebind(self, c: bytes, i: str) -> None:
            if c not in self.model:
                error: str | None = "IdentityBindingNotBound"
            else:
                error = "IdentityBindingSameIdentity" if self.model[c] == i else None
            self._expect(lambda: binding.rebind(registrar, c, i, 1), error)
            if error is None:
                self.model[c] = i

        @invariant()
        def agree(self) -> None:
            for c in COMMITMENTS:
                assert binding.identity_of(c) == self.model.get(c, ZERO_ADDRESS)
            for i in identities:
                mine = {c for c, owner in self.model.items() if owner == i}
                assert set(binding.commitments_of(i)) == mine
                assert binding.is_bound(i) == bool(mine)

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=8,
            stateful_step_count=8,
            database=None,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        ),
    )
