"""The access-control matrix: every state-changing function of every deployed contract ×
every role holder + a stranger, against the checked-in table ``access_matrix.yaml``.

The table says, per function, either ``role: <ROLE>`` (an OpenZeppelin AccessControl role,
checked before anything else) or ``anyone: <who actually may>`` (no role: access is decided
per record — the DID's controller, an agreement's party… — or by a signature), and the exact
custom error a caller without the right gets when it calls with the table's arguments
(``args``; default all-zero values). Calls are simulated (``eth_call``): nothing is mined.

A function in an ABI but not in the table — or in the table but no longer in the ABI — fails.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from web3.contract import Contract

from thekey.chain import Chain
from thekey.deploy import SUITE, Deployment
from thekey.errors import ContractRevert

TABLE_PATH = Path(__file__).with_name("access_matrix.yaml")
TABLE: dict[str, dict[str, dict[str, Any]]] = yaml.safe_load(TABLE_PATH.read_text())
ROLE_ERROR = "AccessControlUnauthorizedAccount"


def _signature(item: dict[str, Any]) -> str:
    def t(i: dict[str, Any]) -> str:
        if i["type"].startswith("tuple"):
            return "(" + ",".join(t(c) for c in i["components"]) + ")" + i["type"][5:]
        return str(i["type"])

    return f"{item['name']}({','.join(t(i) for i in item['inputs'])})"


def state_changing(contract: Contract) -> dict[str, dict[str, Any]]:
    return {
        _signature(i): i
        for i in contract.abi
        if i["type"] == "function" and i["stateMutability"] not in ("view", "pure")
    }


def _zero(item: dict[str, Any]) -> Any:
    t: str = item["type"]
    if t.endswith("]"):
        return []
    if t == "tuple":
        return tuple(_zero(c) for c in item["components"])
    if t == "address":
        return "0x" + "00" * 20
    if t == "bool":
        return False
    if t == "string":
        return ""
    if t == "bytes":
        return b""
    if t.startswith("bytes"):
        return b"\x00" * int(t[5:])
    return 0


def _arg(value: Any, item: dict[str, Any], ctx: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return ctx[value[1:]]
    if item["type"].startswith("bytes") and isinstance(value, str) and value.startswith("0x"):
        return bytes.fromhex(value[2:])
    if item["type"] == "address":
        return to_checksum_address(value)
    return value


def _args(fn: dict[str, Any], spec: dict[str, Any], ctx: dict[str, str]) -> list[Any]:
    given = spec.get("args")
    if given is None:
        return [_zero(i) for i in fn["inputs"]]
    return [_arg(v, i, ctx) for v, i in zip(given, fn["inputs"], strict=True)]


def _outcome(chain: Chain, contract: Contract, fn: dict[str, Any], args: list[Any], caller: str) -> str | None:
    """The decoded error name of the simulated call, or None when it would succeed."""
    f = contract.get_function_by_signature(_signature(fn))(*args)
    try:
        chain.rpc(
            "eth_call", [{"from": caller, "to": contract.address, "data": f._encode_transaction_data()}, "latest"]
        )
    except ContractRevert as exc:
        return exc.name or "<unknown revert>"
    return None


@pytest.fixture
def callers(deployment: Deployment, accounts: list[LocalAccount], stranger: LocalAccount) -> dict[str, str]:
    """admin (the deployer: every admin role), one fresh holder per (contract, role), a stranger."""
    who = {"admin": accounts[0].address, "stranger": stranger.address}
    spare = iter(accounts[10:19])
    for spec in SUITE:
        contract = deployment.contract(spec.key)
        for item in contract.abi:
            name = item.get("name", "")
            if item["type"] == "function" and name.endswith("_ROLE") and name != "DEFAULT_ADMIN_ROLE":
                holder = next(spare)
                role = contract.functions[name]().call()
                deployment.chain.transact(contract.functions.grantRole(role, holder.address), accounts[0])
                who[f"{spec.key}.{name}"] = holder.address
    return who


def test_access_matrix__table_lists_exactly_the_abi(deployment: Deployment) -> None:
    missing, stale = [], []
    for spec in SUITE:
        abi = set(state_changing(deployment.contract(spec.key)))
        table = set(TABLE.get(spec.key, {}))
        missing += [f"{spec.key}.{s}" for s in sorted(abi - table)]
        stale += [f"{spec.key}.{s}" for s in sorted(table - abi)]
    assert not missing, f"state-changing functions missing from {TABLE_PATH.name}: {missing}"
    assert not stale, f"functions in {TABLE_PATH.name} that no ABI has any more: {stale}"
    assert set(TABLE) <= {s.key for s in SUITE}


CASES = [(key, sig) for key, fns in TABLE.items() for sig in fns]


@pytest.mark.parametrize(("key", "sig"), CASES, ids=[f"{k}.{s.split('(')[0]}" for k, s in CASES])
def test_access_matrix__every_caller_gets_exactly_the_tabled_outcome(
    key: str, sig: str, deployment: Deployment, chain: Chain, callers: dict[str, str]
) -> None:
    contract = deployment.contract(key)
    fns = state_changing(contract)
    if sig not in fns:
        pytest.fail(f"{key}.{sig} is in the table but not in the ABI")
    spec = TABLE[key][sig]
    ctx = {**callers, **{s.key: deployment.address(s.key) for s in SUITE}}
    args = _args(fns[sig], spec, ctx)
    role_name = spec.get("role")
    for label, caller in callers.items():
        got = _outcome(chain, contract, fns[sig], args, caller)
        if role_name is not None:
            role = contract.functions[role_name]().call() if role_name != "DEFAULT_ADMIN_ROLE" else b"\x00" * 32
            holds = contract.functions.hasRole(role, caller).call()
            if holds:
                assert got != ROLE_ERROR, f"{key}.{sig} as {label} (holds {role_name}): refused by role"
                if "holder" in spec:
                    assert got == spec["holder"], f"{key}.{sig} as {label}: {got}, table says {spec['holder']}"
            else:
                assert got == ROLE_ERROR, f"{key}.{sig} as {label} (no {role_name}): {got}, expected {ROLE_ERROR}"
        else:
            expected = spec.get("error")
            assert got == expected, f"{key}.{sig} as {label}: {got!r}, table says {expected!r}"


def test_access_matrix__role_errors_name_the_caller_and_the_role(
    deployment: Deployment, chain: Chain, stranger: LocalAccount
) -> None:
    token = deployment.contract("token")
    role = token.functions.MINTER_ROLE().call()
    f = token.functions.mint(stranger.address, 1)
    with pytest.raises(ContractRevert) as exc:
        chain.rpc("eth_call", [{"from": stranger.address, "to": token.address, "data": f._encode_transaction_data()}])
    assert exc.value.name == ROLE_ERROR
    assert exc.value.arguments == {"account": stranger.address, "neededRole": role}
    assert "neededRole=MINTER_ROLE" in str(exc.value)  # the message names the role, not its hash


def _draft(deployment: Deployment, chain: Chain, callers: dict[str, str]) -> dict[str, Any]:
    """A starting table from what the contracts do now (review every line before checking it in)."""
    out: dict[str, Any] = {}
    for spec in SUITE:
        contract = deployment.contract(spec.key)
        rows: dict[str, Any] = {}
        for sig, fn in state_changing(contract).items():
            old = TABLE.get(spec.key, {}).get(sig, {})
            args = _args(fn, old, {**callers, **{s.key: deployment.address(s.key) for s in SUITE}})
            got = _outcome(chain, contract, fn, args, callers["stranger"])
            row: dict[str, Any] = dict(old)
            if got == ROLE_ERROR and "role" not in row:
                row = {"role": "<ROLE>"}
            elif "role" not in row:
                row.setdefault("anyone", "<who>")
                row["error"] = got
            rows[sig] = row
        out[spec.key] = rows
    return out


@pytest.mark.skipif(not os.environ.get("THEKEY_DRAFT_ACCESS_MATRIX"), reason="writes a draft table on request")
def test_access_matrix__write_draft(deployment: Deployment, chain: Chain, callers: dict[str, str]) -> None:
    Path(os.environ["THEKEY_DRAFT_ACCESS_MATRIX"]).write_text(
        yaml.safe_dump(_draft(deployment, chain, callers), sort_keys=False, width=200)
    )
