"""The payment-sharing escrow and TKY against a Python model (hypothesis RuleBasedStateMachine on
Anvil, one snapshot per example).

Invariants: the escrow's TKY balance equals what it owes — the prices of unsettled agreements plus
every unwithdrawn credit; every credit and every actor's token balance equals the model's (no
payee is paid twice: a payout happens once per agreement and a credit is withdrawn once); each
agreement moves only forward and ends in exactly one terminal state, after which every action
reverts with ``EscrowAgreementClosed``; payouts match the share plan to the wei
(:func:`thekey.payments.escrow.payout` / :func:`thekey.payments.escrow.credits_of`), an arbiter's split to the wei
— and a disputed agreement whose arbiter stays silent for ``ARBITRATION_PERIOD`` settles by the
plan; every refused action reverts with the error the model predicts.

Time: rules whose outcome depends on the clock skip when the next block could fall within
``MARGIN`` seconds of the boundary (the node's clock moves on its own between calls).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.stateful.profiles import budget
from tests.stateful.reads import read_many
from thekey.chain import Chain
from thekey.chain.transactions import Receipt
from thekey.deploy import TKY, Deployment
from thekey.errors import ContractRevert
from thekey.payments.escrow import Escrow, Plan, Status, Terms, credits_of, payout
from thekey.token.tky import Token

HOUR = 3600
DAY = 86_400
MARGIN = 30
EVIDENCE = keccak(text="salt:model|verification-record")
TERMINAL = (Status.SETTLED, Status.REFUNDED, Status.RESOLVED)
ALLOWED: dict[str, tuple[Status, ...]] = {  # the states each action applies to
    "accept": (Status.PROPOSED,),
    "complete": (Status.ACTIVE,),
    "confirm": (Status.COMPLETED,),
    "dispute": (Status.COMPLETED,),
    "reclaim": (Status.PROPOSED, Status.ACTIVE),
    "decline": (Status.PROPOSED, Status.ACTIVE),
    "settle": (Status.COMPLETED, Status.DISPUTED),  # disputed: once the arbiter's period has run out
    "resolve": (Status.DISPUTED,),
}


@dataclass
class Deal:
    """The model of one agreement."""

    terms: Terms
    status: Status
    verifier_accepted: bool
    user_accepted: bool
    completed_at: int = 0
    disputed_at: int = 0
    paid_out: int = 0  # credited by settle/confirm/resolve: the price exactly once, or nothing


ALTERABLE = ["price", "verifier", "provider", "service_deadline", "plan"]


def test_escrow_and_token__match_their_model(
    chain: Chain, deployment: Deployment, accounts: list[LocalAccount]
) -> None:
    escrow = Escrow.from_deployment(deployment)
    token = Token.from_deployment(deployment)
    providers = [accounts[1], accounts[2]]
    verifier, user, arbiter, keeper, stranger = accounts[3], accounts[4], accounts[5], accounts[8], accounts[19]
    x, y = accounts[6].address, accounts[7].address
    actors = [*providers, verifier, user, arbiter, accounts[6], accounts[7], keeper]
    signer_of = {a.address: a for a in actors}
    v, u = verifier.address, user.address
    plans = [
        Plan.of(6000, 2500, {x: 1000, y: 500}),
        Plan.of(10_000, 0),
        Plan.of(3333, 3333, {x: 3334}),
        Plan.of(0, 5000, {x: 2500, y: 2500}),  # the verifier is paid only the rounding dust
        Plan.of(5000, 1000, {u: 4000}),  # the user twice in one plan: its credits add up
    ]
    prices = st.sampled_from([1, 7, 9_999, 10**18 + 7, 1_000 * TKY + 3]) | st.integers(1, 5_000 * TKY)
    arbitration = int(escrow.contract.functions.ARBITRATION_PERIOD().call())  # 30 days
    # terms for probing ids that were never issued (the id decides: no agreement has it yet)
    probe_terms = Terms(providers[0].address, v, u, arbiter.address, 1, 2**40, HOUR, b"\x01" * 32, plans[0])
    mostly = st.sampled_from([True, True, True, False])  # the right party, or now and then a stranger

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snapshot = chain.snapshot()
            for p in providers:
                token.transfer(accounts[0], p.address, 1_000_000 * TKY)
            self.first_id = escrow.count() + 1
            self.deals: list[Deal] = []
            self.credits = {a.address: escrow.credit_of(a.address) for a in actors}
            self.balances = {a.address: token.balance_of(a.address) for a in actors}
            # what the escrow holds for agreements and credits outside this machine (none: tests are isolated)
            self.held = token.balance_of(escrow.address) - sum(self.credits.values())

        def teardown(self) -> None:
            chain.revert_to(self.snapshot)

        # -- the model ------------------------------------------------------------------------
        def _fits(self, *allowed: Status) -> bool:
            return any(d.status in allowed for d in self.deals)

        def _deal(self, data: st.DataObject, *allowed: Status) -> tuple[int, Deal]:
            """An agreement the action applies to (the rule's precondition says there is one)."""
            i = data.draw(st.sampled_from([i for i, d in enumerate(self.deals) if d.status in allowed]))
            return self.first_id + i, self.deals[i]

        @staticmethod
        def _status_error(deal: Deal, *allowed: Status) -> str | None:
            if deal.status in allowed:
                return None
            return "EscrowAgreementClosed" if deal.status in TERMINAL else "EscrowWrongStatus"

        @staticmethod
        def _attempt(call: Callable[[], Receipt], error: str | None) -> Receipt | None:
            event(error or "accepted")  # --hypothesis-show-statistics: how often each outcome ran
            if error is None:
                return call()
            with pytest.raises(ContractRevert) as exc:
                call()
            assert exc.value.name == error, f"expected {error}, got {exc.value}"
            return None

        @staticmethod
        def _near(boundary: int) -> bool:
            return abs(chain.timestamp() - boundary) <= MARGIN

        def _credit(self, who: str, amount: int) -> None:
            self.credits[who] += amount

        def _end(self, deal: Deal, status: Status) -> None:
            assert deal.status not in TERMINAL, "the model never ends an agreement twice"
            deal.status = status

        def _paid_out(self, deal: Deal, expected: list[tuple[str, int]]) -> None:
            """Credit ``expected`` in the model (the invariant compares every credit to the wei)."""
            for who, amount in expected:
                self._credit(who, amount)
            deal.paid_out += sum(amount for _, amount in expected)
            assert deal.paid_out == deal.terms.price, "a payout credits exactly the price, once"

        def _settled(self, agreement_id: int, deal: Deal, receipt: Receipt) -> None:
            terms = deal.terms
            to_verifier, to_user, to_payees, dust = payout(terms.price, terms.plan)
            expected = [
                *zip(terms.plan.payees, to_payees, strict=True),
                (terms.user, to_user),
                (terms.verifier, to_verifier),
            ]
            assert escrow.events(receipt, "AgreementSettled") == [{"id": agreement_id, "dust": dust}]
            self._paid_out(deal, expected)
            by_payee: dict[str, int] = {}
            for who, amount in expected:
                if amount:
                    by_payee[who] = by_payee.get(who, 0) + amount
            assert by_payee == credits_of(terms)
            self._end(deal, Status.SETTLED)

        def _unknown_agreement(self, action: str, missing: int) -> None:
            calls: dict[str, Callable[[], Receipt]] = {
                "accept": lambda: escrow.accept(verifier, missing, probe_terms),
                "complete": lambda: escrow.complete(verifier, missing, EVIDENCE, probe_terms),
                "confirm": lambda: escrow.confirm(providers[0], missing, probe_terms),
                "reclaim": lambda: escrow.reclaim(providers[0], missing, probe_terms),
                "decline": lambda: escrow.decline(verifier, missing, b"\x01" * 32, probe_terms),
            }
            self._attempt(calls[action], "EscrowUnknownAgreement")

        # -- provider -------------------------------------------------------------------------
        @rule(
            provider=st.integers(0, 1),
            price=prices,
            plan=st.integers(0, len(plans) - 1),
            signed=st.sampled_from(["both", "verifier", "none"]),
            permit=st.booleans(),
            probe=st.sampled_from([*[None] * 6, "accept", "complete", "confirm", "reclaim", "decline"]),
        )
        def create(self, provider: int, price: int, plan: int, signed: str, permit: bool, probe: str | None) -> None:
            if probe is not None:  # the id it is about to get is unknown until then
                self._unknown_agreement(probe, self.first_id + len(self.deals))
            self._create(provider, price, plan, signed, permit)

        @initialize(
            prices=st.lists(prices, min_size=3, max_size=3),
            plan_choice=st.lists(st.integers(0, len(plans) - 1), min_size=3, max_size=3),
        )
        def open_three(self, prices: list[int], plan_choice: list[int]) -> None:
            """Every example starts with a binding agreement and two offers waiting for acceptances."""
            for i, signed in enumerate(["both", "verifier", "none"]):
                self._create(i % 2, prices[i], plan_choice[i], signed, permit=i != 1)

        def _create(self, provider: int, price: int, plan: int, signed: str, permit: bool) -> None:
            p = providers[provider]
            now = chain.timestamp()
            terms = Terms(
                p.address, v, u, arbiter.address, price, now + DAY, HOUR, keccak(text=f"terms{now}"), plans[plan]
            )
            deadline = now + HOUR
            va = escrow.sign_acceptance(verifier, terms, deadline) if signed != "none" else None
            ua = escrow.sign_acceptance(user, terms, deadline) if signed == "both" else None
            if permit:
                agreement_id, receipt = escrow.create_and_fund(p, terms, va, ua)
            else:
                token.approve(p, escrow.address, price)
                agreement_id, receipt = escrow.create(p, terms, va, ua)
            assert agreement_id == self.first_id + len(self.deals)
            (created,) = escrow.events(receipt, "AgreementCreated")
            assert (created["price"], created["payees"], created["shares"]) == (
                price, list(plans[plan].payees), list(plans[plan].shares))  # fmt: skip
            event("created")
            status = Status.ACTIVE if signed == "both" else Status.PROPOSED
            self.deals.append(Deal(terms, status, signed != "none", signed == "both"))
            self.balances[p.address] -= price
            assert token.allowance(p.address, escrow.address) == 0  # exactly the price was pulled

        @precondition(lambda self: self._fits(Status.PROPOSED))
        @rule(data=st.data(), who=st.sampled_from(["pending", "pending", "other", "stranger"]))
        def accept(self, data: st.DataObject, who: str) -> None:
            """Mostly the party whose acceptance is missing; sometimes the other one or a stranger."""
            agreement_id, deal = self._deal(data, Status.PROPOSED)
            pending = "user" if deal.verifier_accepted else "verifier"
            party = {"pending": pending, "other": "verifier" if pending == "user" else "user"}.get(who, who)
            sender = {"verifier": verifier, "user": user, "stranger": stranger}[party]
            error = self._status_error(deal, Status.PROPOSED)
            if error is None:
                already = deal.verifier_accepted if party == "verifier" else deal.user_accepted
                error = "EscrowUnauthorized" if party == "stranger" else "EscrowAlreadyAccepted" if already else None
            if self._attempt(lambda: escrow.accept(sender, agreement_id), error) is None:
                return
            if party == "verifier":
                deal.verifier_accepted = True
            else:
                deal.user_accepted = True
            if deal.verifier_accepted and deal.user_accepted:
                deal.status = Status.ACTIVE

        @precondition(lambda self: self._fits(Status.ACTIVE))
        @rule(data=st.data(), as_verifier=mostly)
        def complete(self, data: st.DataObject, as_verifier: bool) -> None:
            agreement_id, deal = self._deal(data, Status.ACTIVE)
            sender = verifier if as_verifier else stranger
            error = self._status_error(deal, Status.ACTIVE) or (None if as_verifier else "EscrowUnauthorized")
            if error is None:
                if self._near(deal.terms.service_deadline):
                    return
                if chain.timestamp() >= deal.terms.service_deadline:
                    error = "EscrowServiceDeadlinePassed"
            receipt = self._attempt(lambda: escrow.complete(sender, agreement_id, EVIDENCE), error)
            if receipt is not None:
                deal.completed_at = chain.timestamp(receipt.block_number)
                deal.status = Status.COMPLETED

        @precondition(lambda self: self._fits(Status.COMPLETED))
        @rule(data=st.data(), as_provider=mostly)
        def confirm(self, data: st.DataObject, as_provider: bool) -> None:
            agreement_id, deal = self._deal(data, Status.COMPLETED)
            sender = signer_of[deal.terms.provider] if as_provider else stranger
            error = self._status_error(deal, Status.COMPLETED) or (None if as_provider else "EscrowUnauthorized")
            receipt = self._attempt(lambda: escrow.confirm(sender, agreement_id, deal.terms), error)
            if receipt is not None:
                assert escrow.events(receipt, "AgreementConfirmed") == [{"id": agreement_id}]
                self._settled(agreement_id, deal, receipt)

        @precondition(lambda self: self._fits(Status.COMPLETED))
        @rule(data=st.data(), as_provider=mostly)
        def dispute(self, data: st.DataObject, as_provider: bool) -> None:
            agreement_id, deal = self._deal(data, Status.COMPLETED)
            sender = signer_of[deal.terms.provider] if as_provider else stranger
            error = self._status_error(deal, Status.COMPLETED) or (None if as_provider else "EscrowUnauthorized")
            if error is None:
                until = deal.completed_at + HOUR
                if self._near(until):
                    return
                if chain.timestamp() >= until:
                    error = "EscrowDisputeWindowClosed"
            receipt = self._attempt(lambda: escrow.dispute(sender, agreement_id, b"\x07" * 32), error)
            if receipt is not None:
                deal.disputed_at = chain.timestamp(receipt.block_number)
                deal.status = Status.DISPUTED

        @precondition(lambda self: self._fits(Status.PROPOSED, Status.ACTIVE))
        @rule(data=st.data(), as_provider=mostly)
        def reclaim(self, data: st.DataObject, as_provider: bool) -> None:
            agreement_id, deal = self._deal(data, Status.PROPOSED, Status.ACTIVE)
            sender = signer_of[deal.terms.provider] if as_provider else stranger
            error = self._status_error(deal, Status.PROPOSED, Status.ACTIVE)
            if error is None and deal.status is Status.ACTIVE:
                if self._near(deal.terms.service_deadline):
                    return
                if chain.timestamp() < deal.terms.service_deadline:
                    error = "EscrowServiceDeadlineNotReached"
            error = error or (None if as_provider else "EscrowUnauthorized")
            receipt = self._attempt(lambda: escrow.reclaim(sender, agreement_id), error)
            if receipt is not None:
                assert escrow.events(receipt, "AgreementReclaimed") == [
                    {"id": agreement_id, "amount": deal.terms.price}
                ]
                self.balances[deal.terms.provider] += deal.terms.price
                self._end(deal, Status.REFUNDED)

        # -- verifier -------------------------------------------------------------------------
        @precondition(lambda self: self._fits(Status.PROPOSED, Status.ACTIVE))
        @rule(data=st.data(), as_verifier=mostly)
        def decline(self, data: st.DataObject, as_verifier: bool) -> None:
            agreement_id, deal = self._deal(data, Status.PROPOSED, Status.ACTIVE)
            sender = verifier if as_verifier else stranger
            error = self._status_error(deal, Status.PROPOSED, Status.ACTIVE)
            error = error or (None if as_verifier else "EscrowUnauthorized")
            reason = b"\x0d" * 32
            receipt = self._attempt(lambda: escrow.decline(sender, agreement_id, reason), error)
            if receipt is not None:
                declined = {"id": agreement_id, "reasonHash": reason, "amount": deal.terms.price}
                assert escrow.events(receipt, "AgreementDeclined") == [declined]
                self._credit(deal.terms.provider, deal.terms.price)
                self._end(deal, Status.REFUNDED)

        # -- anyone ---------------------------------------------------------------------------
        @precondition(lambda self: self._fits(Status.COMPLETED, Status.DISPUTED))
        @rule(data=st.data())
        def settle(self, data: st.DataObject) -> None:
            """By the plan, by anyone: once the dispute window has passed, or once the arbiter of a
            disputed agreement stayed silent for the whole arbitration period."""
            agreement_id, deal = self._deal(data, Status.COMPLETED, Status.DISPUTED)
            disputed = deal.status is Status.DISPUTED
            until = deal.disputed_at + arbitration if disputed else deal.completed_at + HOUR
            if self._near(until):
                return
            error = None
            if chain.timestamp() < until:
                error = "EscrowArbitrationPending" if disputed else "EscrowDisputeWindowOpen"
            receipt = self._attempt(lambda: escrow.settle(keeper, agreement_id, deal.terms), error)
            if receipt is not None:
                self._settled(agreement_id, deal, receipt)

        @precondition(lambda self: any(self.credits.values()))
        @rule(data=st.data())
        def withdraw(self, data: st.DataObject) -> None:
            """Mostly an actor with a credit; sometimes anyone (nothing to withdraw)."""
            owed_to = [a for a in actors if self.credits[a.address]]
            anyone = data.draw(st.integers(0, 3)) == 3
            account = data.draw(st.sampled_from(owed_to if owed_to and not anyone else actors))
            owed = self.credits[account.address]
            error = None if owed else "EscrowNothingToWithdraw"
            receipt = self._attempt(lambda: escrow.withdraw(account), error)
            if receipt is not None:
                assert token.events(receipt, "Transfer") == [
                    {"from": escrow.address, "to": account.address, "value": owed}
                ]
                self.credits[account.address] = 0
                self.balances[account.address] += owed

        @rule(seconds=st.sampled_from([1, 600, HOUR + 2 * MARGIN, DAY + 2 * MARGIN, arbitration + 2 * MARGIN]))
        def time_passes(self, seconds: int) -> None:
            chain.increase_time(seconds)

        # -- arbiter --------------------------------------------------------------------------
        @precondition(lambda self: self._fits(Status.DISPUTED))
        @rule(
            data=st.data(),
            as_arbiter=mostly,
            refund_quarters=st.integers(0, 4),
            weights=st.lists(st.integers(0, 5), min_size=1, max_size=4),
            off_by=st.sampled_from([0, 0, 0, 1]),
        )
        def resolve(
            self, data: st.DataObject, as_arbiter: bool, refund_quarters: int, weights: list[int], off_by: int
        ) -> None:
            agreement_id, deal = self._deal(data, Status.DISPUTED)
            terms = deal.terms
            sender = arbiter if as_arbiter else stranger
            eligible = [terms.verifier, terms.user, *terms.plan.payees]
            refund = terms.price * refund_quarters // 4
            rest = terms.price - refund
            recipients = [eligible[i % len(eligible)] for i in range(len(weights))]
            total_weight = sum(weights) or 1
            amounts = [rest * w // total_weight for w in weights]
            amounts[0] += rest - sum(amounts) + off_by  # exact to the wei, unless off by one on purpose
            error = self._status_error(deal, Status.DISPUTED) or (None if as_arbiter else "EscrowUnauthorized")
            if error is None and off_by:
                error = "EscrowSplitSum"
            split = list(zip(recipients, amounts, strict=True))
            receipt = self._attempt(lambda: escrow.resolve(sender, agreement_id, refund, split, terms), error)
            if receipt is not None:
                resolved = {"id": agreement_id, "refund": refund, "recipients": recipients, "amounts": amounts}
                assert escrow.events(receipt, "AgreementResolved") == [resolved]
                self._paid_out(deal, [(terms.provider, refund), *split])
                self._end(deal, Status.REFUNDED if refund == terms.price else Status.RESOLVED)

        @precondition(lambda self: bool(self.deals))
        @rule(data=st.data(), action=st.sampled_from(sorted(ALLOWED)))
        def action_in_the_wrong_state(self, data: st.DataObject, action: str) -> None:
            """The right party, an agreement in a state the action does not apply to: refused."""
            misfits = [i for i, d in enumerate(self.deals) if d.status not in ALLOWED[action]]
            if not misfits:
                return
            i = data.draw(st.sampled_from(misfits))
            agreement_id, deal = self.first_id + i, self.deals[i]
            provider = signer_of[deal.terms.provider]
            calls: dict[str, Callable[[], Receipt]] = {
                "accept": lambda: escrow.accept(verifier, agreement_id),
                "complete": lambda: escrow.complete(verifier, agreement_id, EVIDENCE),
                "confirm": lambda: escrow.confirm(provider, agreement_id, deal.terms),
                "dispute": lambda: escrow.dispute(provider, agreement_id, b"\x07" * 32),
                "reclaim": lambda: escrow.reclaim(provider, agreement_id),
                "decline": lambda: escrow.decline(verifier, agreement_id, b"\x0d" * 32),
                "settle": lambda: escrow.settle(keeper, agreement_id, deal.terms),
                "resolve": lambda: escrow.resolve(arbiter, agreement_id, deal.terms.price, (), deal.terms),
            }
            self._attempt(calls[action], self._status_error(deal, *ALLOWED[action]))

        @precondition(lambda self: bool(self.deals))
        @rule(data=st.data(), action=st.sampled_from(sorted(ALLOWED)), field=st.sampled_from(ALTERABLE))
        def action_with_other_terms(self, data: st.DataObject, action: str, field: str) -> None:
            """Any action, by the right party, with one term changed (a price, a party, a time, the
            plan): the storage key commits to every term, so no agreement is found and nothing moves."""
            i = data.draw(st.integers(0, len(self.deals) - 1))
            agreement_id, deal = self.first_id + i, self.deals[i]
            t = deal.terms
            other = {
                "price": {"price": t.price + 1},
                "verifier": {"verifier": keeper.address},
                "provider": {"provider": keeper.address},
                "service_deadline": {"service_deadline": t.service_deadline + 1},
                "plan": {"plan": Plan.of(10_000, 0) if t.plan != Plan.of(10_000, 0) else plans[0]},
            }[field]
            forged = replace(t, **other)  # type: ignore[arg-type]
            provider = signer_of[t.provider]
            calls: dict[str, Callable[[], Receipt]] = {
                "accept": lambda: escrow.accept(verifier, agreement_id, forged),
                "complete": lambda: escrow.complete(verifier, agreement_id, EVIDENCE, forged),
                "confirm": lambda: escrow.confirm(provider, agreement_id, forged),
                "dispute": lambda: escrow.dispute(provider, agreement_id, b"\x07" * 32, forged),
                "reclaim": lambda: escrow.reclaim(provider, agreement_id, forged),
                "decline": lambda: escrow.decline(verifier, agreement_id, b"\x0d" * 32, forged),
                "settle": lambda: escrow.settle(keeper, agreement_id, forged),
                "resolve": lambda: escrow.resolve(arbiter, agreement_id, t.price, (), forged),
            }
            self._attempt(calls[action], "EscrowTermsMismatch")

        # -- invariants (read in one JSON-RPC batch per step) -----------------------------------
        @invariant()
        def chain_matches_the_model(self) -> None:
            fns = escrow.contract.functions
            tkn = token.contract.functions
            addresses = list(self.credits)
            reads = read_many(
                chain,
                [
                    tkn.balanceOf(escrow.address),
                    *(fns.creditOf(a) for a in addresses),
                    *(tkn.balanceOf(a) for a in addresses),
                    *(fns.agreement(self.first_id + i, d.terms.as_arg()) for i, d in enumerate(self.deals)),
                ],
            )
            held, reads = reads[0], reads[1:]
            credits, balances, agreements = (
                reads[: len(addresses)],
                reads[len(addresses) : 2 * len(addresses)],
                reads[2 * len(addresses) :],
            )
            # the escrow's TKY is exactly what it owes: unsettled prices plus unwithdrawn credits
            unsettled = sum(d.terms.price for d in self.deals if d.status not in TERMINAL)
            assert held == self.held + unsettled + sum(self.credits.values())
            # every credit and every balance as modelled: nobody was paid twice, nothing went missing
            assert dict(zip(addresses, credits, strict=True)) == self.credits
            assert dict(zip(addresses, balances, strict=True)) == self.balances
            # each agreement in the modelled state; paid out (the price, once) only when terminal
            for deal, raw in zip(self.deals, agreements, strict=True):
                assert Status(raw[0]) is deal.status
                assert (raw[1], raw[2]) == (deal.verifier_accepted, deal.user_accepted)
                assert (raw[3], raw[4]) == (deal.completed_at, deal.disputed_at)
                assert deal.paid_out in (0, deal.terms.price)
                assert not deal.paid_out or deal.status in TERMINAL

    Machine.TestCase.settings = budget(4, 200, steps=(20, 80))
    Machine.TestCase().runTest()
