"""One benchmark run: compile, start one Anvil, deploy the suite and the references, measure
every section, and write the results."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount

from benchmarks import (
    events_index,
    gas_consent,
    gas_credentials,
    gas_escrow,
    gas_flow,
    gas_identity,
    gas_routes,
    gas_token,
    throughput,
)
from benchmarks.harness import Bench, Sizes, log, run_section
from benchmarks.model import GasRow, ThroughputRow
from benchmarks.references import deploy_references
from benchmarks.report import environment, write_all
from thekey.build import compile_project
from thekey.chain import Anvil, Chain, dev_accounts
from thekey.deploy import Deployment, deploy_suite

RESULTS = Path(__file__).resolve().parent / "results"
REFERENCE_SUPPLY = 100_000_000 * 10**18
# A block fits EAS multiAttest of 1,024 attestations (~170 M gas) with the 25 % estimate margin.
BLOCK_GAS_LIMIT = 1_000_000_000

SECTIONS: dict[str, tuple[str, Callable[[Bench], list[GasRow]]]] = {
    "token": (gas_token.SECTION, gas_token.run),
    "identity": (gas_identity.SECTION, gas_identity.run),
    "credentials": (gas_credentials.SECTION, gas_credentials.run),
    "consent": (gas_consent.SECTION, gas_consent.run),
    "routes": (gas_routes.SECTION, gas_routes.run),
    "escrow": (gas_escrow.SECTION, gas_escrow.run),
    "flow": (gas_flow.SECTION, gas_flow.run),
}
#: sections that measure speed rather than gas (rows in the throughput table)
RATE_SECTIONS: dict[str, tuple[str, Callable[[Bench], list[ThroughputRow]]]] = {
    "events": (events_index.SECTION, events_index.run),
}


def make_bench(chain: Chain, accounts: list[LocalAccount], deployment: Deployment | None, sizes: Sizes,
               deployment_error: str = "") -> Bench:  # fmt: skip
    references = deploy_references(chain, accounts[0], REFERENCE_SUPPLY)
    return Bench(chain, accounts, deployment, references, sizes, deployment_error)


def measure(bench: Bench, sections: list[str] | None = None, *, with_throughput: bool = True
            ) -> tuple[list[GasRow], list[ThroughputRow]]:  # fmt: skip
    gas: list[GasRow] = []
    for key in sections or list(SECTIONS):
        if key in SECTIONS:
            name, fn = SECTIONS[key]
            gas += run_section(name, fn, bench)
    rates = throughput.run(bench) if with_throughput else []
    for key in sections or list(RATE_SECTIONS):
        if key in RATE_SECTIONS:
            rates += RATE_SECTIONS[key][1](bench)
    return gas, rates


def main(out: Path = RESULTS, sizes: Sizes | None = None, sections: list[str] | None = None,
         with_throughput: bool = True) -> dict[str, Any]:  # fmt: skip
    """The full run (``make bench``); returns the environment and the rows written."""
    started = time.monotonic()
    sizes = sizes or Sizes()
    log("[bench] compiling the suite")
    artifacts = compile_project()
    with Anvil(accounts=20, extra_args=["--gas-limit", str(BLOCK_GAS_LIMIT)]) as node:
        chain = Chain.connect(node.url, expected_chain_id=node.chain_id, artifacts=artifacts, receipt_timeout=120)
        accounts = dev_accounts(20)
        deployment: Deployment | None = None
        error = ""
        try:
            deployment = deploy_suite(chain, accounts[0], write=False)
        except Exception as exc:
            error = f"{type(exc).__name__}: {str(exc).strip()[:200]}"
            log(f"[bench] the suite did not deploy: {error}")
        log("[bench] compiling and deploying the references")
        bench = make_bench(chain, accounts, deployment, sizes, error)
        gas, rates = measure(bench, sections, with_throughput=with_throughput)
        env = environment(chain)
    env["repeats"] = sizes.repeats
    env["baseline_repeats"] = sizes.baseline_repeats
    env["seconds"] = round(time.monotonic() - started, 1)
    files = write_all(out, env, gas, rates)
    log(f"[bench] done in {env['seconds']} s: " + ", ".join(str(f) for f in files))
    return {"environment": env, "gas": gas, "throughput": rates}
