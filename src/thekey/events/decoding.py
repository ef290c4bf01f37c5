"""Suite events out of raw ``eth_getLogs`` entries: one decoder per deployment.

Each log of a suite contract is matched by (address, topic 0) to the event ABI of the contract's
artifact and decoded with the ABI codec once per event type (the types are prepared up front: an
index decodes tens of thousands of logs per second). Arguments become JSON values: bytes as
``0x`` hex, addresses checksummed, integers beyond 2^53 as decimal strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_utils import event_abi_to_log_topic

from thekey.deploy import Deployment
from thekey.hashing import keccak
from thekey.parsing import is_digits

JSON_SAFE = 2**53


@dataclass(slots=True)
class Event:
    """One suite event as indexed (read-only by convention: a frozen dataclass would slow
    indexing). ``key`` (block hash and log index) names it uniquely: the same transaction mined
    again in another block after a reorganisation is another event."""

    block: int
    block_hash: str
    log_index: int
    tx_hash: str
    timestamp: int
    contract: str
    address: str
    event: str
    args: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.block_hash}:{self.log_index}"

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "block": self.block, "blockHash": self.block_hash, "logIndex": self.log_index,
                "txHash": self.tx_hash, "timestamp": self.timestamp, "contract": self.contract,
                "address": self.address, "event": self.event, "args": self.args}  # fmt: skip


@lru_cache(maxsize=65_536)
def _address(raw: str) -> str:
    """EIP-55 checksum of a 0x address (cached: the same parties recur in every block)."""
    lower = raw[2:].lower()
    digest = keccak(text=lower).hex()
    return "0x" + "".join(c.upper() if int(d, 16) >= 8 else c for c, d in zip(lower, digest[:40], strict=True))


def plain(value: Any, kind: str = "") -> Any:
    """An ABI value as JSON (``kind`` is its ABI type; addresses come out checksummed)."""
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, str) and kind.startswith("address"):
        return _address(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < JSON_SAFE else str(value)
    if isinstance(value, (list, tuple)):
        inner = kind[: kind.rfind("[")] if kind.endswith("]") else ""
        return [plain(v, inner) for v in value]
    return value


def _uint(word: str) -> int | str:
    value = int(word, 16)
    return value if value < JSON_SAFE else str(value)


def _signed(word: str) -> int | str:
    value = int(word, 16)
    value = value - 2**256 if value >= 2**255 else value
    return value if abs(value) < JSON_SAFE else str(value)


def _word_expression(kind: str, word: str) -> str | None:
    """Python source of the JSON value of one ABI word (the variable ``word``: 64 lowercase hex
    digits) of a static elementary type; ``None`` for other types."""
    if kind == "address":
        return f"A('0x' + {word}[24:])"
    if kind == "bool":
        return f"(int({word}, 16) != 0)"
    if kind.startswith("uint"):
        return f"U({word})"
    if kind.startswith("int"):
        return f"S({word})"
    if kind.startswith("bytes") and is_digits(kind[5:]):
        return f"'0x' + {word}[:{2 * int(kind[5:])}]"
    return None


def _fast_args(topics: list[tuple[str, str]], data: list[tuple[str, str]]) -> Callable[[list[str], str], Any] | None:
    """The fast path: one function per event type, generated from its ABI, that reads each value
    straight from the hex words (the ABI codec's general machinery costs ~50 µs a value, 30 times
    this); ``None`` when a type is not static and elementary (the codec decodes those)."""
    fields = [(n, _word_expression(k, f"t[{i + 1}][2:].lower()")) for i, (n, k) in enumerate(topics)]
    fields += [(n, _word_expression(k, f"d[{64 * i}:{64 * i + 64}]")) for i, (n, k) in enumerate(data)]
    if any(expression is None for _, expression in fields):
        return None
    body = ", ".join(f"{name!r}: {expression}" for name, expression in fields)
    namespace: dict[str, Any] = {"A": _address, "U": _uint, "S": _signed}
    exec(
        f"def args(t, d):\n    d = d[2:].lower()\n    return {{{body}}}", namespace
    )  # names and types from the ABI only
    return namespace["args"]  # type: ignore[no-any-return]


def _type(item: dict[str, Any]) -> str:
    """The canonical ABI type of an input (tuples spelled out)."""
    kind = str(item["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(_type(c) for c in item["components"]) + ")" + kind[len("tuple") :]
    return kind


def _is_dynamic(kind: str) -> bool:
    return kind in ("string", "bytes") or kind.endswith("]") or kind.startswith("(")


class _EventType:
    """How to decode one event: each indexed input from its topic, the rest from the data."""

    def __init__(self, contract: str, item: dict[str, Any]) -> None:
        self.contract, self.name = contract, str(item["name"])
        inputs = item["inputs"]
        self.topics = [(str(i["name"]), _type(i)) for i in inputs if i.get("indexed")]
        self.data = [(str(i["name"]), _type(i)) for i in inputs if not i.get("indexed")]
        self.args = _fast_args(self.topics, self.data) or self._codec_args

    def _codec_args(self, topics: list[str], data: str) -> dict[str, Any]:
        args: dict[str, Any] = {}
        for (name, kind), topic in zip(self.topics, topics[1:], strict=True):
            word = bytes.fromhex(topic[2:])
            # an indexed dynamic value is logged as its hash only
            args[name] = "0x" + word.hex() if _is_dynamic(kind) else plain(abi_decode([kind], word)[0], kind)
        if self.data:
            values = abi_decode([k for _, k in self.data], bytes.fromhex(data[2:]))
            for (name, kind), value in zip(self.data, values, strict=True):
                args[name] = plain(value, kind)
        return args


class EventDecoder:
    """Decodes the logs of one deployment's contracts; other logs are skipped."""

    def __init__(self, deployment: Deployment) -> None:
        self._types: dict[tuple[str, str], _EventType] = {}
        artifacts = deployment.chain.artifacts
        for key, entry in deployment.manifest["contracts"].items():
            address = str(entry["address"]).lower()
            for item in artifacts.get(entry["name"]).abi:
                if item.get("type") != "event" or item.get("anonymous"):
                    continue
                topic = "0x" + event_abi_to_log_topic(item).hex()  # type: ignore[arg-type]
                self._types[(address, topic)] = _EventType(key, item)
        self.addresses = sorted({_address(a) for a, _ in self._types})
        self.names = frozenset(t.name for t in self._types.values())

    def decode(self, logs: Iterable[dict[str, Any]], timestamps: dict[int, int]) -> Iterator[Event]:
        """The suite events among ``logs`` (``timestamps`` maps each of their blocks to its time)."""
        for log in logs:
            topics = log.get("topics") or []
            if not topics or log.get("removed"):
                continue
            kind = self._types.get((log["address"].lower(), topics[0].lower()))
            if kind is None:
                continue
            block = int(log["blockNumber"], 16)
            yield Event(block, log["blockHash"], int(log["logIndex"], 16), log["transactionHash"], timestamps[block],
                        kind.contract, _address(log["address"]), kind.name, kind.args(topics, log["data"]))  # fmt: skip
