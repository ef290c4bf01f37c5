"""Agreement acceptances (EIP-712): valid, replayed, wrong signer, expired (and exactly at the
deadline), other chain, other contract, malleable s, tampered terms, ERC-1271 contract wallets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from tests.escrow.conftest import HOUR, Cast
from tests.support.signatures import malleate, other_chain, other_contract
from thekey.chain import Chain
from thekey.errors import ContractRevert
from thekey.payments.escrow import AGREEMENT_TYPES, Acceptance, Escrow, Status, Terms, agreement_key
from thekey.token.tky import Token


def _create(escrow: Escrow, cast: Cast, terms: Terms, va: Acceptance | None, ua: Acceptance | None) -> int:
    agreement_id, _ = escrow.create_and_fund(cast.provider, terms, va, ua)
    return agreement_id


def _rejected(escrow: Escrow, cast: Cast, terms: Terms, va: Acceptance, ua: Acceptance) -> ContractRevert:
    with pytest.raises(ContractRevert) as exc:
        _create(escrow, cast, terms, va, ua)
    return exc.value


def test_agreement_typehash__matches_the_contract(escrow: Escrow) -> None:
    from thekey.eip712 import type_string, typehash

    assert type_string("Agreement", AGREEMENT_TYPES) == (
        "Agreement(address provider,address verifier,address user,address arbiter,uint96 price,"
        "uint64 serviceDeadline,uint32 disputeWindow,bytes32 termsHash,address[] payees,uint16[] shares,"
        "uint256 nonce,uint256 deadline)"
    )
    assert typehash("Agreement", AGREEMENT_TYPES) == escrow._call("AGREEMENT_TYPEHASH")


def test_agreement_key__matches_the_contract(escrow: Escrow, make_terms: Callable[..., Terms]) -> None:
    terms = make_terms()
    assert agreement_key(7, terms) == escrow._call("agreementKey", 7, terms.as_arg())


def test_acceptances__valid_make_the_agreement_binding_and_use_each_nonce(
    escrow: Escrow, cast: Cast, chain: Chain, make_terms: Callable[..., Terms]
) -> None:
    terms = make_terms()
    deadline = chain.timestamp() + HOUR
    va = escrow.sign_acceptance(cast.verifier, terms, deadline)
    ua = escrow.sign_acceptance(cast.user, terms, deadline)
    agreement_id, receipt = escrow.create_and_fund(cast.provider, terms, va, ua)
    (created,) = escrow.events(receipt, "AgreementCreated")
    assert (created["verifierAccepted"], created["userAccepted"]) == (True, True)
    assert escrow.events(receipt, "AgreementAccepted") == []  # the creation event records both
    assert escrow.agreement(agreement_id).status is Status.ACTIVE
    assert (escrow.nonce_of(cast.verifier.address), escrow.nonce_of(cast.user.address)) == (1, 1)
    assert escrow.created(agreement_id).terms == terms


def test_acceptances__replayed_are_rejected(
    escrow: Escrow, cast: Cast, chain: Chain, make_terms: Callable[..., Terms]
) -> None:
    terms = make_terms()
    deadline = chain.timestamp() + HOUR
    va = escrow.sign_acceptance(cast.verifier, terms, deadline)
    ua = escrow.sign_acceptance(cast.user, terms, deadline)
    _create(escrow, cast, terms, va, ua)
    err = _rejected(escrow, cast, terms, va, ua)
    assert err.name == "InvalidAccountNonce"
    assert err.arguments["account"] == cast.verifier.address


def test_acceptances__by_the_wrong_signer_are_rejected(
    escrow: Escrow, cast: Cast, chain: Chain, stranger: LocalAccount, make_terms: Callable[..., Terms]
) -> None:
    terms = make_terms()
    deadline = chain.timestamp() + HOUR
    forged = escrow.sign_acceptance(stranger, terms, deadline, nonce=0)
    ua = escrow.sign_acceptance(cast.user, terms, deadline)
    err = _rejected(escrow, cast, terms, forged, ua)
    assert err.name == "EscrowInvalidSignature" and err.arguments["signer"] == cast.verifier.address
    # the verifier's signature does not stand in for the user's either
    va = escrow.sign_acceptance(cast.verifier, terms, deadline)
    swapped = replace(va, signer=cast.user.address)
    err = _rejected(escrow, cast, terms, va, swapped)
    assert err.name == "EscrowInvalidSignature" and err.arguments["signer"] == cast.user.address


def test_acceptances__expired_are_rejected_and_valid_exactly_at_the_deadline(
    escrow: Escrow, cast: Cast, chain: Chain, make_terms: Callable[..., Terms]
) -> None:
    terms = make_terms()
    deadline = chain.timestamp() + 100
    va = escrow.sign_acceptance(cast.verifier, terms, deadline)
    ua = escrow.sign_acceptance(cast.user, terms, deadline)
    snapshot = chain.snapshot()
    chain.set_next_block_timestamp(deadline + 1)
    chain.mine()
    err = _rejected(escrow, cast, terms, va, ua)
    assert err.name == "EscrowSignatureExpired" and err.arguments["deadline"] == deadline
    chain.revert_to(snapshot)
    token = Token(chain, escrow.token_address())
    token.approve(cast.provider, escrow.address, terms.price)
    chain.set_next_block_timestamp(deadline)
    agreement_id, _ = escrow.create(cast.provider, terms, va, ua)
    assert escrow.agreement(agreement_id).status is Status.ACTIVE


def test_acceptances__for_another_chain_or_contract_are_rejected(
    escrow: Escrow, cast: Cast, chain: Chain, make_terms: Callable[..., Terms]
) -> None:
    terms = make_terms()
    deadline = chain.timestamp() + HOUR
    ua = escrow.sign_acceptance(cast.user, terms, deadline)
    for domain in (other_chain(escrow.domain), other_contract(escrow.domain)):
        va = escrow.sign_acceptance(cast.verifier, terms, deadline, domain=domain)
        assert _rejected(escrow, cast, terms, va, ua).name == "EscrowInvalidSignature"


def test_acceptances__with_malleable_s_are_rejected(
    escrow: Escrow, cast: Cast, chain: Chain, make_terms: Callable[..., Terms]
) -> None:
    terms = make_terms()
    deadline = chain.timestamp() + HOUR
    va = escrow.sign_acceptance(cast.verifier, terms, deadline)
    ua = escrow.sign_acceptance(cast.user, terms, deadline)
    high_s = replace(va, signature=malleate(va.signature))
    assert _rejected(escrow, cast, terms, high_s, ua).name == "EscrowInvalidSignature"


def test_acceptances__do_not_cover_tampered_terms_or_another_provider(
    escrow: Escrow,
    cast: Cast,
    chain: Chain,
    accounts: list[LocalAccount],
    token: Token,
    deployer: LocalAccount,
    make_terms: Callable[..., Terms],
) -> None:
    terms = make_terms()
    deadline = chain.timestamp() + HOUR
    va = escrow.sign_acceptance(cast.verifier, terms, deadline)
    ua = escrow.sign_acceptance(cast.user, terms, deadline)
    tampered = [
        replace(terms, price=terms.price - 1),
        replace(terms, plan=replace(terms.plan, shares=(5000, 3500, 1000, 500))),
        replace(terms, arbiter=cast.provider.address),
        replace(terms, dispute_window=0),
    ]
    for t in tampered:
        assert _rejected(escrow, cast, t, va, ua).name == "EscrowInvalidSignature"
    other = accounts[16]
    token.transfer(deployer, other.address, terms.price)
    with pytest.raises(ContractRevert) as exc:  # another provider cannot relay them
        escrow.create_and_fund(other, replace(terms, provider=other.address), va, ua)
    assert exc.value.name == "EscrowInvalidSignature"


def test_acceptances__from_an_erc1271_contract_wallet_are_accepted(
    escrow: Escrow, cast: Cast, chain: Chain, deployer: LocalAccount, make_terms: Callable[..., Terms]
) -> None:
    wallet, _ = chain.deploy("EscrowActor", cast.verifier.address, sender=deployer)
    terms = make_terms(verifier=to_checksum_address(wallet.address))
    deadline = chain.timestamp() + HOUR
    # the wallet's owner key signs on the wallet's behalf; the nonce is the wallet's
    signed = escrow.sign_acceptance(cast.verifier, terms, deadline, nonce=escrow.nonce_of(wallet.address))
    va = replace(signed, signer=wallet.address)
    ua = escrow.sign_acceptance(cast.user, terms, deadline)
    agreement_id = _create(escrow, cast, terms, va, ua)
    assert escrow.agreement(agreement_id).status is Status.ACTIVE
    bad = escrow.sign_acceptance(cast.user, terms, deadline, nonce=escrow.nonce_of(wallet.address))
    ua2 = escrow.sign_acceptance(cast.user, terms, deadline)
    err = _rejected(escrow, cast, terms, replace(bad, signer=wallet.address), ua2)
    assert err.name == "EscrowInvalidSignature"


def test_acceptance__reverts_when_its_nonce_was_burnt(
    escrow: Escrow, cast: Cast, chain: Chain, make_terms: Callable[..., Terms]
) -> None:
    terms = make_terms()
    deadline = chain.timestamp() + HOUR
    va = escrow.sign_acceptance(cast.verifier, terms, deadline)
    ua = escrow.sign_acceptance(cast.user, terms, deadline)
    burnt = escrow._send(cast.user, "invalidateNonces", 0, 1)  # the user cancels its outstanding signature
    assert escrow.events(burnt, "NoncesInvalidated") == [
        {"signer": cast.user.address, "key": 0, "from": ua.nonce, "to": ua.nonce + 1}
    ]
    exc = _rejected(escrow, cast, terms, va, ua)
    assert exc.name == "InvalidAccountNonce"
    assert exc.arguments == {"account": cast.user.address, "currentNonce": ua.nonce + 1}


def test_acceptances__in_separate_lanes_are_relayed_in_any_order(
    escrow: Escrow, cast: Cast, chain: Chain, make_terms: Callable[..., Terms]
) -> None:
    first, second = make_terms(), make_terms()
    deadline = chain.timestamp() + HOUR
    lane = {7: 7 << 64, 9: 9 << 64}
    late = escrow.sign_acceptance(cast.user, first, deadline, nonce=lane[7])
    early = escrow.sign_acceptance(cast.user, second, deadline, nonce=lane[9])
    assert _create(escrow, cast, second, escrow.sign_acceptance(cast.verifier, second, deadline), early)
    assert _create(escrow, cast, first, escrow.sign_acceptance(cast.verifier, first, deadline), late)
    assert escrow._call("nonces", cast.user.address, 7) == lane[7] + 1
    assert escrow._call("nonces", cast.user.address, 9) == lane[9] + 1


@pytest.mark.parametrize("count", [0, 65_536])
def test_invalidate_nonces__reverts_when_the_count_is_out_of_range(escrow: Escrow, cast: Cast, count: int) -> None:
    with pytest.raises(ContractRevert) as exc:
        escrow._send(cast.user, "invalidateNonces", 0, count)
    assert exc.value.name == "NoncesInvalidCount"
    assert exc.value.arguments == {"count": count}
