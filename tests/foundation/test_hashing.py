"""thekey.hashing equals eth_utils: keccak of bytes, text and hex; EIP-55 checksums of any
spelling of an address; the same errors for what is not an address."""

from __future__ import annotations

import eth_utils
import pytest
from hypothesis import given
from hypothesis import strategies as st

from thekey.hashing import keccak, to_checksum_address


@given(st.binary(max_size=200), st.text(max_size=40))
def test_keccak__equals_eth_utils(data: bytes, text: str) -> None:
    assert keccak(data) == eth_utils.keccak(data)
    assert keccak(bytearray(data)) == keccak(memoryview(data)) == keccak(data)
    assert keccak(text=text) == eth_utils.keccak(text=text)
    assert keccak(hexstr="0x" + data.hex()) == keccak(hexstr=data.hex()) == eth_utils.keccak(hexstr=data.hex())


def test_keccak__refuses_what_is_not_bytes() -> None:
    with pytest.raises(TypeError):
        keccak("0xab")  # type: ignore[arg-type]  # a str must say text= or hexstr=


@given(st.binary(min_size=20, max_size=20))
def test_to_checksum_address__equals_eth_utils_for_every_spelling(raw: bytes) -> None:
    expected = eth_utils.to_checksum_address(raw)
    for spelling in (raw, "0x" + raw.hex(), raw.hex(), "0X" + raw.hex().upper(), expected.lower()):
        assert to_checksum_address(spelling) == expected


def test_to_checksum_address__refuses_what_is_not_an_address() -> None:
    for bad in ("0x1234", "0x" + "zz" * 20, "", b"\x01" * 19):
        with pytest.raises(ValueError):
            eth_utils.to_checksum_address(bad)
        with pytest.raises(ValueError):
            to_checksum_address(bad)
