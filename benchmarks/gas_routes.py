"""Data routes: publish (first, update, signed, with the subject's signed consent in the same
transaction), link an account, withdraw, unlink. No reference contract exists; each row stands
against its analytic floor, for information (issue 17 sets no route targets).

Floor model: a route needs its book (the serial of the consent it used, the use count, the update
time: one slot, keyed by the consent tuple, which is also the route id) and its digest (one slot),
both new on the first publication and updated after; the ``RoutePublished`` and
``RouteConsentUsed`` events. A link needs one new slot (subject and consent serial) and
``AccountLinked`` plus ``RouteConsentUsed``. Authority: the organisation's actor, and the consent's
liveness, which reads the subject's and the organisation's DIDs (three DID reads; the consent
registry's own slot and call are left out, as memory and hashing are). Withdraw clears the digest;
unlink clears the link; each checks one party's actor.
"""

from __future__ import annotations

from benchmarks.floors import Floor, LogShape, event_topic, shapes_of
from benchmarks.gas_consent import GRANTED
from benchmarks.harness import Bench, Tx, row
from benchmarks.model import GasRow

SECTION = "Data routes"
PUBLISHED = event_topic("RoutePublished(bytes32,address,address,bytes32,bytes32,uint64,address)")
USED = event_topic("RouteConsentUsed(bytes32,uint32)")
LINKED = event_topic("AccountLinked(address,bytes32,address)")
WITHDRAWN = event_topic("RouteWithdrawn(bytes32,address,address,address)")
UNLINKED = event_topic("AccountUnlinked(address,bytes32,address,address)")
PUBLISH_READS = {"authority_reads": 3}  # the organisation's actor; the subject's and the organisation's DIDs


def _logs(tx: Tx, *topics: bytes) -> tuple[LogShape, ...]:
    return tuple(shape for topic in topics for shape in shapes_of(tx.receipt.raw, topic)[:1])


def run(bench: Bench) -> list[GasRow]:
    from thekey.consent import (
        ConsentRegistry,
        DataRoutes,
        GrantRequest,
        RouteRequest,
        account_key,
        purpose_id,
        scope_id,
    )

    deployment = bench.require_deployment("routes")
    consents, routes = ConsentRegistry.from_deployment(deployment), DataRoutes.from_deployment(deployment)
    subject, org, relayer = (bench.fresh_account() for _ in range(3))
    routes.admit(bench.deployer, org.address)
    route_purpose, link_scope = purpose_id("data-route"), scope_id("account-link")
    health, tax, lab = scope_id("health.record"), scope_id("tax.record"), scope_id("lab.result")
    for scope in (health, tax, link_scope):
        consents.grant(subject, GrantRequest(subject.address, org.address, scope, route_purpose))
    f = routes.contract.functions
    rows: list[GasRow] = []

    def request(category: bytes, digest: bytes) -> RouteRequest:
        return RouteRequest(org.address, subject.address, category, digest, bench.chain.timestamp())

    def publish(category: bytes, digest: bytes) -> Tx:
        return bench.send(f.publish(request(category, digest).as_tuple()), org)

    tx = publish(health, b"\x01" * 32)
    rows.append(row(SECTION, "publish (a route's first)", tx,
                    floor=Floor(new=2, logs=_logs(tx, PUBLISHED, USED), **PUBLISH_READS)))  # fmt: skip
    tx = publish(health, b"\x02" * 32)
    rows.append(row(SECTION, "publish (update)", tx,
                    floor=Floor(updates=2, logs=_logs(tx, PUBLISHED, USED), **PUBLISH_READS)))  # fmt: skip
    deadline = bench.chain.timestamp() + 86_400
    signed = routes.sign_publish(org, request(tax, b"\x03" * 32), deadline)
    tx = bench.measured(routes.publish_by_sig(relayer, signed))
    rows.append(row(SECTION, "publish signed, relayed (a route's first; the signer's first nonce)", tx,
                    floor=Floor(new=3, logs=_logs(tx, PUBLISHED, USED), **PUBLISH_READS)))  # fmt: skip
    consent = consents.sign_grant(subject, GrantRequest(subject.address, org.address, lab, route_purpose), deadline)
    tx = bench.measured(routes.publish_with_consent(org, request(lab, b"\x04" * 32), consent))
    rows.append(row(SECTION, "publish with the subject's signed consent (both first)", tx,
                    floor=Floor(new=3, logs=_logs(tx, GRANTED, PUBLISHED, USED), **PUBLISH_READS)))  # fmt: skip
    link = account_key(b"s" * 32, "P-0042")
    tx = bench.send(f.linkAccount(org.address, link, subject.address), org)
    rows.append(row(SECTION, "link an account", tx, floor=Floor(new=2, logs=_logs(tx, LINKED, USED), **PUBLISH_READS)))
    tx = bench.send(f.withdrawRoute(subject.address, org.address, health), subject)
    rows.append(
        row(SECTION, "withdraw a route", tx, floor=Floor(clears=1, logs=_logs(tx, WITHDRAWN), authority_reads=1))
    )
    tx = bench.send(f.unlinkAccount(org.address, link), subject)
    rows.append(
        row(SECTION, "unlink an account", tx, floor=Floor(clears=1, logs=_logs(tx, UNLINKED), authority_reads=1))
    )
    return rows
