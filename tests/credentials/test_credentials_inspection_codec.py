"""The hand-written ``inspect`` codec equals eth_abi on every shape: no queries, single anchors,
batch members with proofs of any length, every report field at its extremes; malformed input
is refused."""

from __future__ import annotations

import pytest
from eth_abi import decode, encode
from hypothesis import given
from hypothesis import strategies as st

from thekey.credentials.anchoring import Query
from thekey.credentials.inspection import decode_reports, encode_queries

QUERY_TYPE = "(address,bytes32,bytes32,uint64,bytes32[])[]"
REPORT_TYPE = "(uint8,address,uint8,bytes32,uint64,uint64,uint64,uint64,bool,bool)[]"
ADDRESS = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
WORD = st.binary(min_size=32, max_size=32)
QUERIES = st.lists(
    st.builds(
        Query,
        ADDRESS,
        WORD,
        st.none() | WORD,
        st.integers(0, 2**64 - 1),
        st.lists(WORD, max_size=5).map(tuple),
    ),
    max_size=6,
)
U64 = st.integers(0, 2**64 - 1)
REPORTS = st.lists(
    st.tuples(st.integers(0, 8), ADDRESS, st.integers(0, 3), WORD, U64, U64, U64, U64, st.booleans(), st.booleans()),
    max_size=6,
)


@given(QUERIES)
def test_encode_queries__equals_eth_abi(queries: list[Query]) -> None:
    as_abi = [(q.issuer, q.credential_hash, q.root or bytes(32), q.status_index, list(q.proof)) for q in queries]
    assert encode_queries(queries) == encode([QUERY_TYPE], [as_abi])


@given(REPORTS)
def test_decode_reports__equals_eth_abi(reports: list[tuple]) -> None:  # type: ignore[type-arg]
    data = encode([REPORT_TYPE], [reports])
    (expected,) = decode([REPORT_TYPE], data)
    assert decode_reports(data) == [tuple(r) for r in expected]


def test_codec__refuses_malformed_input() -> None:
    with pytest.raises(ValueError, match="20-byte"):
        encode_queries([Query("0x1234", bytes(32))])
    with pytest.raises(ValueError, match="32 bytes"):
        encode_queries([Query("0x" + "11" * 20, b"short")])
    with pytest.raises(ValueError, match="uint64"):
        encode_queries([Query("0x" + "11" * 20, bytes(32), None, 2**64)])
    with pytest.raises(ValueError, match="too short"):
        decode_reports(encode([REPORT_TYPE], [[(0, "0x" + "11" * 20, 0, bytes(32), 0, 0, 0, 0, False, False)]])[:-32])
