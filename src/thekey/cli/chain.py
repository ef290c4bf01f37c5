"""``thekey deploy`` and ``thekey node``."""

from __future__ import annotations

import time
from typing import Any

import typer
from rich.table import Table

from thekey.build import suite_artifacts
from thekey.chain import Anvil, Chain, dev_accounts
from thekey.cli.common import AccountOpt, ChainId, JsonOut, KeystoreOpt, RpcUrl, Session, console
from thekey.deploy import Deployment, SuiteConfig, deploy_suite
from thekey.errors import ChainError
from thekey.parsing import parse_duration, parse_party


def _manifest_table(deployment: Deployment) -> Table:
    table = Table(title=f"TheKey suite on chain {deployment.chain.chain_id}")
    table.add_column("contract")
    table.add_column("address")
    table.add_column("block", justify="right")
    for key, entry in deployment.manifest["contracts"].items():
        table.add_row(f"{key} ({entry['name']})", entry["address"], str(entry["blockNumber"]))
    return table


def deploy(
    admin: str | None = typer.Option(
        None,
        "--admin",
        help="Address or DID that receives every admin role (a multisig, say) and the initial TKY supply "
        "[default: the deployer]. With --timelock it is the timelock's proposer and executor.",
    ),
    timelock: str | None = typer.Option(
        None,
        "--timelock",
        help="Deploy an OpenZeppelin TimelockController with this delay (e.g. 2d, 3600) and make it the admin "
        "of every contract, so each governance action waits that long before it can run.",
    ),
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    account: AccountOpt = None,
    keystore: KeystoreOpt = None,
    json_out: JsonOut = False,
) -> None:
    """Deploy the suite (skipping what is already deployed unchanged) and write its manifest: the
    network's `manifest` file, else deployments/<chainId>-<genesis>.json (one per chain: chain id +
    genesis block hash) in the checkout, or in $THEKEY_HOME or ~/.local/share/thekey outside one.

    Without --rpc-url / --network this deploys to a throw-away embedded Anvil, as a check that the suite deploys.
    Admin transfers are two-step with a 2-day delay (OpenZeppelin AccessControlDefaultAdminRules).
    """
    admin_address = parse_party(admin) if admin is not None else None
    delay = parse_duration(timelock) if timelock is not None else None
    config = SuiteConfig(admin=admin_address, timelock_delay=delay)
    session = Session(rpc_url=rpc_url, chain_id=chain_id, account=account, keystore=keystore, json=json_out)
    try:
        suite_artifacts()
        chain = session.chain(embedded_by_default=True)
        deployer = session.signer(chain)
        log = None if json_out else (lambda m: console.print(m, highlight=False))
        deployment = deploy_suite(chain, deployer, config, log=log, manifest=session.network.manifest)
        session.emit(deployment.manifest, lambda: console.print(_manifest_table(deployment)))
    finally:
        session.close()


def node(
    port: int = typer.Option(8545, "--port", help="Port to serve JSON-RPC on (loopback only)."),
    chain_id: int = typer.Option(31337, "--chain-id", help="Chain id of the local chain."),
    json_out: JsonOut = False,
) -> None:
    """Start a local Anvil, deploy the suite, print the RPC URL, addresses and funded accounts; run until Ctrl-C."""
    suite_artifacts()
    with Anvil(port=port, chain_id=chain_id, accounts=20) as anvil:
        chain = Chain.connect(anvil.url, expected_chain_id=chain_id)
        accounts = dev_accounts(20)
        deployment = deploy_suite(chain, accounts[0])
        info: dict[str, Any] = {
            "rpcUrl": anvil.url,
            "chainId": chain_id,
            "contracts": deployment.addresses,
            "accounts": [a.address for a in accounts],
            "mnemonic": anvil.mnemonic,
        }

        def human() -> None:
            console.print(f"Anvil listening on [bold]{anvil.url}[/] (chain id {chain_id})")
            console.print(_manifest_table(deployment))
            console.print(f"Funded dev accounts (mnemonic: {anvil.mnemonic!r}; use --account N):")
            for i, a in enumerate(accounts):
                console.print(f"  [{i}] {a.address}")
            console.print("Press Ctrl-C to stop.")

        Session(json=json_out).emit(info, human)
        try:
            while anvil.running:
                time.sleep(0.5)
        except KeyboardInterrupt:
            return
        raise ChainError(
            f"the Anvil node on {anvil.url} stopped unexpectedly (exit status {anvil.exit_code}); "
            f"its log: {anvil.log_path}"
        )


def register(app: typer.Typer) -> None:
    app.command("deploy")(deploy)
    app.command("node")(node)
