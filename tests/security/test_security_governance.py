"""Governance fit for a consortium (issue 13, scenario 8): the admin role of every role-based
contract is handed over in two delayed steps (AccessControlDefaultAdminRules), and
`deploy --timelock` puts an OpenZeppelin TimelockController there, so an admin action runs only
after its delay."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain import Chain
from thekey.deploy import Deployment, SuiteConfig, deploy_suite
from thekey.errors import ContractRevert
from thekey.identity.registry import REGISTRAR_ROLE

ROLE_BASED = ("token", "binding", "routes", "credentials")
TWO_DAYS = 2 * 24 * 3600


def _revert(chain: Chain, fn: object, sender: LocalAccount) -> ContractRevert:
    with pytest.raises(ContractRevert) as exc:
        chain.transact(fn, sender)  # type: ignore[arg-type]
    return exc.value


@pytest.mark.parametrize("key", ROLE_BASED)
def test_admin_transfer__is_two_step_and_waits_two_days(
    key: str, chain: Chain, deployment: Deployment, deployer: LocalAccount, accounts: list[LocalAccount]
) -> None:
    contract = deployment.contract(key)
    new, stranger = accounts[7], accounts[8]
    assert contract.functions.defaultAdmin().call() == deployer.address
    assert contract.functions.defaultAdminDelay().call() == TWO_DAYS
    err = _revert(chain, contract.functions.grantRole(b"\x00" * 32, new.address), deployer)
    assert err.name == "AccessControlEnforcedDefaultAdminRules"
    err = _revert(chain, contract.functions.beginDefaultAdminTransfer(new.address), stranger)
    assert err.name == "AccessControlUnauthorizedAccount"

    chain.transact(contract.functions.beginDefaultAdminTransfer(new.address), deployer)
    err = _revert(chain, contract.functions.acceptDefaultAdminTransfer(), new)
    assert err.name == "AccessControlEnforcedDefaultAdminDelay"
    err = _revert(chain, contract.functions.acceptDefaultAdminTransfer(), stranger)
    assert err.name == "AccessControlInvalidDefaultAdmin"
    chain.increase_time(TWO_DAYS + 1)
    chain.transact(contract.functions.acceptDefaultAdminTransfer(), new)
    assert contract.functions.defaultAdmin().call() == new.address
    assert not contract.functions.hasRole(b"\x00" * 32, deployer.address).call()


def test_timelock__an_admin_action_runs_only_after_its_delay(
    chain: Chain, deployer: LocalAccount, accounts: list[LocalAccount]
) -> None:
    operator, registrar = accounts[5], accounts[6]
    dep = deploy_suite(chain, deployer, SuiteConfig(admin=operator.address, timelock_delay=3600), write=False)
    timelock, binding = dep.contract("timelock"), dep.contract("binding")
    for key in ROLE_BASED:
        assert dep.contract(key).functions.defaultAdmin().call() == timelock.address
    assert dep.manifest["admin"] == timelock.address

    grant = binding.functions.grantRole(REGISTRAR_ROLE, registrar.address)
    # neither the deployer nor the operator can act directly any more
    for who in (deployer, operator):
        assert _revert(chain, grant, who).name == "AccessControlUnauthorizedAccount"
    call, zero = grant._encode_transaction_data(), b"\x00" * 32
    err = _revert(chain, timelock.functions.schedule(binding.address, 0, call, zero, zero, 3600), accounts[9])
    assert err.name == "AccessControlUnauthorizedAccount"  # only the proposer schedules
    chain.transact(timelock.functions.schedule(binding.address, 0, call, zero, zero, 3600), operator)
    err = _revert(chain, timelock.functions.execute(binding.address, 0, call, zero, zero), operator)
    assert err.name == "TimelockUnexpectedOperationState"
    assert not binding.functions.hasRole(REGISTRAR_ROLE, registrar.address).call()
    chain.increase_time(3601)
    chain.transact(timelock.functions.execute(binding.address, 0, call, zero, zero), operator)
    assert binding.functions.hasRole(REGISTRAR_ROLE, registrar.address).call()
