"""Enrolment is resumable: run again (after a crash, or by a second operator) it re-checks the
chain and sends nothing already done; a flow needs its seven parties."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount

from thekey.deploy import Deployment
from thekey.errors import BadInput
from thekey.workflow.demo import RESIDENT
from thekey.workflow.flow import Actors, VerificationFlow


def test_enroll__a_second_run_sends_no_transaction(deployment: Deployment, accounts: list[LocalAccount]) -> None:
    actors = Actors.from_accounts(accounts)
    pepper = b"\x5e" * 32  # the registrar's pepper persists across runs
    first = VerificationFlow(deployment, actors, registrar_pepper=pepper).enroll(RESIDENT)
    assert first.on_chain  # admitted parties, registered schemas, funded the insurer, bound the DID
    block = deployment.chain.block_number()
    seen: list[int] = []
    again = VerificationFlow(
        deployment, actors, registrar_pepper=pepper, on_step=lambda step: seen.append(step.number)
    ).enroll(RESIDENT)
    assert again.on_chain == [] and again.ok
    assert deployment.chain.block_number() == block
    assert seen == [0]
    assert again.summary == first.summary


def test_actors__fewer_than_seven_accounts_is_bad_input(accounts: list[LocalAccount]) -> None:
    with pytest.raises(BadInput, match="seven accounts"):
        Actors.from_accounts(accounts[:6])
