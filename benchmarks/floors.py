"""The analytic gas floor of an operation: what any implementation must pay.

floor = 21,000 (transaction) + calldata (4 gas per zero byte, 16 per non-zero byte)
      + the storage writes it cannot avoid + the logs it cannot avoid − refunds,
and never less than the EIP-7623 calldata floor (21,000 + 10 per calldata token, a token
being 1 per zero byte and 4 per non-zero byte), which the chain charges when execution is
cheap relative to calldata.

Storage writes (EIP-2200 / EIP-2929 / EIP-3529), each slot cold on first touch:
- new: zero → non-zero, 20,000 + 2,100 cold access = 22,100;
- update: non-zero → other non-zero, 2,900 + 2,100 = 5,000;
- clear: non-zero → zero, 5,000 with a 4,800 refund (refunds capped at a fifth of the gas used).
Logs: 375 + 375 per topic (the event id is a topic) + 8 per data byte.
Authority reads: an operation whose specification says "the current controller of a DID may do
this" must read that controller from the ERC-1056 registry, another contract: one cold account
access (2,600) and one cold slot (2,100) = 4,700 per such read.
Memory, hashing, other SLOADs and call overhead are deliberately left out: the floor is a lower
bound, not an estimate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eth_utils import keccak

TX = 21_000
CALLDATA_ZERO = 4
CALLDATA_NONZERO = 16
FLOOR_PER_TOKEN = 10  # EIP-7623
SSTORE_NEW = 22_100
SSTORE_UPDATE = 5_000
SSTORE_CLEAR = 5_000
CLEAR_REFUND = 4_800
LOG = 375
LOG_TOPIC = 375
LOG_BYTE = 8
AUTHORITY_READ = 2_600 + 2_100  # cold CALL target + its cold owner slot (EIP-2929)


def calldata_cost(data: bytes) -> int:
    zeros = data.count(0)
    return zeros * CALLDATA_ZERO + (len(data) - zeros) * CALLDATA_NONZERO


def calldata_tokens(data: bytes) -> int:
    zeros = data.count(0)
    return zeros + 4 * (len(data) - zeros)


def log_cost(topics: int, data_bytes: int) -> int:
    return LOG + LOG_TOPIC * topics + LOG_BYTE * data_bytes


@dataclass(frozen=True)
class LogShape:
    """A log: its number of topics (event id included) and bytes of data."""

    topics: int
    data: int

    @property
    def gas(self) -> int:
        return log_cost(self.topics, self.data)


@dataclass(frozen=True)
class Floor:
    """The unavoidable state changes of an operation (calldata is taken from the real call)."""

    new: int = 0
    updates: int = 0
    clears: int = 0
    logs: tuple[LogShape, ...] = field(default=())
    authority_reads: int = 0

    @property
    def execution(self) -> int:
        return (
            self.new * SSTORE_NEW
            + self.updates * SSTORE_UPDATE
            + self.clears * SSTORE_CLEAR
            + sum(log.gas for log in self.logs)
            + self.authority_reads * AUTHORITY_READ
        )

    def gas(self, calldata: bytes) -> int:
        """The floor of one transaction carrying ``calldata``."""
        standard = TX + calldata_cost(calldata) + self.execution
        net = standard - min(self.clears * CLEAR_REFUND, standard // 5)
        return max(net, TX + FLOOR_PER_TOKEN * calldata_tokens(calldata))

    def describe(self) -> str:
        parts = [f"{n} {what}" for n, what in ((self.new, "new"), (self.updates, "upd"), (self.clears, "clr")) if n]
        parts += [f"LOG{log.topics}+{log.data}B" for log in self.logs]
        if self.authority_reads:
            parts.append(f"{self.authority_reads} DID read")
        return ", ".join(parts) or "tx + calldata"


def event_topic(signature: str) -> bytes:
    """topic0 of an event, e.g. ``Transfer(address,address,uint256)``."""
    return keccak(text=signature)


def shapes_of(raw_receipt: object, topic0: bytes, emitter: str | None = None) -> tuple[LogShape, ...]:
    """The shapes of the logs with ``topic0`` (from ``emitter`` if given) in a web3 receipt."""
    found = []
    for log in raw_receipt["logs"]:  # type: ignore[index]
        topics = log["topics"]
        if not topics or bytes(topics[0]) != topic0:
            continue
        if emitter is not None and str(log["address"]).lower() != emitter.lower():
            continue
        found.append(LogShape(len(topics), len(bytes(log["data"]))))
    return tuple(found)


MODEL_MARKDOWN = """\
Each operation's floor is what any implementation of it must pay on this chain:

    floor = 21,000 + calldata + unavoidable storage writes + unavoidable logs − refunds

- **calldata**: the operation's real calldata (ours, as sent), 4 gas per zero byte and 16 per
  non-zero byte; never below the EIP-7623 floor of 21,000 + 10 per token (1 per zero byte,
  4 per non-zero byte), which the chain charges when execution is cheap relative to calldata.
- **storage writes** (EIP-2200, EIP-2929, EIP-3529; every slot cold on first touch):
  *new* (zero → non-zero) 20,000 + 2,100 = **22,100**; *upd* (non-zero → other non-zero)
  2,900 + 2,100 = **5,000**; *clr* (non-zero → zero) 5,000 with a **4,800** refund, refunds
  capped at a fifth of the gas used.
- **logs**: 375 + 375 per topic (the event id included) + 8 per data byte. Only the one event
  per operation that the specification requires (ERC-20 `Transfer`/`Approval`, the ERC-1056
  events resolvers read, each domain's audit event) is counted, at its actual size.
- **DID read** (credentials): authority follows the issuer DID, so an anchor or a status change
  must read the DID's current owner from the ERC-1056 registry, another contract: a cold account
  access and a cold slot, 2,600 + 2,100 = **4,700**.
- Left out on purpose: other SLOADs, hashing, memory, signature recovery and call overhead — the
  floor is a lower bound, not an estimate.

What each operation cannot avoid (the *floor* column spells it out, e.g. `1 new, 1 upd, LOG3+32B`):

| operation | unavoidable state |
|---|---|
| ERC-20 transfer | sender balance upd; recipient balance new (fresh holder) or upd; `Transfer` |
| ERC-20 approve / permit | allowance new (+ the owner's permit nonce, new on the first permit); `Approval` |
| ERC-20 transferFrom | allowance upd, two balances upd; `Transfer` |
| DID change | one slot for the identity (owner and last-change block packed), new on the first change; a delegation its own slot (a revoked one may be cleared); the ERC-1056 event; signed: the signer's nonce |
| credential anchor | one new slot per credential (one per batch root); the anchoring event; the issuer DID's owner (DID read); signed: the signer's nonce |
| credential revoke | one status slot upd; the status event; the issuer DID's owner (DID read) |
| schema register | one new slot; the event publishing the document |
| consent grant / revoke / use | one new slot per consent (keyed by subject, grantee, scope, purpose) / one upd / one upd (the use counter); the audit event |
| route publish / link | the route's book (consent serial, uses, update time) and its digest, new or upd / the link slot and its consent's book; the publication or link event and `RouteConsentUsed`; the organisation's actor and the consent's two DIDs |
| route withdraw / unlink | the digest or the link cleared; the event; one party's actor |
| escrow create+fund | one new agreement slot (its state, keyed by the hash of id and terms); provider and escrow balances, both acceptance nonces and the permit nonce upd; `Transfer` and the event carrying the terms and the acceptances |
| escrow complete | the evidence hash new, the state slot upd; the completion event; calldata carries the terms |
| escrow settle, N payees | the state slot upd; one credit per payee (new the first time); the settlement event; calldata carries the terms |
| escrow withdraw | the credit cleared; escrow balance upd; payee balance new; `Transfer` (the token's event is the record) |
| whole flow | not modelled: the sum of the rows above for the steps the flow sends, against issue 17's budget |
"""  # noqa: E501

TRANSFER = event_topic("Transfer(address,address,uint256)")
APPROVAL = event_topic("Approval(address,address,uint256)")
TRANSFER_LOG = LogShape(3, 32)
APPROVAL_LOG = LogShape(3, 32)
