"""``thekey networks``: the named networks and the file each comes from."""

from __future__ import annotations

import typer
from rich.table import Table

from thekey.chain.transactions import gwei
from thekey.cli.common import JsonOut, Session, console
from thekey.networks import DEFAULT_RPC_URL, known_networks, project_config_file, user_config_file


def networks(json_out: JsonOut = False) -> None:
    """List the networks --network accepts: `local`, the user's ~/.config/thekey/networks.toml and the
    project's thekey.toml (which wins for a name in both). URLs are shown as written (${VAR} unexpanded)."""
    found = known_networks()
    rows = [
        {
            "name": name,
            "rpcUrl": n.rpc_url or f"embedded Anvil or {DEFAULT_RPC_URL}",
            "chainId": n.chain_id,
            "confirmations": n.confirmations,
            "maxFeeGwei": None if n.gas.max_fee_per_gas is None else gwei(n.gas.max_fee_per_gas),
            "maxPriorityFeeGwei": None
            if n.gas.max_priority_fee_per_gas is None
            else gwei(n.gas.max_priority_fee_per_gas),
            "manifest": str(n.manifest) if n.manifest else None,
            "definedIn": str(n.defined_in) if n.defined_in else "built in",
        }
        for name, n in sorted(found.items())
    ]
    project = project_config_file()

    def human() -> None:
        table = Table(title=f"networks (project file: {project or 'none'}; user file: {user_config_file()})")
        for column in ("name", "rpc url", "chain id", "confirmations", "fee caps (gwei)", "defined in"):
            table.add_column(column)
        for r in rows:
            caps = f"max {r['maxFeeGwei'] or '-'} / tip {r['maxPriorityFeeGwei'] or '-'}"
            table.add_row(str(r["name"]), str(r["rpcUrl"]), str(r["chainId"] or "any"), str(r["confirmations"]),
                          caps, str(r["definedIn"]))  # fmt: skip
        console.print(table)

    Session(json=json_out).emit(rows, human)


def register(app: typer.Typer) -> None:
    app.command("networks")(networks)
