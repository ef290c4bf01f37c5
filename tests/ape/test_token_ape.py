"""ape smoke test: ape compiles the same sources offline, deploys TKY on Anvil and calls it.

Run with `ape test tests/ape --network ethereum:local:foundry` (part of `make test`).
"""

TKY = 10**18


def test_token__deploys_and_transfers_through_ape(accounts, project):
    admin, alice = accounts[0], accounts[1]
    token = admin.deploy(project.TheKeyToken, admin, 1_000 * TKY, admin, 100 * TKY)
    assert token.symbol() == "TKY"
    assert token.cap() == 1_000 * TKY
    token.transfer(alice, 5 * TKY, sender=admin)
    assert token.balanceOf(alice) == 5 * TKY
    assert token.totalSupply() == 100 * TKY


def test_token__stranger_cannot_mint_through_ape(accounts, project):
    import ape

    admin, stranger = accounts[0], accounts[2]
    token = admin.deploy(project.TheKeyToken, admin, 1_000 * TKY, admin, 0)
    with ape.reverts():
        token.mint(stranger, 1, sender=stranger)
