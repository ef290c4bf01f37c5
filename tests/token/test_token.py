"""TKY: ERC-20 behaviour, EIP-2612 permits, the cap, roles and rewards."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from tests.support.signatures import malleate, other_chain, other_contract
from thekey.chain import Chain
from thekey.deploy import TKY, Deployment
from thekey.eip712 import typehash
from thekey.errors import ContractRevert
from thekey.token.tky import MINTER_ROLE, PERMIT_TYPES, REWARDER_ROLE, Permit, Token


@pytest.fixture
def token(deployment: Deployment) -> Token:
    return Token.from_deployment(deployment)


@pytest.fixture
def alice(accounts: list[LocalAccount]) -> LocalAccount:
    return accounts[1]


@pytest.fixture
def bob(accounts: list[LocalAccount]) -> LocalAccount:
    return accounts[2]


def test_metadata__matches_the_specification(token: Token) -> None:
    assert (token.name(), token.symbol(), token.decimals()) == ("TheKey", "TKY", 18)
    assert token.cap() == 1_000_000_000 * TKY
    assert token.total_supply() == 100_000_000 * TKY
    assert token._call("version") == "1.0.0"


def test_transfer__moves_balance_and_emits_transfer(token: Token, deployer: LocalAccount, alice: LocalAccount) -> None:
    before = token.balance_of(deployer.address)
    receipt = token.transfer(deployer, alice.address, 7 * TKY)
    assert token.balance_of(alice.address) == 7 * TKY
    assert token.balance_of(deployer.address) == before - 7 * TKY
    assert token.events(receipt, "Transfer") == [{"from": deployer.address, "to": alice.address, "value": 7 * TKY}]


def test_transfer__reverts_with_insufficient_balance(token: Token, alice: LocalAccount, bob: LocalAccount) -> None:
    with pytest.raises(ContractRevert) as exc:
        token.transfer(alice, bob.address, 1)
    assert exc.value.name == "ERC20InsufficientBalance"
    assert exc.value.arguments == {"sender": alice.address, "balance": 0, "needed": 1}


def test_transfer_from__spends_allowance(
    token: Token, deployer: LocalAccount, alice: LocalAccount, bob: LocalAccount
) -> None:
    token.approve(deployer, alice.address, 10 * TKY)
    token.transfer_from(alice, deployer.address, bob.address, 4 * TKY)
    assert token.allowance(deployer.address, alice.address) == 6 * TKY
    assert token.balance_of(bob.address) == 4 * TKY
    with pytest.raises(ContractRevert) as exc:
        token.transfer_from(alice, deployer.address, bob.address, 7 * TKY)
    assert exc.value.name == "ERC20InsufficientAllowance"


def test_burn__reduces_supply(token: Token, deployer: LocalAccount) -> None:
    supply = token.total_supply()
    token.burn(deployer, 5 * TKY)
    assert token.total_supply() == supply - 5 * TKY


# -- permit ---------------------------------------------------------------------------------


def _deadline(chain: Chain, seconds: int = 3600) -> int:
    return chain.timestamp() + seconds


def test_permit_typehash__matches_eip2612() -> None:
    expected = keccak(text="Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)")
    assert typehash("Permit", PERMIT_TYPES) == expected


def test_permit__valid_signature_sets_allowance_relayed_by_anyone(
    token: Token, chain: Chain, alice: LocalAccount, bob: LocalAccount, stranger: LocalAccount
) -> None:
    permit = token.sign_permit(alice, bob.address, 3 * TKY, _deadline(chain))
    receipt = token.permit(stranger, permit)
    assert token.allowance(alice.address, bob.address) == 3 * TKY
    assert token.nonce_of(alice.address) == 1
    assert token.events(receipt, "Approval") == [{"owner": alice.address, "spender": bob.address, "value": 3 * TKY}]


def test_permit__replayed_signature_reverts(token: Token, chain: Chain, alice: LocalAccount, bob: LocalAccount) -> None:
    permit = token.sign_permit(alice, bob.address, 3 * TKY, _deadline(chain))
    token.permit(bob, permit)
    with pytest.raises(ContractRevert) as exc:
        token.permit(bob, permit)
    assert exc.value.name == "ERC2612InvalidSigner"


def test_permit__wrong_signer_reverts(token: Token, chain: Chain, alice: LocalAccount, bob: LocalAccount) -> None:
    signed_by_bob = token.sign_permit(bob, bob.address, TKY, _deadline(chain), nonce=0)
    forged = Permit(alice.address, bob.address, TKY, signed_by_bob.deadline, signed_by_bob.signature)
    with pytest.raises(ContractRevert) as exc:
        token.permit(bob, forged)
    assert exc.value.name == "ERC2612InvalidSigner"
    assert exc.value.arguments["owner"] == alice.address


def test_permit__expired_deadline_reverts(token: Token, chain: Chain, alice: LocalAccount, bob: LocalAccount) -> None:
    deadline = chain.timestamp() + 100
    permit = token.sign_permit(alice, bob.address, TKY, deadline)
    chain.set_next_block_timestamp(deadline + 1)
    with pytest.raises(ContractRevert) as exc:
        token.permit(bob, permit)
    assert exc.value.name == "ERC2612ExpiredSignature"


def test_permit__exactly_at_deadline_is_accepted(
    token: Token, chain: Chain, alice: LocalAccount, bob: LocalAccount
) -> None:
    deadline = chain.timestamp() + 100
    permit = token.sign_permit(alice, bob.address, TKY, deadline)
    chain.set_next_block_timestamp(deadline)
    token.permit(bob, permit)
    assert token.allowance(alice.address, bob.address) == TKY


@pytest.mark.parametrize("domain_change", [other_chain, other_contract], ids=["other_chain", "other_contract"])
def test_permit__signature_for_another_domain_reverts(
    token: Token, chain: Chain, alice: LocalAccount, bob: LocalAccount, domain_change: object
) -> None:
    domain = domain_change(token.domain)  # type: ignore[operator]
    permit = token.sign_permit(alice, bob.address, TKY, _deadline(chain), domain=domain)
    with pytest.raises(ContractRevert) as exc:
        token.permit(bob, permit)
    assert exc.value.name == "ERC2612InvalidSigner"


def test_permit__malleable_signature_reverts(
    token: Token, chain: Chain, alice: LocalAccount, bob: LocalAccount
) -> None:
    permit = token.sign_permit(alice, bob.address, TKY, _deadline(chain))
    twin = Permit(permit.owner, permit.spender, permit.value, permit.deadline, malleate(permit.signature))
    with pytest.raises(ContractRevert) as exc:
        token.permit(bob, twin)
    assert exc.value.name == "ECDSAInvalidSignatureS"


def test_domain__reported_by_erc5267_matches_the_chain(token: Token, chain: Chain) -> None:
    assert token.domain.name == "TheKey"
    assert token.domain.version == "1"
    assert token.domain.chain_id == chain.chain_id
    assert token.domain.verifying_contract == token.address


# -- cap, roles, rewards --------------------------------------------------------------------


def test_mint__within_cap_by_minter(token: Token, deployer: LocalAccount, alice: LocalAccount) -> None:
    token.mint(deployer, alice.address, 5 * TKY)
    assert token.balance_of(alice.address) == 5 * TKY


def test_mint__past_cap_reverts_with_exceeded_cap(token: Token, deployer: LocalAccount, alice: LocalAccount) -> None:
    room = token.cap() - token.total_supply()
    token.mint(deployer, alice.address, room)
    assert token.total_supply() == token.cap()
    with pytest.raises(ContractRevert) as exc:
        token.mint(deployer, alice.address, 1)
    assert exc.value.name == "ERC20ExceededCap"
    assert exc.value.arguments == {"increasedSupply": token.cap() + 1, "cap": token.cap()}


def test_reward__mints_and_emits_rewarded(token: Token, deployer: LocalAccount, alice: LocalAccount) -> None:
    reason = keccak(text="verification.completed")
    receipt = token.reward(deployer, alice.address, 2 * TKY, reason)
    assert token.balance_of(alice.address) == 2 * TKY
    assert token.events(receipt, "Rewarded") == [{"account": alice.address, "amount": 2 * TKY, "reasonCode": reason}]


def test_reward__past_cap_reverts(token: Token, deployer: LocalAccount, alice: LocalAccount) -> None:
    with pytest.raises(ContractRevert) as exc:
        token.reward(deployer, alice.address, token.cap(), b"\x01" * 32)
    assert exc.value.name == "ERC20ExceededCap"


@pytest.mark.parametrize(
    ("call", "role"),
    [
        (lambda t, s, a: t.mint(s, a, 1), MINTER_ROLE),
        (lambda t, s, a: t.reward(s, a, 1, b"\x00" * 32), REWARDER_ROLE),
        (lambda t, s, a: t.grant_role(s, MINTER_ROLE, a), b"\x00" * 32),
        (lambda t, s, a: t.revoke_role(s, REWARDER_ROLE, a), b"\x00" * 32),
    ],
    ids=["mint", "reward", "grantRole", "revokeRole"],
)
def test_privileged__stranger_reverts_with_unauthorized_account(
    token: Token, stranger: LocalAccount, call: object, role: bytes
) -> None:
    with pytest.raises(ContractRevert) as exc:
        call(token, stranger, stranger.address)  # type: ignore[operator]
    assert exc.value.name == "AccessControlUnauthorizedAccount"
    assert exc.value.arguments == {"account": stranger.address, "neededRole": role}


def test_roles__revoked_minter_can_no_longer_mint(token: Token, deployer: LocalAccount, alice: LocalAccount) -> None:
    token.grant_role(deployer, MINTER_ROLE, alice.address)
    token.mint(alice, alice.address, 1)
    token.revoke_role(deployer, MINTER_ROLE, alice.address)
    with pytest.raises(ContractRevert) as exc:
        token.mint(alice, alice.address, 1)
    assert exc.value.name == "AccessControlUnauthorizedAccount"


def test_constructor__zero_cap_or_initial_supply_past_cap_reverts(chain: Chain, deployer: LocalAccount) -> None:
    with pytest.raises(ContractRevert) as exc:
        chain.deploy("TheKeyToken", deployer.address, 0, deployer.address, 0, sender=deployer)
    assert exc.value.name == "ERC20InvalidCap"
    with pytest.raises(ContractRevert) as exc:
        chain.deploy("TheKeyToken", deployer.address, 10, deployer.address, 11, sender=deployer)
    assert exc.value.name == "ERC20ExceededCap"
    assert exc.value.arguments == {"increasedSupply": 11, "cap": 10}
