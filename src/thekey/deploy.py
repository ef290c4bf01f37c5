"""Deploy the suite in dependency order, wire roles, and keep a manifest per chain.

``deployments/<chainId>-<genesis>.json`` (``Chain.chain_key``: the chain id and the first 8 bytes
of the genesis block hash, so two chains with the same id never share or overwrite a manifest)
records, for each contract, its address, transaction, block,
constructor arguments, and the hashes of its creation bytecode and on-chain code. Deploying
again to the same chain skips every contract whose manifest entry still matches: same
creation bytecode, same arguments, and the recorded code still at the address.

Each domain adds its contracts to ``SUITE`` (in dependency order) with a ``wire`` step that
is idempotent (it checks before it grants).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from thekey.chain.connection import Chain
from thekey.config import deployments_dir
from thekey.errors import ConfigError
from thekey.hashing import keccak, to_checksum_address

TKY = 10**18


@dataclass(frozen=True)
class SuiteConfig:
    """Deployment parameters. ``admin`` defaults to the deployer. With ``timelock_delay`` (seconds)
    a ``SuiteTimelock`` is deployed first and becomes the admin of every contract; ``admin`` (or
    the deployer) is then its proposer and executor."""

    admin: str | None = None
    timelock_delay: int | None = None
    token_cap: int = 1_000_000_000 * TKY
    token_initial_supply: int = 100_000_000 * TKY
    token_initial_holder: str | None = None


@dataclass
class DeployContext:
    chain: Chain
    deployer: LocalAccount
    config: SuiteConfig
    contracts: dict[str, Contract] = field(default_factory=dict)

    @property
    def operator(self) -> str:
        """Who governs: the given admin, else the deployer (the timelock's proposer when there is one)."""
        return to_checksum_address(self.config.admin or self.deployer.address)

    @property
    def admin(self) -> str:
        """The admin every contract is deployed with: the timelock if deployed, else the operator."""
        timelock = self.contracts.get("timelock")
        return to_checksum_address(timelock.address) if timelock is not None else self.operator

    def grant_role(self, contract: Contract, role_name: str, account: str) -> None:
        """Grant ``role_name`` on ``contract`` to ``account`` unless it already has it."""
        role = self.chain.call(getattr(contract.functions, role_name)())
        if not self.chain.call(contract.functions.hasRole(role, account)):
            self.chain.transact(contract.functions.grantRole(role, account), self.deployer)


@dataclass(frozen=True)
class ContractSpec:
    key: str
    artifact: str
    args: Callable[[DeployContext], list[Any]]
    wire: Callable[[DeployContext, Contract], None] | None = None


def _token_args(ctx: DeployContext) -> list[Any]:
    c = ctx.config
    return [ctx.admin, c.token_cap, to_checksum_address(c.token_initial_holder or ctx.operator), c.token_initial_supply]


def _token_wire(ctx: DeployContext, token: Contract) -> None:
    if ctx.admin == ctx.deployer.address:
        ctx.grant_role(token, "MINTER_ROLE", ctx.admin)
        ctx.grant_role(token, "REWARDER_ROLE", ctx.admin)


def _routes_args(ctx: DeployContext) -> list[Any]:
    return [ctx.admin, ctx.contracts["identity"].address, ctx.contracts["consent"].address]


TIMELOCK = ContractSpec(
    "timelock",
    "SuiteTimelock",
    lambda ctx: [ctx.config.timelock_delay, [ctx.operator], [ctx.operator]],
)

SUITE: list[ContractSpec] = [
    ContractSpec("token", "TheKeyToken", _token_args, _token_wire),
    ContractSpec("escrow", "PaymentEscrow", lambda ctx: [ctx.contracts["token"].address]),
    ContractSpec("identity", "EIDRegistry", lambda ctx: []),
    ContractSpec("binding", "IdentityBinding", lambda ctx: [ctx.contracts["identity"].address, ctx.admin]),
    ContractSpec("consent", "ConsentRegistry", lambda ctx: [ctx.contracts["identity"].address]),
    ContractSpec("routes", "DataRoutes", _routes_args),
    ContractSpec("credentials", "CredentialRegistry", lambda ctx: [ctx.admin, ctx.contracts["identity"].address]),
]


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def manifest_path(chain: Chain, folder: Path | None = None) -> Path:
    return (folder or deployments_dir()) / f"{chain.chain_key}.json"


def _missing(chain: Chain, path: Path) -> ConfigError:
    others = sorted(p.name for p in path.parent.glob(f"{chain.chain_id}-*.json"))
    if others:
        return ConfigError(
            f"no deployment on this chain (chain {chain.chain_id}, genesis {chain.genesis_hash[:18]}…): "
            f"{', '.join(others)} in {path.parent} belong to other chains with the same id; run `thekey deploy`"
        )
    return ConfigError(f"no deployment for chain {chain.chain_id} ({path}): run `thekey deploy`")


@dataclass
class Deployment:
    """A deployed suite: the chain it lives on and its manifest."""

    chain: Chain
    manifest: dict[str, Any]

    def address(self, key: str) -> str:
        try:
            return str(self.manifest["contracts"][key]["address"])
        except KeyError:
            raise ConfigError(
                f"no {key!r} in the deployment of chain {self.chain.chain_id}: run `thekey deploy`"
            ) from None

    def contract(self, key: str) -> Contract:
        entry = self.manifest["contracts"].get(key)
        if entry is None:
            raise ConfigError(f"no {key!r} in the deployment of chain {self.chain.chain_id}")
        return self.chain.contract(entry["name"], entry["address"])

    @property
    def addresses(self) -> dict[str, str]:
        return {k: v["address"] for k, v in self.manifest["contracts"].items()}

    @classmethod
    def load(cls, chain: Chain, folder: Path | None = None, *, manifest: Path | None = None) -> Deployment:
        """The deployment of ``chain`` from the manifest file ``manifest`` (a named network's), else
        from ``<folder or deployments_dir()>/<chain key>.json``; checked against the chain's code."""
        path = manifest or manifest_path(chain, folder)
        if not path.is_file():
            raise _missing(chain, path)
        record = json.loads(path.read_text())
        if record.get("genesisHash") != chain.genesis_hash:
            raise ConfigError(f"the manifest {path} is for another chain (genesis {record.get('genesisHash')})")
        for key, entry in record["contracts"].items():
            code = chain.rpc("eth_getCode", [entry["address"], "latest"])
            if "0x" + keccak(hexstr=code).hex() != entry["codeHash"]:
                raise ConfigError(
                    f"the manifest {path} is stale: {key} is not at {entry['address']}; run `thekey deploy`"
                )
        return cls(chain, record)


def _still_deployed(chain: Chain, entry: dict[str, Any] | None, creation_hash: str, args: list[Any]) -> bool:
    if not entry or entry.get("creationHash") != creation_hash or entry.get("args") != _jsonable(args):
        return False
    code = chain.rpc("eth_getCode", [entry["address"], "latest"])
    return code not in ("0x", None) and "0x" + keccak(hexstr=code).hex() == entry.get("codeHash")


def deploy_suite(
    chain: Chain,
    deployer: LocalAccount,
    config: SuiteConfig | None = None,
    *,
    folder: Path | None = None,
    write: bool = True,
    log: Callable[[str], None] | None = None,
    manifest: Path | None = None,
) -> Deployment:
    """Deploy (or re-use) every contract of ``SUITE`` and write the manifest (to the file
    ``manifest`` if given, e.g. a named network's, else under ``folder`` or ``deployments_dir()``)."""
    config = config or SuiteConfig()
    say = log or (lambda _msg: None)
    path = manifest or manifest_path(chain, folder)
    previous = json.loads(path.read_text()) if path.is_file() else {"contracts": {}}
    ctx = DeployContext(chain, deployer, config)
    entries: dict[str, Any] = {}
    for spec in ([TIMELOCK] if config.timelock_delay is not None else []) + SUITE:
        artifact = chain.artifacts.get(spec.artifact)
        args = spec.args(ctx)
        old = previous.get("contracts", {}).get(spec.key)
        if _still_deployed(chain, old, artifact.creation_hash, args):
            assert old is not None
            ctx.contracts[spec.key] = chain.contract(spec.artifact, old["address"])
            entries[spec.key] = old
            say(f"{spec.key}: unchanged at {old['address']}")
        else:
            contract, receipt = chain.deploy(spec.artifact, *args, sender=deployer)
            code = chain.rpc("eth_getCode", [contract.address, "latest"])
            ctx.contracts[spec.key] = contract
            entries[spec.key] = {
                "name": spec.artifact,
                "address": contract.address,
                "txHash": receipt.tx_hash,
                "blockNumber": receipt.block_number,
                "gasUsed": receipt.gas_used,
                "args": _jsonable(args),
                "creationHash": artifact.creation_hash,
                "codeHash": "0x" + keccak(hexstr=code).hex(),
            }
            say(f"{spec.key}: deployed {spec.artifact} at {contract.address} (gas {receipt.gas_used})")
        if spec.wire:
            spec.wire(ctx, ctx.contracts[spec.key])
    record = {
        "chainId": chain.chain_id,
        "genesisHash": chain.genesis_hash,
        "deployer": deployer.address,
        "admin": ctx.admin,
        "solcVersion": chain.artifacts.solc_version,
        "contracts": entries,
    }
    if write:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record, indent=2) + "\n")
    return Deployment(chain, record)
