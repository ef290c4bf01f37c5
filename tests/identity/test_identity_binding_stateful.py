"""The IdentityBinding invariants against a Python model (hypothesis state machine, Anvil):
a document commitment is bound to at most one identity; identityOf(c) == i iff c in
commitmentsOf(i); one DID per person and one person per DID; isBound(i) iff personOf(i) != 0;
a rogue registrar never changes a binding another registrar made; every revert is the one the
model predicts."""

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
PERSONS = [bytes([0xA0 + i]) * 32 for i in range(2)]


def test_binding__model_and_chain_agree(
    chain: Chain,
    binding: IdentityBinding,
    registrar: LocalAccount,
    deployer: LocalAccount,
    accounts: list[LocalAccount],
) -> None:
    holders = accounts[1:4]
    identities = [a.address for a in holders]
    rogue = accounts[11]
    binding.admit_registrar(deployer, rogue.address)

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snapshot = chain.snapshot()
            self.docs: dict[bytes, str] = {}  # commitment -> identity
            self.person: dict[str, bytes] = {}  # identity -> person

        def teardown(self) -> None:
            chain.revert_to(self.snapshot)

        def _expect(self, action: object, error: str | None) -> None:
            if error is None:
                action()  # type: ignore[operator]
                return
            with pytest.raises(ContractRevert) as exc:
                action()  # type: ignore[operator]
            assert exc.value.name == error

        def _owner_of_person(self, p: bytes) -> str | None:
            return next((i for i, q in self.person.items() if q == p), None)

        @rule(c=st.sampled_from(COMMITMENTS), p=st.sampled_from(PERSONS), i=st.sampled_from(identities))
        def bind(self, c: bytes, p: bytes, i: str) -> None:
            holder = self._owner_of_person(p)
            if c in self.docs:
                error: str | None = "IdentityBindingCommitmentTaken"
            elif holder is None and i in self.person:
                error = "IdentityBindingIdentityTaken"
            elif holder is not None and holder != i:
                error = "IdentityBindingPersonTaken"
            else:
                error = None
            self._expect(lambda: binding.bind(registrar, c, p, i), error)
            if error is None:
                self.docs[c] = i
                self.person[i] = p

        @rule(c=st.sampled_from(COMMITMENTS), who=st.sampled_from(["registrar", "rogue", "holder", "governance"]))
        def unbind(self, c: bytes, who: str) -> None:
            i = self.docs.get(c)
            sender = {"registrar": registrar, "rogue": rogue, "governance": deployer}.get(who)
            if sender is None:
                sender = holders[identities.index(i)] if i is not None else holders[0]
            if i is None:
                error: str | None = "IdentityBindingNotBound"
            else:
                error = "IdentityBindingNotAllowed" if who == "rogue" else None
            self._expect(lambda: binding.unbind(sender, c, 4), error)
            if error is None and i is not None:
                del self.docs[c]
                if i not in self.docs.values():
                    del self.person[i]

        @rule(src=st.sampled_from(identities), dst=st.sampled_from(identities), rogue_tries=st.booleans())
        def rebind(self, src: str, dst: str, rogue_tries: bool) -> None:
            if rogue_tries:
                self._expect(lambda: binding.rebind(rogue, src, dst, 1), "AccessControlUnauthorizedAccount")
                return
            if src not in self.person:
                error: str | None = "IdentityBindingNoPerson"
            elif dst in self.person:
                error = "IdentityBindingIdentityTaken"
            else:
                error = None
            self._expect(lambda: binding.rebind(deployer, src, dst, 1), error)
            if error is None:
                self.person[dst] = self.person.pop(src)
                self.docs = {c: (dst if i == src else i) for c, i in self.docs.items()}

        @invariant()
        def agree(self) -> None:
            for c in COMMITMENTS:
                assert binding.identity_of(c) == self.docs.get(c, ZERO_ADDRESS)
            for i in identities:
                mine = {c for c, owner in self.docs.items() if owner == i}
                assert set(binding.commitments_of(i)) == mine
                assert binding.is_bound(i) == bool(mine) == (i in self.person)
                assert binding.person_of(i) == self.person.get(i)
            for p in PERSONS:
                assert binding.identity_of_person(p) == self._owner_of_person(p)

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=8,
            stateful_step_count=10,
            database=None,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        ),
    )
