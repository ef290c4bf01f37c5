"""Consent: grant (direct and signed-and-relayed), revoke (direct and signed), record use.
No reference contract exists for consent records; each row stands against its analytic floor.

Floor model: a consent needs one new slot (window, use limit and use count, keyed by
keccak(subject, grantee, scope, purpose)) plus its ``ConsentGranted`` audit event; a revocation
one update plus ``ConsentRevoked``; a recorded use one update (the counter) plus ``ConsentUsed``;
a signed action consumes no nonce (a signed grant names the tuple's next serial, a signed revocation
its consent id, which is revoked once), so it costs only its larger calldata. Authority follows
the DID: each action reads the acting DID's current owner from the ERC-1056 registry (one DID
read, as for credentials). Targets are issue 17's.
"""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from benchmarks.floors import Floor, LogShape, event_topic, shapes_of
from benchmarks.harness import Bench, Tx, row
from benchmarks.model import GasRow, Target

SECTION = "Consent"
GRANTED = event_topic("ConsentGranted(bytes32,address,address,bytes32,bytes32,uint64,uint64,uint32,address)")
REVOKED = event_topic("ConsentRevoked(bytes32,address,address)")
USED = event_topic("ConsentUsed(bytes32,address,address,bytes32,uint32)")
GRANT_TARGET, SIGNED_GRANT_TARGET, REVOKE_TARGET, USE_TARGET = ((Target("floor", b),) for b in (1.25, 1.30, 1.30, 1.30))
DID_READ = {"authority_reads": 1}


def _logs(tx: Tx, topic: bytes) -> tuple[LogShape, ...]:
    return shapes_of(tx.receipt.raw, topic)[:1]


def run(bench: Bench) -> list[GasRow]:
    from thekey.consent import ConsentRegistry, GrantRequest, purpose_id, scope_id

    consents = ConsentRegistry.from_deployment(bench.require_deployment("consent"))
    f = consents.contract.functions
    subject, signer_subject, grantee, relayer = (bench.fresh_account() for _ in range(4))
    health, tax = scope_id("health.record"), scope_id("tax.record")
    underwriting = purpose_id("insurance-underwriting")
    deadline = bench.chain.timestamp() + 86_400
    rows: list[GasRow] = []

    def grant(sender: LocalAccount, who: LocalAccount, scope: bytes) -> Tx:
        request = GrantRequest(who.address, grantee.address, scope, underwriting)
        return bench.send(f.grant(request.as_tuple()), sender)

    first = grant(subject, subject, health)
    rows.append(row(SECTION, "grant (subject's first)", first,
                    floor=Floor(new=1, logs=_logs(first, GRANTED), **DID_READ), targets=GRANT_TARGET))  # fmt: skip
    second = grant(subject, subject, tax)
    rows.append(row(SECTION, "grant (subject's second)", second,
                    floor=Floor(new=1, logs=_logs(second, GRANTED), **DID_READ), targets=GRANT_TARGET))  # fmt: skip

    request = GrantRequest(signer_subject.address, grantee.address, health, underwriting)
    receipt = consents.grant_by_sig(relayer, consents.sign_grant(signer_subject, request, deadline)).receipt
    assert receipt is not None
    tx = bench.measured(receipt)
    rows.append(row(SECTION, "grant signed, relayed", tx, floor=Floor(new=1, logs=_logs(tx, GRANTED), **DID_READ),
                    targets=SIGNED_GRANT_TARGET))  # fmt: skip

    consent_id = bytes(first.receipt.events(consents.contract, "ConsentGranted")[0]["id"])
    key = consents.key_of(consent_id).as_tuple()
    tx = bench.send(f.recordUse(key, consent_id, bytes.fromhex("ab" * 32)), grantee)
    # the grantee's authority and the subject's liveness: two DID reads
    rows.append(row(SECTION, "record use", tx, floor=Floor(updates=1, logs=_logs(tx, USED), authority_reads=2),
                    targets=USE_TARGET))  # fmt: skip
    tx = bench.send(f.revoke(key, consent_id), subject)
    rows.append(row(SECTION, "revoke", tx, floor=Floor(updates=1, logs=_logs(tx, REVOKED), **DID_READ),
                    targets=REVOKE_TARGET))  # fmt: skip
    tax_id = bytes(second.receipt.events(consents.contract, "ConsentGranted")[0]["id"])
    signed_revoke = consents.sign_revoke(subject, tax_id, deadline)
    tx = bench.measured(consents.revoke_by_sig(relayer, signed_revoke))
    rows.append(row(SECTION, "revoke signed, relayed", tx,
                    floor=Floor(updates=1, logs=_logs(tx, REVOKED), **DID_READ), targets=REVOKE_TARGET))  # fmt: skip
    return rows
