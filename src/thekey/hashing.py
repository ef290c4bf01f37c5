"""Keccak-256 and EIP-55 checksummed addresses, fast enough for thousands per second.

``eth_utils.keccak`` goes through eth-hash's pycryptodome backend at about 5.5 µs a call, and
``eth_utils.to_checksum_address`` (one keccak plus validation) at about 18 µs; verifying a
credential needs a dozen of each. Here keccak is safe-pysha3's C ``keccak_256`` (about 0.6 µs),
and checksums are computed with it and memoised (a verifier sees the same few issuer and
registry addresses over and over). Both keep eth_utils' signatures and results (tested
against it), so they replace it everywhere in the package.
"""

from __future__ import annotations

import re
from functools import lru_cache

import eth_utils
from eth_typing import ChecksumAddress, HexAddress, HexStr
from sha3 import keccak_256  # safe-pysha3

_HEX_ADDRESS = re.compile(r"^(0x|0X)?[0-9a-fA-F]{40}$")


def keccak(primitive: bytes | bytearray | memoryview | None = None, *, text: str | None = None,
           hexstr: str | None = None) -> bytes:  # fmt: skip
    """keccak-256 of bytes, of a str's UTF-8 (``text=``) or of a hex string (``hexstr=``)."""
    if text is not None:
        data: bytes | bytearray | memoryview = text.encode()
    elif hexstr is not None:
        data = bytes.fromhex(hexstr[2:] if hexstr[:2] in ("0x", "0X") else hexstr)
    elif isinstance(primitive, bytes | bytearray | memoryview):
        data = primitive
    else:
        raise TypeError(f"keccak takes bytes, text= or hexstr=, not {type(primitive).__name__}")
    return bytes(keccak_256(data).digest())


def to_checksum_address(value: str | bytes) -> ChecksumAddress:
    """The EIP-55 form of a 20-byte address given as hex (any case, with or without 0x) or bytes;
    anything else raises eth_utils' ``ValueError``/``TypeError``."""
    if isinstance(value, str) and _HEX_ADDRESS.match(value):
        return _checksum(value[-40:].lower())
    if isinstance(value, bytes) and len(value) == 20:
        return _checksum(value.hex())
    return eth_utils.to_checksum_address(value)


@lru_cache(maxsize=1 << 16)
def _checksum(lower: str) -> ChecksumAddress:
    nibbles = keccak_256(lower.encode()).hexdigest()[:40]
    mixed = "".join(c.upper() if n in "89abcdef" else c for c, n in zip(lower, nibbles, strict=True))
    return ChecksumAddress(HexAddress(HexStr("0x" + mixed)))
