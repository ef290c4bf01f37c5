"""TKY against a Python model (hypothesis RuleBasedStateMachine on Anvil, one snapshot per example).

Invariants: total supply = the sum of all balances; only mint/burn change the supply; the cap is
never exceeded; every balance and allowance equals the model's.
"""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tests.stateful.profiles import budget
from tests.stateful.reads import read_many
from thekey.chain import Chain
from thekey.deploy import Deployment
from thekey.errors import ContractRevert
from thekey.token.tky import Token

TKY = 10**18


def test_token__matches_its_model(chain: Chain, deployment: Deployment, accounts: list[LocalAccount]) -> None:
    token = Token.from_deployment(deployment)
    minter = accounts[0]
    holders = [minter, *accounts[5:9]]
    amounts = st.sampled_from([0, 1, TKY, 7 * TKY, 10**6 * TKY]) | st.integers(0, 50 * TKY)
    who = st.integers(0, len(holders) - 1)

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snapshot = chain.snapshot()
            self.cap = token.cap()
            self.balances = {h.address: token.balance_of(h.address) for h in holders}
            self.outside = token.total_supply() - sum(self.balances.values())
            self.allowances: dict[tuple[str, str], int] = {}
            self.supply = token.total_supply()

        def teardown(self) -> None:
            chain.revert_to(self.snapshot)

        @rule(to=who, amount=amounts)
        def mint(self, to: int, amount: int) -> None:
            addr = holders[to].address
            if self.supply + amount > self.cap:
                try:
                    token.mint(minter, addr, amount)
                except ContractRevert as exc:
                    assert exc.name == "ERC20ExceededCap"
                    return
                raise AssertionError("minted past the cap")
            token.mint(minter, addr, amount)
            self.balances[addr] += amount
            self.supply += amount

        @rule(frm=who, to=who, amount=amounts)
        def transfer(self, frm: int, to: int, amount: int) -> None:
            a, b = holders[frm].address, holders[to].address
            if amount > self.balances[a]:
                try:
                    token.transfer(holders[frm], b, amount)
                except ContractRevert as exc:
                    assert exc.name == "ERC20InsufficientBalance"
                    return
                raise AssertionError("transferred more than the balance")
            token.transfer(holders[frm], b, amount)
            self.balances[a] -= amount
            self.balances[b] += amount

        @rule(owner=who, spender=who, amount=amounts)
        def approve(self, owner: int, spender: int, amount: int) -> None:
            token.approve(holders[owner], holders[spender].address, amount)
            self.allowances[(holders[owner].address, holders[spender].address)] = amount

        @precondition(lambda self: bool(self.allowances))
        @rule(data=st.data(), to=who)
        def transfer_from(self, data: st.DataObject, to: int) -> None:
            owner, spender = data.draw(st.sampled_from(sorted(self.allowances)))
            allowed = self.allowances[(owner, spender)]
            amount = data.draw(st.integers(0, max(allowed, 1) * 2))
            signer = next(h for h in holders if h.address == spender)
            if amount > allowed or amount > self.balances[owner]:
                try:
                    token.transfer_from(signer, owner, holders[to].address, amount)
                except ContractRevert as exc:
                    assert exc.name in ("ERC20InsufficientAllowance", "ERC20InsufficientBalance")
                    return
                raise AssertionError("transferFrom beyond the allowance or balance")
            token.transfer_from(signer, owner, holders[to].address, amount)
            self.balances[owner] -= amount
            self.balances[holders[to].address] += amount
            self.allowances[(owner, spender)] = allowed - amount

        @rule(frm=who, amount=amounts)
        def burn(self, frm: int, amount: int) -> None:
            a = holders[frm].address
            if amount > self.balances[a]:
                try:
                    token.burn(holders[frm], amount)
                except ContractRevert as exc:
                    assert exc.name == "ERC20InsufficientBalance"
                    return
                raise AssertionError("burned more than the balance")
            token.burn(holders[frm], amount)
            self.balances[a] -= amount
            self.supply -= amount

        @invariant()
        def chain_matches_the_model(self) -> None:
            """Read in one JSON-RPC batch per step."""
            fns = token.contract.functions
            pairs = sorted(self.allowances)
            supply, cap, *rest = read_many(
                chain,
                [
                    fns.totalSupply(),
                    fns.cap(),
                    *(fns.balanceOf(a) for a in self.balances),
                    *(fns.allowance(o, s) for o, s in pairs),
                ],
            )
            balances, allowances = rest[: len(self.balances)], rest[len(self.balances) :]
            # supply = the sum of all balances, and only mint/burn changed it
            assert supply == self.supply == self.outside + sum(self.balances.values())
            # the cap is never exceeded
            assert supply <= cap == self.cap
            # every balance and allowance as modelled
            assert dict(zip(self.balances, balances, strict=True)) == self.balances
            assert dict(zip(pairs, allowances, strict=True)) == {k: self.allowances[k] for k in pairs}

    Machine.TestCase.settings = budget(8, 300, steps=(12, 60))
    Machine.TestCase().runTest()
