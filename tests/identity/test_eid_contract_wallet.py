"""An identity owned by a contract wallet changes through ERC-1271 signatures (OZ SignatureChecker)."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain import Chain
from thekey.errors import ContractRevert
from thekey.identity.registry import EIDRegistry


@pytest.fixture
def wallet(chain: Chain, accounts: list[LocalAccount]) -> str:
    """A contract wallet (contracts/test/TestWallet.sol) whose key is accounts[7]."""
    contract, _ = chain.deploy("TestWallet", accounts[7].address, sender=accounts[0])
    return str(contract.address)


def test_signed__contract_wallet_owner_signs_through_erc1271(
    chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount], wallet: str
) -> None:
    alice, key_of_wallet, relayer = accounts[1], accounts[7], accounts[9]
    registry.change_owner(alice, alice.address, wallet)
    deadline = chain.timestamp() + 600
    forged = registry.sign(
        accounts[8],
        "SetAttribute",
        alice.address,
        deadline,
        nonce=registry.nonce_of(wallet),
        name="did/svc/Hub",
        value=b"https://hub",
        validity=60,
    )
    with pytest.raises(ContractRevert) as exc:
        registry.relay(relayer, forged)
    assert exc.value.name == "EIDRegistryInvalidSignature"
    signed = registry.sign(
        key_of_wallet,
        "SetAttribute",
        alice.address,
        deadline,
        nonce=registry.nonce_of(wallet),
        name="did/svc/Hub",
        value=b"https://hub",
        validity=60,
    )
    registry.relay(relayer, signed)
    assert registry.nonce_of(wallet) == 1
