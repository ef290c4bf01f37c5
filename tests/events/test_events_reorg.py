"""Reorganisations on a real Anvil (``anvil_reorg``, ``anvil_rollback``): the index rolls back
exactly the orphaned events, indexes the new branch, and its report equals the report of a fresh
index of the final chain — on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from tests.events.conftest import reorg, rollback
from thekey.chain import Chain
from thekey.deploy import TKY, Deployment
from thekey.events import EventIndex
from thekey.token.tky import Token
from thekey.workflow.demo import HEALTH_RECORD, RESIDENT
from thekey.workflow.flow import Actors, Request, VerificationFlow
from thekey.workflow.identity_check import Signals, capture, synthetic_template
from thekey.workflow.report import build_report, credit_rating

GENUINE = capture(synthetic_template(RESIDENT.biometric_seed, "fingerprint"), "fingerprint", seed="t1")
ABROAD = Signals(RESIDENT.device_id, "SG", "CN", 10)


def fresh(deployment: Deployment) -> EventIndex:
    index = EventIndex(deployment)
    index.sync()
    return index


def keys(index: EventIndex) -> list[str]:
    return [e.key for e in index.events()]


def transfer_request(deployment: Deployment, sender: LocalAccount, to: str, amount: int) -> dict[str, str]:
    """A TKY transfer as a transaction request (Anvil signs it for its dev account)."""
    token = Token.from_deployment(deployment).contract
    return {"from": sender.address, "to": token.address, "data": token.encode_abi("transfer", args=[to, amount])}


@pytest.mark.parametrize("how", ["anvil_reorg", "anvil_rollback"])
def test_reorg__a_settlement_and_a_revocation_reorganised_away__the_report_equals_a_fresh_index_of_the_final_chain(
    how: str, suite: Deployment, own_chain: Chain, people: list[LocalAccount], store_location: str | Path
) -> None:
    chain = own_chain
    flow = VerificationFlow(suite, Actors.from_accounts(people))
    flow.enroll(RESIDENT)
    case, _ = flow.request(Request())
    for step in (flow.sign_and_fund, flow.check_policy):
        step(case)
    flow.check_identity(case, GENUINE, ABROAD)
    flow.record_evidence(case)
    flow.publish_health_record(case, HEALTH_RECORD)
    flow.fetch_health_record(case)
    index = EventIndex(suite, store_location)
    index.sync()
    fork = chain.block_number()
    flow.settle(case)
    flow.revoke_consent(case)
    index.sync()
    before = build_report(index)
    assert before.outcomes["settled"] == 1 and before.consents["revoked"] == 1
    orphaned = {e.key for e in index.events(from_block=fork + 1)}
    kept = [k for k in keys(index) if k not in orphaned]
    assert {e.event for e in index.events(from_block=fork + 1)} >= {"AgreementSettled", "ConsentRevoked"}

    depth = chain.block_number() - fork
    replacement = transfer_request(suite, people[0], people[8].address, 7 * TKY)
    if how == "anvil_reorg":  # the same height, other blocks: one holds another transaction
        reorg(chain, depth, [(replacement, 1)])
    else:  # the chain gets shorter, then grows another way
        rollback(chain, depth)
        Token.from_deployment(suite).transfer(people[0], people[8].address, 7 * TKY)
    assert chain.block_number() > fork
    index.sync()

    final = fresh(suite)
    assert keys(index) == keys(final)
    assert keys(index)[: len(kept)] == kept and not orphaned & set(keys(index))  # exactly the orphans went
    assert [e.args["value"] for e in index.events("Transfer", from_block=fork + 1)] == [str(7 * TKY)]
    after = build_report(index)
    assert after.as_json() == build_report(final).as_json()
    assert after.outcomes["settled"] == 0 and after.consents["revoked"] == 0
    user = flow.actors.user.address
    assert credit_rating(index, user) == credit_rating(final, user)
    assert index.sync() == 0


def test_reorg__a_resumed_index_detects_a_reorganisation_that_happened_while_it_was_closed(
    suite: Deployment, own_chain: Chain, people: list[LocalAccount], store_location: str | Path
) -> None:
    token = Token.from_deployment(suite)
    EventIndex(suite, store_location).sync()
    fork = own_chain.block_number()
    for n in range(3):
        token.transfer(people[0], people[1].address, (n + 1) * TKY)
    first = EventIndex(suite, store_location)
    first.sync()
    first.close()
    reorg(own_chain, 2, [(transfer_request(suite, people[0], people[2].address, 5 * TKY), 0)])
    resumed = EventIndex(suite, store_location)
    changes = []
    for change in resumed.changes():
        changes.append(change)
        assert resumed.apply(change)
    assert [len(c.retracted) for c in changes] == [2, 0]  # the two orphaned transfers, then the branch
    assert [e.args["value"] for e in changes[0].retracted] == [str(2 * TKY), str(3 * TKY)]
    assert keys(resumed) == keys(fresh(suite))
    assert [e.args["value"] for e in resumed.events("Transfer", from_block=fork + 1)] == [str(TKY), str(5 * TKY)]


def test_confirmations__only_blocks_that_deep_are_indexed_so_a_shallower_reorganisation_is_never_seen(
    suite: Deployment, own_chain: Chain, people: list[LocalAccount], store_location: str | Path
) -> None:
    token = Token.from_deployment(suite)
    for n in range(3):
        token.transfer(people[0], people[1].address, (n + 1) * TKY)
    head = own_chain.block_number()
    index = EventIndex(suite, store_location, confirmations=2)
    index.sync()
    assert index.last_block == head - 2
    assert [e.args["value"] for e in index.events("Transfer")][-1] == str(TKY)
    reorg(own_chain, 2)  # the two newest transfers vanish: the index never saw them
    assert list(index.changes()) == []
    own_chain.mine(2)
    index.sync()
    assert index.last_block == own_chain.block_number() - 2
    assert keys(index) == [e.key for e in fresh(suite).events() if e.block <= index.last_block]


def test_reorg__in_the_middle_of_a_read__is_caught_and_the_step_read_again(
    suite: Deployment, own_chain: Chain, people: list[LocalAccount], tmp_path: Path
) -> None:
    Token.from_deployment(suite).transfer(people[0], people[1].address, TKY)
    own_chain.mine(2)  # two blocks without a suite event: a stale read of them shows no log to check
    replacement = transfer_request(suite, people[0], people[2].address, 9 * TKY)

    class ReorgAfterFirstRead(EventIndex):
        reads = 0

        def _fetch_logs(self, start: int, end: int) -> tuple[list[dict[str, Any]], str | None]:
            result = super()._fetch_logs(start, end)
            type(self).reads += 1
            if type(self).reads == 1:  # the node reorganises right after answering: these logs are stale
                reorg(own_chain, 2, [(replacement, 1)])  # … and the new branch has an event there
            return result

    index = ReorgAfterFirstRead(suite, tmp_path / "events.sqlite")
    index.sync()
    assert ReorgAfterFirstRead.reads >= 2
    assert keys(index) == keys(fresh(suite))
    assert [e.args["value"] for e in index.events("Transfer")][-2:] == [str(TKY), str(9 * TKY)]
