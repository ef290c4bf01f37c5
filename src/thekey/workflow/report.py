"""Step 8: the audit report for a period and the users' credit ratings, from indexed events only.

Everything here is computed from the :class:`~thekey.events.EventIndex`, i.e. from what
the chain recorded: anyone holding the chain can recompute it.

Credit rating (per user address, over the whole history up to ``until``)::

    score = 600
          + 30 × verifications settled with the user as the verified party
          − 60 × verifications declined for an identity reason (mismatch, low confidence, no record)
          + 5 × consents the user granted (at most 10 counted)
    clamped to [300, 850];  band A ≥ 750, B ≥ 650, C ≥ 550, else D.

A failed identity check weighs less than a success gains: it may be an impostor, not the user.
Declines for policy reasons are the provider's doing and do not count against the user;
withdrawing a consent is a right and costs nothing.

An agreement counts (settled or declined) only if the user accepted it (its relayed signature,
``userAccepted`` in ``AgreementCreated``, or its on-chain ``accept``, an ``AgreementAccepted``) and its verifier
was an admitted, unsuspended issuer of ``IdentityVerification`` in the issuer registry when the
outcome was recorded; and at most ``PER_PROVIDER`` settled agreements count per provider.
Threat model (README, audit/credit): naming a victim in agreements it never accepted, or using a
verifier one controls, moves nothing; sock-puppet providers gain at most ``PER_PROVIDER`` each and
need an admitted verifier to settle. Not resisted: an admitted verifier that colludes or lies.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from thekey.consent.ids import describe
from thekey.credentials.vc import type_hash
from thekey.events import EventIndex
from thekey.hashing import to_checksum_address
from thekey.payments.escrow import Plan, payout
from thekey.workflow.reasons import reason_of

FOREVER = 2**63 - 1
PER_PROVIDER = 2  # settled agreements counted per provider (diminishing weight per counterparty)
IDENTITY_VERIFICATION = "IdentityVerification"
STATUS_ACTIONS = {0: "revoked", 1: "suspended", 2: "reinstated"}


def _int(value: Any) -> int:
    return int(value)


def _when(ts: int) -> str:
    return "the beginning" if ts <= 0 else "now" if ts >= FOREVER else datetime.fromtimestamp(ts, UTC).isoformat()


@dataclass
class AuditReport:
    since: int
    until: int
    requests: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    rejections: Counter[str] = field(default_factory=Counter)
    funded: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # provider → TKY wei paid in
    credited: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # payee → TKY wei earned
    withdrawn: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refunded: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # provider → TKY wei back
    consents: Counter[str] = field(default_factory=Counter)
    consent_scopes: Counter[str] = field(default_factory=Counter)
    credentials: Counter[str] = field(default_factory=Counter)
    routes_published: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "period": {"since": self.since, "until": self.until},
            "requests": self.requests,
            "outcomes": dict(self.outcomes),
            "rejections": dict(self.rejections),
            "payments": {
                "funded": {k: str(v) for k, v in self.funded.items()},
                "credited": {k: str(v) for k, v in self.credited.items()},
                "withdrawn": {k: str(v) for k, v in self.withdrawn.items()},
                "refunded": {k: str(v) for k, v in self.refunded.items()},
            },
            "consents": dict(self.consents),
            "consentScopes": dict(self.consent_scopes),
            "credentials": dict(self.credentials),
            "routesPublished": self.routes_published,
        }

    def as_markdown(self, names: dict[str, str] | None = None) -> str:
        label: dict[str, str] = {str(to_checksum_address(a)): n for n, a in (names or {}).items()}

        def who(address: str) -> str:
            return f"{label[address]} ({address})" if address in label else address

        def tky(wei: int) -> str:
            return f"{wei / 10**18:,.4f}".rstrip("0").rstrip(".")

        lines = [f"# Audit report: {_when(self.since)} to {_when(self.until)}", "",
                 "## Verification requests", "", f"- requests opened: {self.requests}"]  # fmt: skip
        lines += [f"- {k}: {v}" for k, v in sorted(self.outcomes.items())]
        if self.rejections:
            lines += ["", "### Declined, by reason", "", "| reason | count |", "|---|---|"]
            lines += [f"| {k} | {v} |" for k, v in sorted(self.rejections.items())]
        lines += [
            "",
            "## Payments (TKY)",
            "",
            "| party | funded | credited | withdrawn | refunded |",
            "|---|---|---|---|---|",
        ]
        for party in sorted(set(self.funded) | set(self.credited) | set(self.withdrawn) | set(self.refunded)):
            lines.append(f"| {who(party)} | {tky(self.funded.get(party, 0))} | {tky(self.credited.get(party, 0))} | "
                         f"{tky(self.withdrawn.get(party, 0))} | {tky(self.refunded.get(party, 0))} |")  # fmt: skip
        lines += ["", "## Consents", ""] + [f"- {k}: {v}" for k, v in sorted(self.consents.items())]
        lines += [f"- granted for {k}: {v}" for k, v in sorted(self.consent_scopes.items())]
        lines += ["", "## Credentials", ""] + [f"- {k}: {v}" for k, v in sorted(self.credentials.items())]
        lines += ["", f"Data routes published: {self.routes_published}", ""]
        return "\n".join(lines)


def settlement_credits(created: Mapping[str, Any]) -> list[tuple[str, int]]:
    """What a settlement by the plan credits, from the agreement's ``AgreementCreated`` arguments
    (the escrow logs no per-payee event: the plan and the price decide every credit to the wei)."""
    plan = Plan(tuple(created["payees"]), tuple(int(s) for s in created["shares"]))
    verifier, user, payees, _ = payout(_int(created["price"]), plan)
    return [*zip(plan.payees, payees, strict=True), (created["user"], user), (created["verifier"], verifier)]


def build_report(index: EventIndex, since: int = 0, until: int = FOREVER) -> AuditReport:
    """The report of everything indexed with a block time in [since, until].

    Money is counted once per movement: a price when funded; a settlement's credits from the
    plan; a resolution's split as credited and its refund as refunded (never both); a decline's or a
    reclaim's price as refunded; a withdrawal from ``withdrawTo``'s ``Withdrawn`` or, for a plain
    ``withdraw``, from the token's ``Transfer`` out of the escrow (a reclaim's transfer is its refund)."""
    r = AuditReport(since, until)
    created: dict[int, dict[str, Any]] = {e.args["id"]: e.args for e in index.events("AgreementCreated")}
    escrow = str(index.deployment.addresses.get("escrow", ""))
    not_withdrawals = {e.tx_hash for e in index.events("AgreementReclaimed")} | {
        e.tx_hash for e in index.events("Withdrawn")
    }
    for e in index.events(since=since, until=until):
        a = e.args
        match e.event:
            case "AgreementCreated":
                r.requests += 1
                r.funded[a["provider"]] += _int(a["price"])
            case "AgreementSettled":
                r.outcomes["settled"] += 1
                for payee, amount in settlement_credits(created[a["id"]]):
                    if amount:
                        r.credited[payee] += amount
            case "AgreementDeclined":
                r.outcomes["declined"] += 1
                r.rejections[reason_of(a["reasonHash"])] += 1
                r.refunded[created[a["id"]]["provider"]] += _int(a["amount"])
            case "AgreementReclaimed":
                r.outcomes["refunded after timeout or withdrawal"] += 1
                r.refunded[created[a["id"]]["provider"]] += _int(a["amount"])
            case "AgreementDisputed":
                r.outcomes["disputed"] += 1
            case "AgreementResolved":
                r.outcomes["resolved by the arbiter"] += 1
                if _int(a["refund"]):
                    r.refunded[created[a["id"]]["provider"]] += _int(a["refund"])
                for recipient, amount in zip(a["recipients"], a["amounts"], strict=True):
                    r.credited[recipient] += _int(amount)
            case "Withdrawn":
                r.withdrawn[a["payee"]] += _int(a["amount"])
            case "Transfer" if e.contract == "token" and a["from"] == escrow and e.tx_hash not in not_withdrawals:
                r.withdrawn[a["to"]] += _int(a["value"])
            case "ConsentGranted":
                r.consents["granted"] += 1
                r.consent_scopes[describe(bytes.fromhex(a["scope"][2:]))] += 1
            case "ConsentRevoked":
                r.consents["revoked"] += 1
            case "ConsentUsed":
                r.consents["used"] += 1
            case "CredentialAnchored":
                r.credentials["anchored"] += 1
            case "BatchAnchored":
                r.credentials["batches anchored"] += 1
                r.credentials["credentials in batches"] += _int(a["count"])
            case "CredentialStatusChanged":
                r.credentials[STATUS_ACTIONS.get(_int(a["action"]), "status changed")] += 1
            case "StatusEntriesChanged":
                r.credentials[STATUS_ACTIONS.get(_int(a["action"]), "status changed")] += bin(_int(a["entries"])).count(
                    "1"
                )
            case "RoutePublished":
                r.routes_published += 1
    return r


@dataclass(frozen=True)
class CreditRating:
    address: str
    score: int
    band: str
    settled: int
    identity_failures: int
    consents_granted: int

    def as_json(self) -> dict[str, Any]:
        return {"address": self.address, "score": self.score, "band": self.band, "factors": {
            "settled": self.settled, "identityFailures": self.identity_failures,
            "consentsGranted": self.consents_granted}}  # fmt: skip


def score(settled: int, identity_failures: int, consents_granted: int) -> int:
    """The documented formula (module docstring)."""
    raw = 600 + 30 * settled - 60 * identity_failures + 5 * min(consents_granted, 10)
    return max(300, min(850, raw))


def band(value: int) -> str:
    return "A" if value >= 750 else "B" if value >= 650 else "C" if value >= 550 else "D"


def credit_rating(index: EventIndex, user: str, until: int = FOREVER) -> CreditRating:
    """The rating of ``user`` from its on-chain history up to ``until``."""
    user = to_checksum_address(user)
    created = {e.args["id"]: e.args for e in index.events("AgreementCreated", until=until) if e.args["user"] == user}
    accepted = {i for i, c in created.items() if c["userAccepted"]} | {
        e.args["id"] for e in index.events("AgreementAccepted", until=until)
        if e.args["id"] in created and e.args["party"] == user
    }  # fmt: skip
    admitted = _admitted_identity_verifiers(index, until)

    def counts(e: Any) -> bool:
        return e.args["id"] in accepted and created[e.args["id"]]["verifier"] in admitted(e.timestamp)

    per_provider: Counter[str] = Counter(
        created[e.args["id"]]["provider"] for e in index.events("AgreementSettled", until=until) if counts(e)
    )
    settled = sum(min(n, PER_PROVIDER) for n in per_provider.values())
    failures = sum(
        1 for e in index.events("AgreementDeclined", until=until)
        if counts(e) and reason_of(e.args["reasonHash"]).startswith("identity:")
    )  # fmt: skip
    granted = sum(1 for e in index.events("ConsentGranted", until=until) if e.args["subject"] == user)
    value = score(settled, failures, granted)
    return CreditRating(user, value, band(value), settled, failures, granted)


def _admitted_identity_verifiers(index: EventIndex, until: int) -> Callable[[int], set[str]]:
    """Who was an admitted, unsuspended issuer of ``IdentityVerification`` at a time, replayed
    from the issuer registry's events."""
    kind = "0x" + type_hash(IDENTITY_VERIFICATION).hex()
    changes: list[tuple[int, str, bool | None, bool | None]] = []  # (time, issuer, typed, active)
    for e in index.events(until=until):
        a = e.args
        match e.event:
            case "IssuerTypesChanged" if kind in [str(t).lower() for t in a["credentialTypes"]]:
                changes.append((e.timestamp, a["issuer"], bool(a["allowed"]), None))
            case "IssuerAdded" | "IssuerReinstated":
                changes.append((e.timestamp, a["issuer"], None, True))
            case "IssuerSuspended" | "IssuerRemoved":
                changes.append((e.timestamp, a["issuer"], None, False))

    def at(when: int) -> set[str]:
        typed: dict[str, bool] = {}
        active: dict[str, bool] = {}
        for ts, issuer, t, act in changes:
            if ts > when:
                break
            if t is not None:
                typed[issuer] = t
            if act is not None:
                active[issuer] = act
        return {i for i, t in typed.items() if t and active.get(i, False)}

    return at
