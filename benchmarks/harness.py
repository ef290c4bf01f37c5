"""The benchmark context: one chain, funded accounts, the deployed suite, the references, and
the one measuring path (send a call, keep its gasUsed and calldata)."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from eth_utils import keccak
from hexbytes import HexBytes
from web3.contract.contract import ContractFunction
from web3.types import Wei

from benchmarks.floors import Floor
from benchmarks.model import GasRow, Target, not_measured
from benchmarks.references import References
from thekey.chain import Chain, Receipt
from thekey.deploy import Deployment

ETH = 10**18


class Unavailable(Exception):
    """A domain cannot be measured (its contract or client is missing); the reason is reported."""


@dataclass(frozen=True)
class Sizes:
    """Workload sizes: the full run, or the smoke test's tiny ones."""

    batch_ns: tuple[int, ...] = (1, 16, 256, 1024)
    verify: int = 2_000
    anchor: int = 1_000
    anchor_batch: int = 250
    history: int = 1_000
    repeats: int = 3
    # The per-item baselines (1,000 transactions, 2,000 calls) are timed this many times: each
    # sample already aggregates that many operations, and the run must stay within minutes.
    baseline_repeats: int = 1
    load_seconds: float = 10.0  # each HTTP load run on the gateway
    events: int = 100_000  # the events section: events indexed


QUICK = Sizes(
    batch_ns=(1, 4), verify=12, anchor=6, anchor_batch=3, history=3, repeats=1, load_seconds=1.0, events=1_000
)


@dataclass(frozen=True)
class Tx:
    """A measured transaction."""

    gas: int
    calldata: bytes
    receipt: Receipt

    def floor(self, model: Floor) -> int:
        return model.gas(self.calldata)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Bench:
    chain: Chain
    accounts: list[LocalAccount]
    deployment: Deployment | None
    references: References
    sizes: Sizes = field(default_factory=Sizes)
    deployment_error: str = ""
    _fresh: int = 0

    @property
    def deployer(self) -> LocalAccount:
        return self.accounts[0]

    def require_deployment(self, key: str) -> Deployment:
        """The suite, which must hold ``key``; otherwise the section is not measurable."""
        if self.deployment is None:
            raise Unavailable(f"the suite did not deploy ({self.deployment_error})")
        if key not in self.deployment.manifest["contracts"]:
            raise Unavailable(f"no {key!r} contract in the deployed suite")
        return self.deployment

    # -- accounts -------------------------------------------------------------------------
    def fresh_account(self, eth: int = ETH) -> LocalAccount:
        """A new deterministic key, funded with ``eth`` wei so it can send (fresh identity,
        never-touched storage)."""
        self._fresh += 1
        account: LocalAccount = Account.from_key(keccak(text=f"thekey-bench-{self._fresh}"))
        if eth:
            self.chain.send_eth(account.address, eth, self.deployer)
        return account

    def fresh_address(self) -> str:
        return str(self.fresh_account(eth=0).address)

    # -- measuring ------------------------------------------------------------------------
    def send(self, fn: ContractFunction, sender: LocalAccount, *, value: int = 0) -> Tx:
        """Send ``fn`` and keep its gasUsed and calldata."""
        data = HexBytes(fn._encode_transaction_data())
        receipt = self.chain.send_raw({"to": fn.address, "data": HexStr(data.to_0x_hex()), "value": Wei(value)}, sender)
        return Tx(receipt.gas_used, bytes(data), receipt)

    def measured(self, receipt: Receipt) -> Tx:
        """A receipt a client returned, with the calldata of its transaction."""
        tx = self.chain.w3.eth.get_transaction(HexBytes(receipt.tx_hash))
        return Tx(receipt.gas_used, bytes(HexBytes(tx["input"])), receipt)


def row(
    section: str,
    operation: str,
    tx: Tx,
    *,
    reference_name: str = "",
    reference: Tx | int | None = None,
    floor: Floor | None = None,
    targets: tuple[Target, ...] = (),
    note: str = "",
) -> GasRow:
    """A gas row for one measured transaction."""
    ref = reference.gas if isinstance(reference, Tx) else reference
    return GasRow(
        section,
        operation,
        tx.gas,
        reference_name=reference_name,
        reference=ref,
        floor=tx.floor(floor) if floor else None,
        floor_model=floor.describe() if floor else "",
        targets=targets,
        note=note,
    )


def run_section(section: str, measure: Callable[[Bench], list[GasRow]], bench: Bench) -> list[GasRow]:
    """Run one domain's measurements on a chain snapshot; a failure becomes a "not measured" row."""
    log(f"[gas] {section}")
    snapshot = bench.chain.snapshot()
    try:
        return measure(bench)
    except Unavailable as exc:
        return [not_measured(section, "(section)", str(exc))]
    except Exception as exc:
        log("".join(traceback.format_exception_only(exc)).strip())
        return [not_measured(section, "(section)", f"{type(exc).__name__}: {_one_line(exc)}")]
    finally:
        bench.chain.revert_to(snapshot)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else ""
