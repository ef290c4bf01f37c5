"""The reference contracts, compiled from npm with our pinned solc and deployed beside the suite.

- ERC-1056: ``ethr-did-registry`` ``EthereumDIDRegistry.sol`` (pragma ^0.8.6, built with 0.8.29);
- EAS 1.9.0: ``EAS.sol`` + ``SchemaRegistry.sol`` (pragma 0.8.29, EVM cancun; written against
  OpenZeppelin 5.3.0, it builds unchanged against our 5.7.0);
- OpenZeppelin 5 and Solady ERC-20s: the minimal wrappers in ``benchmarks/contracts/``.

Built into ``build/reference/`` with the project's compiler settings (same optimizer, same EVM
version), cached by content like the project build.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from web3.contract import Contract

from thekey.build import Artifacts, compile_sources
from thekey.chain import Chain
from thekey.config import project_root
from thekey.errors import ChainError

EAS_DIR = "node_modules/@ethereum-attestation-service/eas-contracts/contracts"
SOURCES = [
    "node_modules/ethr-did-registry/contracts/EthereumDIDRegistry.sol",
    f"{EAS_DIR}/EAS.sol",
    f"{EAS_DIR}/SchemaRegistry.sol",
    "benchmarks/contracts/BenchOZToken.sol",
    "benchmarks/contracts/BenchSoladyToken.sol",
]
REMAPPINGS = [
    "@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/",
    "solady/=node_modules/solady/src/",
]


def compile_references() -> Artifacts:
    root = project_root()
    return compile_sources(SOURCES, root / "build" / "reference", root=root, remappings=REMAPPINGS)


@dataclass(frozen=True)
class References:
    erc1056: Contract
    schema_registry: Contract
    eas: Contract
    oz_token: Contract
    solady_token: Contract


def _deploy(chain: Chain, artifacts: Artifacts, name: str, args: list[object], sender: LocalAccount) -> Contract:
    artifact = artifacts.get(name)
    factory = chain.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = chain.send_raw({"data": factory.constructor(*args).data_in_transaction}, sender)
    if receipt.contract_address is None:
        raise ChainError(f"deploying the reference {name} produced no address")
    address = to_checksum_address(receipt.contract_address)
    contract: Contract = chain.w3.eth.contract(address=address, abi=artifact.abi)
    return contract


def deploy_references(chain: Chain, deployer: LocalAccount, token_supply: int) -> References:
    """Deploy every reference; both reference tokens mint ``token_supply`` to ``deployer``."""
    artifacts = compile_references()
    schema_registry = _deploy(chain, artifacts, "SchemaRegistry", [], deployer)
    return References(
        erc1056=_deploy(chain, artifacts, "EthereumDIDRegistry", [], deployer),
        schema_registry=schema_registry,
        eas=_deploy(chain, artifacts, "EAS", [schema_registry.address], deployer),
        oz_token=_deploy(chain, artifacts, "BenchOZToken", [deployer.address, token_supply], deployer),
        solady_token=_deploy(chain, artifacts, "BenchSoladyToken", [deployer.address, token_supply], deployer),
    )
