"""SDK throughput (Python side, wall clock, medians over repeats), on the same Anvil:

- verify N credentials (signature + status and every other check) through the batched path
  (``verify_credentials``: one ``inspect`` eth_call for all) against one eth_call per credential
  (``verify_credential`` each); plus the chain reads alone (one ``inspect`` for all against one
  per credential), to show where the time goes (the rest is mostly EIP-712 proof recovery);
- anchor N credentials singly (one transaction each) against in batches (one Merkle root per
  batch), each repeat on a chain snapshot so the same credentials are anchored every time;
- resolve a DID whose history holds N changes, one per block (target: 1,000 within a second).
"""

from __future__ import annotations

import statistics
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from benchmarks import gateway_load
from benchmarks.gas_credentials import CREDENTIAL_TYPE, SCHEMA
from benchmarks.harness import Bench, Unavailable, log
from benchmarks.model import Target, ThroughputRow

YEAR = 365 * 86_400
VERIFY_TARGETS = (Target("speedup", 15), Target("rate", 5_000))  # issue 17
RESOLUTION_TARGETS = (Target("seconds", 1.0),)  # issue 17: 1,000 changes resolve within a second
CLAIMS = {"degree": "BSc Computer Science", "gpa": 370, "year": 2026}  # hundredths (EIP-712: integers)


def timed(fn: Callable[[], object], repeats: int, *, before: Callable[[], object] | None = None,
          after: Callable[[], object] | None = None) -> list[float]:  # fmt: skip
    """Wall-clock seconds of ``fn`` per repeat (``before``/``after`` run outside the clock)."""
    samples = []
    for _ in range(repeats):
        if before:
            before()
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
        if after:
            after()
    return samples


def median(samples: list[float]) -> float:
    return statistics.median(samples)


@dataclass
class CredentialSet:
    registry: Any
    issuer: LocalAccount
    schema_id: bytes
    items: list[Any]  # IssuedCredential
    issue_seconds: float


def _issue(bench: Bench, n: int) -> CredentialSet:
    from thekey.credentials import CredentialRegistry, issue_credential
    from thekey.credentials.issuance import next_status_indexes
    from thekey.credentials.vc import type_hash
    from thekey.identity.did import did_for

    registry = CredentialRegistry.from_deployment(bench.require_deployment("credentials"))
    issuer, holder = bench.fresh_account(), bench.fresh_account(eth=0)
    ctype = type_hash(CREDENTIAL_TYPE)
    registry.add_issuer(bench.deployer, issuer.address, keccak(text="Throughput University"), [ctype])
    schema_id, _ = registry.register_schema(issuer, SCHEMA, ctype, 1)
    now = bench.chain.timestamp()
    subject = did_for(bench.chain.chain_id, holder.address)
    indexes = next_status_indexes(registry, issuer.address, n)
    start = time.perf_counter()
    items = [
        issue_credential(
            registry,
            issuer,
            subject=subject,
            credential_type=CREDENTIAL_TYPE,
            claims=CLAIMS,
            schema_id=schema_id,
            valid_from=now - 60,
            valid_until=now + YEAR,
            status_index=i,
            credential_id=f"urn:thekey:bench:{i}",
        )
        for i in indexes
    ]
    return CredentialSet(registry, issuer, schema_id, items, time.perf_counter() - start)


def _anchoring(bench: Bench, cs: CredentialSet) -> tuple[list[ThroughputRow], list[dict[str, Any]]]:
    """Anchor half singly, half in batches (medians over repeats on snapshots); the last repeat
    of each stays on chain, so every credential ends anchored. Returns the rows and the
    credentials as a verifier receives them (batch members carry their Merkle evidence)."""
    from thekey.credentials import anchor_batch, anchor_credential

    chain, sizes = bench.chain, bench.sizes
    half = min(sizes.anchor, len(cs.items) // 2)
    singles, batched = cs.items[:half], cs.items[half : 2 * half]
    out: list[dict[str, Any]] = []
    state: dict[str, str] = {}

    def snap() -> None:
        state["id"] = chain.snapshot()

    def keep_or_revert(repeats: int) -> Callable[[], None]:
        done = [0]

        def after() -> None:
            done[0] += 1
            if done[0] < repeats:
                chain.revert_to(state["id"])

        return after

    def anchor_singly() -> None:
        for item in singles:
            anchor_credential(cs.registry, cs.issuer, item)

    evidence: list[Any] = []

    def anchor_batches() -> None:
        evidence.clear()
        for k in range(0, len(batched), sizes.anchor_batch):
            evidence.extend(anchor_batch(cs.registry, cs.issuer, batched[k : k + sizes.anchor_batch])[2])

    single_samples = timed(anchor_singly, sizes.baseline_repeats, before=snap,
                           after=keep_or_revert(sizes.baseline_repeats))  # fmt: skip
    batch_samples = timed(anchor_batches, sizes.repeats, before=snap, after=keep_or_revert(sizes.repeats))
    out = [i.credential for i in singles] + [i.credential for i in evidence]
    rows = [
        ThroughputRow(
            f"anchor {len(batched):,} credentials in batches of {sizes.anchor_batch}",
            len(batched),
            median(batch_samples),
            batch_samples,
            f"singly ({len(singles):,} transactions)",
            median(single_samples),
        ),
    ]
    return rows, out


def _verification(bench: Bench, cs: CredentialSet, credentials: list[dict[str, Any]]) -> list[ThroughputRow]:
    from thekey.credentials import verify_credential, verify_credentials
    from thekey.credentials.verify import _prepare

    registry, n = cs.registry, len(credentials)
    repeats, once = bench.sizes.repeats, bench.sizes.baseline_repeats
    schemas = {cs.schema_id: SCHEMA}
    results = verify_credentials(registry, credentials, schemas=schemas)
    bad = [r for r in results if not r.valid]
    if bad:
        raise RuntimeError(f"{len(bad)} of {n} credentials did not verify: {bad[0].as_json()['checks']}")
    batched = timed(lambda: verify_credentials(registry, credentials, schemas=schemas), repeats)
    single = timed(lambda: [verify_credential(registry, c, schemas=schemas) for c in credentials], once)
    queries = [_prepare(c).query for c in credentials]
    reads_batched = timed(lambda: registry.inspect(queries), repeats)
    reads_single = timed(lambda: [registry.inspect([q]) for q in queries], once)
    return [
        ThroughputRow(f"verify {n:,} credentials, batched (verify_credentials)", n, median(batched), batched,
                      "one eth_call per credential (verify_credential each)", median(single),
                      targets=VERIFY_TARGETS),
        ThroughputRow(f"  of which chain reads: one inspect for {n:,}", n, median(reads_batched), reads_batched,
                      "one inspect per credential", median(reads_single)),
    ]  # fmt: skip


def _changes(bench: Bench, registry: Any, owner: LocalAccount, n: int) -> None:
    """``n`` changes of ``owner``'s DID, one per block (the walk's worst case): a service, a
    veriKey delegate and a public key in turn. Signed with fixed gas and fees and broadcast
    back to back (Anvil mines each on arrival); only the last receipt is awaited."""
    from thekey.identity.registry import name_bytes32

    delegate = bench.fresh_address()
    fns = registry.contract.functions
    max_fee, tip = bench.chain._fees()
    tx_hash = ""
    for i in range(n):
        kind = i % 3
        if kind == 0:
            fn = fns.setAttribute(owner.address, name_bytes32(f"did/svc/Service{i}"),
                                  f"https://svc{i}.example".encode(), 86_400)  # fmt: skip
        elif kind == 1:
            fn = fns.addDelegate(owner.address, name_bytes32("veriKey"), delegate, 86_400 + i)
        else:
            fn = fns.setAttribute(owner.address, name_bytes32("did/pub/Secp256k1/veriKey/hex"),
                                  bytes([2]) + keccak(i.to_bytes(4, "big")), 86_400)  # fmt: skip
        tx = {"to": registry.address, "data": fn._encode_transaction_data(), "gas": 200_000,
              "maxFeePerGas": max_fee, "maxPriorityFeePerGas": tip}  # fmt: skip
        tx_hash = bench.chain.sign(tx, owner)[1]
    if tx_hash:
        bench.chain.wait(tx_hash)


def _resolution(bench: Bench) -> ThroughputRow:
    from thekey.identity.did import did_for
    from thekey.identity.did_document import DIDResolver
    from thekey.identity.registry import EIDRegistry

    deployment = bench.require_deployment("identity")
    registry = EIDRegistry.from_deployment(deployment)
    owner = bench.fresh_account()
    n = bench.sizes.history
    _changes(bench, registry, owner, n)
    resolver = DIDResolver.from_deployment(deployment)
    did = did_for(bench.chain.chain_id, owner.address)
    doc = resolver.resolve(did)
    if doc.did_document is None or len(resolver.change_log(owner.address)) != n:
        raise RuntimeError(f"the resolver did not return a document with {n} changes")
    samples = timed(lambda: resolver.resolve(did), max(bench.sizes.repeats, 5))
    return ThroughputRow(f"resolve a DID with {n:,} changes (DIDResolver)", 1, median(samples), samples,
                         targets=RESOLUTION_TARGETS, note=f"{n:,} changes in {n:,} blocks")  # fmt: skip


def _guard(name: str, items: int, fn: Callable[[], list[ThroughputRow]], targets: tuple[Target, ...] = ()
           ) -> list[ThroughputRow]:  # fmt: skip
    try:
        return fn()
    except Unavailable as exc:
        return [ThroughputRow(name, items, None, targets=targets, note=f"not measured: {exc}")]
    except Exception as exc:
        log("".join(traceback.format_exception_only(exc)).strip())
        text = (str(exc).strip().splitlines() or [""])[0][:200]
        return [ThroughputRow(name, items, None, targets=targets, note=f"not measured: {type(exc).__name__}: {text}")]


def run(bench: Bench) -> list[ThroughputRow]:
    sizes = bench.sizes
    rows: list[ThroughputRow] = []
    snapshot = bench.chain.snapshot()
    try:
        log(f"[throughput] issuing {sizes.verify:,} credentials")
        state: dict[str, Any] = {}

        def issue_and_anchor() -> list[ThroughputRow]:
            cs = _issue(bench, sizes.verify)
            state["cs"] = cs
            issued = ThroughputRow(f"issue {len(cs.items):,} credentials (build, sign, hash)", len(cs.items),
                                   cs.issue_seconds, [cs.issue_seconds], note="once")  # fmt: skip
            log(f"[throughput] anchoring {sizes.anchor:,} singly and {sizes.anchor:,} in batches")
            anchoring, credentials = _anchoring(bench, cs)
            state["credentials"] = credentials
            return [issued, *anchoring]

        rows += _guard(f"anchor {sizes.anchor:,} credentials in batches", sizes.anchor, issue_and_anchor)
        verify_name = f"verify {sizes.verify:,} credentials, batched (verify_credentials)"
        targets = VERIFY_TARGETS
        if "credentials" in state:
            log(f"[throughput] verifying {len(state['credentials']):,} credentials")
            verify = lambda: _verification(bench, state["cs"], state["credentials"])  # noqa: E731
            rows += _guard(verify_name, sizes.verify, verify, targets)
        else:
            note = "not measured: no anchored credentials (see the anchoring row)"
            rows.append(ThroughputRow(verify_name, sizes.verify, None, targets=targets, note=note))
        load_name = "gateway: verify credentials (POST /credentials/verify)"
        if "credentials" in state:
            load = lambda: gateway_load.run(bench, state["credentials"][:1_000], state["cs"].issuer)  # noqa: E731
            rows += _guard(load_name, 0, load, gateway_load.VERIFY_TARGETS)
        log(f"[throughput] resolving a DID with {sizes.history:,} changes")
        resolve_name = f"resolve a DID with {sizes.history:,} changes (DIDResolver)"
        rows += _guard(resolve_name, 1, lambda: [_resolution(bench)], RESOLUTION_TARGETS)
    finally:
        bench.chain.revert_to(snapshot)
    return rows
