"""The decoder against web3's reference ``get_event_data``: every event of every suite contract,
with values at the edges of their types (beyond 2^53, negative, zero), decodes to the same values
through the generated fast path and through the ABI codec path."""

from __future__ import annotations

import random
from typing import Any

from eth_abi.abi import encode
from eth_utils import event_abi_to_log_topic
from web3._utils.events import get_event_data

from thekey.deploy import Deployment
from thekey.events.decoding import EventDecoder, _EventType, _type, plain
from thekey.hashing import keccak, to_checksum_address


def sample(kind: str, rng: random.Random) -> Any:
    if kind.endswith("]"):
        return [sample(kind[: kind.rfind("[")], rng) for _ in range(rng.randint(0, 3))]
    if kind == "address":
        return to_checksum_address("0x" + rng.randbytes(20).hex())
    if kind == "bool":
        return rng.random() < 0.5
    if kind.startswith("uint"):
        bits = int(kind[4:] or 256)
        return rng.choice([0, 1, min(2**53, 2**bits - 1), 2**bits - 1, rng.getrandbits(bits)])
    if kind.startswith("int"):
        bits = int(kind[3:] or 256)
        return rng.choice([-1, -(2 ** (bits - 1)), 2 ** (bits - 1) - 1, 0])
    if kind.startswith("bytes") and kind[5:]:
        return rng.randbytes(int(kind[5:]))
    if kind == "bytes":
        return rng.randbytes(rng.randint(0, 70))
    if kind == "string":
        return "x" * rng.randint(0, 40)
    raise AssertionError(f"no sample for {kind}")


def topic(kind: str, value: Any) -> bytes:
    if kind in ("string", "bytes") or kind.endswith("]"):
        return keccak(value.encode() if isinstance(value, str) else encode([kind], [value]))
    return encode([kind], [value])


def test_decoder__every_suite_event_decodes_as_web3_does_on_both_paths(deployment: Deployment) -> None:
    decoder, rng, checked = EventDecoder(deployment), random.Random(15), 0
    codec = deployment.chain.w3.codec
    for key, entry in deployment.manifest["contracts"].items():
        address = entry["address"]
        for item in deployment.chain.artifacts.get(entry["name"]).abi:
            if item.get("type") != "event" or item.get("anonymous"):
                continue
            for _ in range(3):
                values = {i["name"]: sample(_type(i), rng) for i in item["inputs"]}
                indexed = [i for i in item["inputs"] if i.get("indexed")]
                rest = [i for i in item["inputs"] if not i.get("indexed")]
                topics = [event_abi_to_log_topic(item), *(topic(_type(i), values[i["name"]]) for i in indexed)]
                data = encode([_type(i) for i in rest], [values[i["name"]] for i in rest])
                log = {
                    "address": address.lower(),
                    "topics": ["0x" + t.hex() for t in topics],
                    "data": "0x" + data.hex(),
                    "blockNumber": "0x7",
                    "blockHash": "0x" + "ab" * 32,
                    "logIndex": "0x2",
                    "transactionHash": "0x" + "cd" * 32,
                    "transactionIndex": "0x0",
                }
                (event,) = decoder.decode([log], {7: 1_700_000_000})
                reference = get_event_data(
                    codec,
                    item,
                    {**log, "address": address, "topics": topics, "data": data, "blockNumber": 7, "logIndex": 2},
                )  # type: ignore[arg-type]
                expected = {k: plain(v, next(_type(i) for i in item["inputs"] if i["name"] == k))
                            for k, v in reference["args"].items()}  # fmt: skip
                assert (event.contract, event.event, event.key) == (key, item["name"], "0x" + "ab" * 32 + ":2")
                assert event.args == expected, item["name"]
                assert _EventType(key, item)._codec_args(log["topics"], log["data"]) == expected, item["name"]
                checked += 1
    assert checked > 100
