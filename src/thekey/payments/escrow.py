"""The payment-sharing escrow client: agreements, acceptances (EIP-712), funding, payouts.

An agreement is built as :class:`Terms` (with its :class:`Plan`), signed by the verifier and the
user (:meth:`Escrow.sign_acceptance`), created and funded by the provider in one transaction
(:meth:`Escrow.create_and_fund` through a permit, or :meth:`Escrow.create` from an approval),
completed by the verifier, then settled, confirmed, disputed and resolved, or reclaimed.

The contract stores only an agreement's state, under ``keccak256(abi.encode(id, terms))``; every
action takes the terms back as calldata. The client reads them from the agreement's
``AgreementCreated`` event (:meth:`Escrow.created`) unless the caller passes them.

:func:`payout` is the exact Python model of the contract's split (floors, dust to the verifier),
so tests and state machines can predict every credit to the wei.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from eth_abi.abi import encode as abi_encode
from eth_account.signers.local import LocalAccount

from thekey.chain.transactions import Receipt
from thekey.client import ContractClient
from thekey.eip712 import Domain, sign_typed_data, typed_data
from thekey.errors import BadInput, ChainError
from thekey.hashing import keccak, to_checksum_address
from thekey.ids import HexFields
from thekey.parsing import iso_time
from thekey.token.tky import Permit, Token

BPS = 10_000
MAX_PAYEES = 8
ARBITRATION_PERIOD = 30 * 86_400  # the contract's ARBITRATION_PERIOD
UINT96_MAX = 2**96 - 1
ZERO32 = b"\x00" * 32

AGREEMENT_TYPES: dict[str, list[tuple[str, str]]] = {
    "Agreement": [
        ("provider", "address"),
        ("verifier", "address"),
        ("user", "address"),
        ("arbiter", "address"),
        ("price", "uint96"),
        ("serviceDeadline", "uint64"),
        ("disputeWindow", "uint32"),
        ("termsHash", "bytes32"),
        ("payees", "address[]"),
        ("shares", "uint16[]"),
        ("nonce", "uint256"),
        ("deadline", "uint256"),
    ]
}


class Status(IntEnum):
    """An agreement's place in its life (mirrors ``IPaymentEscrow.Status``)."""

    NONE = 0
    PROPOSED = 1
    ACTIVE = 2
    COMPLETED = 3
    DISPUTED = 4
    SETTLED = 5
    REFUNDED = 6
    RESOLVED = 7

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def terminal(self) -> bool:
        return self >= Status.SETTLED


@dataclass(frozen=True)
class Plan:
    """The share plan: ``shares[0]`` verifier, ``shares[1]`` user, ``shares[2 + i]`` for ``payees[i]``."""

    payees: tuple[str, ...]
    shares: tuple[int, ...]

    @classmethod
    def of(cls, verifier_bps: int, user_bps: int, payees: Mapping[str, int] | Iterable[tuple[str, int]] = ()) -> Plan:
        """A plan from the verifier's and the user's basis points and ``{payee: bps}``."""
        items = list(payees.items()) if isinstance(payees, Mapping) else list(payees)
        return cls(
            tuple(to_checksum_address(a) for a, _ in items),
            (verifier_bps, user_bps, *(int(b) for _, b in items)),
        )

    def check(self) -> None:
        """Raise BadInput unless the contract would accept this plan."""
        if len(self.payees) > MAX_PAYEES:
            raise BadInput(f"at most {MAX_PAYEES} payees besides the verifier and the user ({len(self.payees)} given)")
        if len(self.shares) != len(self.payees) + 2:
            raise BadInput("a plan has one share for the verifier, one for the user and one per payee")
        if any(not 0 <= s <= BPS for s in self.shares):
            raise BadInput("each share is basis points between 0 and 10000")
        if sum(self.shares) != BPS:
            raise BadInput(f"shares must sum to exactly 10000 basis points (they sum to {sum(self.shares)})")

    def as_arg(self) -> tuple[list[str], list[int]]:
        return list(self.payees), list(self.shares)

    def to_json(self) -> dict[str, Any]:
        return {"payees": list(self.payees), "shares": list(self.shares)}


@dataclass(frozen=True)
class Terms(HexFields):
    """What the provider proposes and the verifier and the user sign. Times are UNIX seconds."""

    provider: str
    verifier: str
    user: str
    arbiter: str
    price: int
    service_deadline: int
    dispute_window: int
    terms_hash: bytes
    plan: Plan

    def check(self) -> None:
        """Raise BadInput for terms the contract would reject on their face."""
        if not 0 < self.price <= UINT96_MAX:
            raise BadInput("the price must be more than zero and fit in 96 bits")
        if not 0 <= self.dispute_window < 2**32:
            raise BadInput("the dispute window must fit in 32 bits of seconds")
        if len(self.terms_hash) != 32:
            raise BadInput("the terms hash is 32 bytes")
        self.plan.check()

    def as_arg(self) -> tuple[Any, ...]:
        """The ``Terms`` tuple for the contract (the provider must be the creator)."""
        return (
            to_checksum_address(self.provider),
            to_checksum_address(self.verifier),
            to_checksum_address(self.user),
            to_checksum_address(self.arbiter),
            self.price,
            self.service_deadline,
            self.dispute_window,
            self.terms_hash,
            self.plan.as_arg(),
        )

    def message(self, nonce: int, deadline: int) -> dict[str, Any]:
        return {
            "provider": to_checksum_address(self.provider),
            "verifier": to_checksum_address(self.verifier),
            "user": to_checksum_address(self.user),
            "arbiter": to_checksum_address(self.arbiter),
            "price": self.price,
            "serviceDeadline": self.service_deadline,
            "disputeWindow": self.dispute_window,
            "termsHash": self.terms_hash,
            "payees": list(self.plan.payees),
            "shares": list(self.plan.shares),
            "nonce": nonce,
            "deadline": deadline,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "verifier": self.verifier,
            "user": self.user,
            "arbiter": self.arbiter,
            "price": str(self.price),
            "serviceDeadline": self.service_deadline,
            "disputeWindow": self.dispute_window,
            "termsHash": "0x" + self.terms_hash.hex(),
            "plan": self.plan.to_json(),
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Terms:
        try:
            plan = Plan(
                tuple(to_checksum_address(p) for p in d["plan"]["payees"]),
                tuple(int(s) for s in d["plan"]["shares"]),
            )
            return cls(
                to_checksum_address(d["provider"]),
                to_checksum_address(d["verifier"]),
                to_checksum_address(d["user"]),
                to_checksum_address(d["arbiter"]),
                int(d["price"]),
                int(d["serviceDeadline"]),
                int(d["disputeWindow"]),
                bytes.fromhex(str(d["termsHash"]).removeprefix("0x")),
                plan,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BadInput(f"not an agreement terms document ({type(exc).__name__}: {exc})") from None


@dataclass(frozen=True)
class Acceptance(HexFields):
    """A party's EIP-712 acceptance of some terms, relayed by the provider."""

    signer: str
    nonce: int
    deadline: int
    signature: bytes

    def as_arg(self) -> tuple[int, int, bytes]:
        return (self.nonce, self.deadline, self.signature)

    def to_json(self) -> dict[str, Any]:
        return {
            "signer": self.signer,
            "nonce": self.nonce,
            "deadline": self.deadline,
            "signature": "0x" + self.signature.hex(),
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Acceptance:
        try:
            return cls(
                to_checksum_address(d["signer"]),
                int(d["nonce"]),
                int(d["deadline"]),
                bytes.fromhex(str(d["signature"]).removeprefix("0x")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BadInput(f"not an acceptance document ({type(exc).__name__}: {exc})") from None


NO_ACCEPTANCE = (0, 0, b"")


TERMS_ABI = "(address,address,address,address,uint96,uint64,uint32,bytes32,(address[],uint16[]))"
ZERO_ADDRESS = "0x" + "00" * 20


def agreement_key(agreement_id: int, terms: Terms) -> bytes:
    """The storage key of an agreement, ``keccak256(abi.encode(id, terms))`` as the contract computes it."""
    return keccak(abi_encode(["uint256", TERMS_ABI], [agreement_id, terms.as_arg()]))


@dataclass(frozen=True)
class AgreementState(HexFields):
    """An agreement: its terms (from its creation event) and its state as the contract stores it."""

    id: int
    status: Status
    provider: str
    verifier: str
    user: str
    arbiter: str
    price: int
    service_deadline: int
    dispute_window: int
    completed_at: int
    verifier_accepted: bool
    user_accepted: bool
    evidence_hash: bytes
    disputed_at: int = 0
    plan: Plan = field(default_factory=lambda: Plan((), ()))

    @property
    def dispute_until(self) -> int | None:
        """End of the dispute window (exclusive), once completed."""
        return self.completed_at + self.dispute_window if self.completed_at else None

    def describe(self, now: int) -> str:
        """One line saying where the agreement is and what can happen next."""
        s = self.status
        if s is Status.PROPOSED:
            waiting = [r for r, ok in (("verifier", self.verifier_accepted), ("user", self.user_accepted)) if not ok]
            return f"proposed — waiting for the {' and the '.join(waiting)} to accept"
        if s is Status.ACTIVE:
            if now > self.service_deadline:
                deadline = iso_time(self.service_deadline)
                return f"active — service deadline {deadline} passed: the provider may reclaim"
            return f"active — the verifier must complete by {iso_time(self.service_deadline)}"
        if s is Status.COMPLETED:
            until = self.dispute_until or 0
            if now < until:
                return f"completed — dispute window open until {iso_time(until)}; the provider may confirm"
            return "completed — dispute window closed: anyone may settle"
        if s is Status.DISPUTED:
            until = self.disputed_at + ARBITRATION_PERIOD
            if now < until:
                return (
                    f"disputed — the arbiter may rule until {iso_time(until)}; after that anyone may settle by the plan"
                )
            return "disputed — the arbiter did not rule in time: anyone may settle by the plan"
        return {
            Status.SETTLED: "settled — paid out by the plan",
            Status.REFUNDED: "refunded — the price went back to the provider",
            Status.RESOLVED: "resolved — paid out by the arbiter's split",
        }.get(s, "unknown agreement")

    def to_json(self, now: int | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "status": self.status.label,
            "provider": self.provider,
            "verifier": self.verifier,
            "user": self.user,
            "arbiter": self.arbiter,
            "price": str(self.price),
            "serviceDeadline": self.service_deadline,
            "disputeWindow": self.dispute_window,
            "completedAt": self.completed_at,
            "disputeUntil": self.dispute_until,
            "verifierAccepted": self.verifier_accepted,
            "userAccepted": self.user_accepted,
            "plan": self.plan.to_json(),
            "evidenceHash": None if self.evidence_hash == ZERO32 else "0x" + self.evidence_hash.hex(),
            "disputedAt": self.disputed_at or None,
        }
        if now is not None:
            d["description"] = self.describe(now)
        return d


@dataclass(frozen=True)
class Created:
    """An agreement's terms as its ``AgreementCreated`` event recorded them."""

    id: int
    terms: Terms
    block_number: int
    tx_hash: str = field(repr=False)


def acceptance_document(domain: Domain, terms: Terms, nonce: int, deadline: int) -> dict[str, Any]:
    """The EIP-712 document the verifier or the user signs to accept ``terms``."""
    return typed_data(domain, "Agreement", AGREEMENT_TYPES, terms.message(nonce, deadline))


def payout(price: int, plan: Plan) -> tuple[int, int, list[int], int]:
    """``(verifier, user, [payee amounts], dust)`` exactly as the contract credits them."""
    payees = [price * s // BPS for s in plan.shares[2:]]
    user = price * plan.shares[1] // BPS
    verifier = price - user - sum(payees)
    return verifier, user, payees, verifier - price * plan.shares[0] // BPS


def credits_of(terms: Terms) -> dict[str, int]:
    """What each address is credited when ``terms`` settle by the plan (duplicates summed)."""
    verifier, user, payees, _ = payout(terms.price, terms.plan)
    out: dict[str, int] = {}
    for who, amount in [
        (terms.verifier, verifier),
        (terms.user, user),
        *zip(terms.plan.payees, payees, strict=True),
    ]:
        if amount:
            out[to_checksum_address(who)] = out.get(to_checksum_address(who), 0) + amount
    return out


class Escrow(ContractClient):
    ARTIFACT = "PaymentEscrow"
    KEY = "escrow"

    # -- reads ----------------------------------------------------------------------------
    def token_address(self) -> str:
        return to_checksum_address(self._call("token"))

    def count(self) -> int:
        return int(self._call("agreementCount"))

    def credit_of(self, account: str) -> int:
        return int(self._call("creditOf", to_checksum_address(account)))

    def version(self) -> str:
        return str(self._call("version"))

    def agreement(self, agreement_id: int, terms: Terms | None = None) -> AgreementState:
        """Agreement ``agreement_id`` (status ``NONE`` when there is none), with ``terms`` or those it
        was created with."""
        if terms is None:
            found = self._find_created(agreement_id)
            if found is None:
                z = ZERO_ADDRESS
                return AgreementState(agreement_id, Status.NONE, z, z, z, z, 0, 0, 0, 0, False, False, ZERO32)
            terms = found.terms
        # the struct's field order: status, verifierAccepted, userAccepted, completedAt, disputedAt, evidenceHash
        r = self._call("agreement", agreement_id, terms.as_arg())
        t = terms
        return AgreementState(
            agreement_id, Status(r[0]), t.provider, t.verifier, t.user, t.arbiter, t.price, t.service_deadline,
            t.dispute_window, int(r[3]), bool(r[1]), bool(r[2]), bytes(r[5]), int(r[4]), t.plan,
        )  # fmt: skip

    def terms_of(self, agreement_id: int) -> Terms:
        """The terms agreement ``agreement_id`` was created with (BadInput when there is none)."""
        return self.created(agreement_id).terms

    def created(self, agreement_id: int) -> Created:
        """The terms agreement ``agreement_id`` was created with (from its event)."""
        found = self._find_created(agreement_id)
        if found is None:
            raise BadInput(f"no escrow agreement {agreement_id}")
        return found

    def _find_created(self, agreement_id: int) -> Created | None:
        found = self._created_logs({"id": agreement_id})
        return found[-1] if found else None

    def created_with(self, terms: Terms) -> list[Created]:
        """Every agreement created with exactly ``terms`` (a draft funded before shows up here)."""
        found = self._created_logs({"provider": terms.provider, "verifier": terms.verifier})
        return [c for c in found if c.terms == terms]

    def _created_logs(self, filters: dict[str, Any]) -> list[Created]:
        try:
            logs = self.contract.events.AgreementCreated().get_logs(
                from_block=0, to_block="latest", argument_filters=filters
            )
        except (OSError, ValueError) as exc:
            raise ChainError(f"reading AgreementCreated logs failed: {exc}") from exc
        # only a log of the canonical chain counts: after a reorganisation (or a development
        # node's evm_revert) a node may still return the log of a block that no longer exists
        canonical = [
            log for log in logs
            if self.chain.rpc("eth_getBlockByNumber", [hex(log["blockNumber"]), False])["hash"]
            == "0x" + bytes(log["blockHash"]).hex()
        ]  # fmt: skip
        return [self._created_from_log(log) for log in canonical]

    @staticmethod
    def _created_from_log(log: Any) -> Created:
        a = log["args"]
        terms = Terms(
            a["provider"],
            a["verifier"],
            a["user"],
            a["arbiter"],
            int(a["price"]),
            int(a["serviceDeadline"]),
            int(a["disputeWindow"]),
            bytes(a["termsHash"]),
            Plan(tuple(to_checksum_address(p) for p in a["payees"]), tuple(int(s) for s in a["shares"])),
        )
        return Created(int(a["id"]), terms, int(log["blockNumber"]), log["transactionHash"].to_0x_hex())

    # -- acceptances ----------------------------------------------------------------------
    def sign_acceptance(
        self,
        party: LocalAccount,
        terms: Terms,
        deadline: int,
        *,
        nonce: int | None = None,
        domain: Domain | None = None,
    ) -> Acceptance:
        """Sign ``terms`` as ``party`` (the verifier or the user); ``nonce`` defaults to the current one."""
        nonce = self.nonce_of(party.address) if nonce is None else nonce
        doc = acceptance_document(domain or self.domain, terms, nonce, deadline)
        return Acceptance(party.address, nonce, deadline, sign_typed_data(party, doc))

    # -- provider -------------------------------------------------------------------------
    def _created_id(self, receipt: Receipt) -> int:
        return int(self.events(receipt, "AgreementCreated")[0]["id"])

    def create(
        self,
        provider: LocalAccount,
        terms: Terms,
        verifier_acceptance: Acceptance | None = None,
        user_acceptance: Acceptance | None = None,
    ) -> tuple[int, Receipt]:
        """Create and fund from a prior approval of ``terms.price``; returns ``(id, receipt)``."""
        receipt = self._send(provider, "create", terms.as_arg(), *_acceptances(verifier_acceptance, user_acceptance))
        return self._created_id(receipt), receipt

    def create_with_permit(
        self,
        provider: LocalAccount,
        terms: Terms,
        permit: Permit,
        verifier_acceptance: Acceptance | None = None,
        user_acceptance: Acceptance | None = None,
    ) -> tuple[int, Receipt]:
        """Create and fund in one transaction through the provider's signed permit."""
        v, r, s = permit.vrs
        receipt = self._send(
            provider,
            "createWithPermit",
            terms.as_arg(),
            *_acceptances(verifier_acceptance, user_acceptance),
            (permit.deadline, v, r, s),
        )
        return self._created_id(receipt), receipt

    def create_and_fund(
        self,
        provider: LocalAccount,
        terms: Terms,
        verifier_acceptance: Acceptance | None = None,
        user_acceptance: Acceptance | None = None,
        *,
        permit_deadline: int | None = None,
    ) -> tuple[int, Receipt]:
        """Sign a permit for exactly the price (valid one hour by default) and create-and-fund."""
        token = Token(self.chain, self.token_address())
        deadline = permit_deadline if permit_deadline is not None else self.chain.now() + 3600
        permit = token.sign_permit(provider, self.address, terms.price, deadline)
        return self.create_with_permit(provider, terms, permit, verifier_acceptance, user_acceptance)

    def _terms(self, agreement_id: int, terms: Terms | None) -> tuple[Any, ...]:
        return (terms or self.terms_of(agreement_id)).as_arg()

    def confirm(self, provider: LocalAccount, agreement_id: int, terms: Terms | None = None) -> Receipt:
        return self._send(provider, "confirm", agreement_id, self._terms(agreement_id, terms))

    def dispute(
        self, provider: LocalAccount, agreement_id: int, reason_hash: bytes, terms: Terms | None = None
    ) -> Receipt:
        return self._send(provider, "dispute", agreement_id, self._terms(agreement_id, terms), reason_hash)

    def reclaim(self, provider: LocalAccount, agreement_id: int, terms: Terms | None = None) -> Receipt:
        return self._send(provider, "reclaim", agreement_id, self._terms(agreement_id, terms))

    # -- verifier and user ----------------------------------------------------------------
    def decline(
        self, verifier: LocalAccount, agreement_id: int, reason_hash: bytes, terms: Terms | None = None
    ) -> Receipt:
        """The verifier refuses the work before completing it: the provider is refunded in full."""
        return self._send(verifier, "decline", agreement_id, self._terms(agreement_id, terms), reason_hash)

    def accept(self, party: LocalAccount, agreement_id: int, terms: Terms | None = None) -> Receipt:
        return self._send(party, "accept", agreement_id, self._terms(agreement_id, terms))

    def complete(
        self, verifier: LocalAccount, agreement_id: int, evidence_hash: bytes, terms: Terms | None = None
    ) -> Receipt:
        return self._send(verifier, "complete", agreement_id, self._terms(agreement_id, terms), evidence_hash)

    # -- anyone ---------------------------------------------------------------------------
    def settle(self, sender: LocalAccount, agreement_id: int, terms: Terms | None = None) -> Receipt:
        return self._send(sender, "settle", agreement_id, self._terms(agreement_id, terms))

    def withdraw(self, payee: LocalAccount, to: str | None = None) -> Receipt:
        if to is None:
            return self._send(payee, "withdraw")
        return self._send(payee, "withdrawTo", to_checksum_address(to))

    # -- arbiter --------------------------------------------------------------------------
    def resolve(
        self,
        arbiter: LocalAccount,
        agreement_id: int,
        refund: int,
        split: Mapping[str, int] | Sequence[tuple[str, int]] = (),
        terms: Terms | None = None,
    ) -> Receipt:
        """Refund ``refund`` to the provider and pay ``split`` (``{address: amount}``); sums to the price."""
        items = list(split.items()) if isinstance(split, Mapping) else list(split)
        recipients = [to_checksum_address(a) for a, _ in items]
        amounts = [int(v) for _, v in items]
        return self._send(
            arbiter, "resolve", agreement_id, self._terms(agreement_id, terms), refund, recipients, amounts
        )


def _acceptances(verifier: Acceptance | None, user: Acceptance | None) -> tuple[tuple[int, int, bytes], ...]:
    return tuple(a.as_arg() if a is not None else NO_ACCEPTANCE for a in (verifier, user))


def draft_to_json(terms: Terms, acceptances: Mapping[str, Acceptance]) -> str:
    """The agreement draft file the CLI passes between parties: terms plus collected acceptances."""
    return (
        json.dumps(
            {"terms": terms.to_json(), "acceptances": {k: a.to_json() for k, a in acceptances.items()}},
            indent=2,
        )
        + "\n"
    )


def draft_from_json(text: str) -> tuple[Terms, dict[str, Acceptance]]:
    try:
        d = json.loads(text)
        accs = {str(k): Acceptance.from_json(v) for k, v in dict(d.get("acceptances", {})).items()}
        return Terms.from_json(d["terms"]), accs
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
        raise BadInput("not an agreement draft (JSON with 'terms' and 'acceptances')") from None
