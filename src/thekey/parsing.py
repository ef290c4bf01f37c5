"""Parsers for everything a user types: addresses, amounts, hashes, times, durations.

Each raises :class:`~thekey.errors.BadInput` with one clear sentence on bad input.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from eth_utils import is_checksum_address, is_hex_address

from thekey.errors import BadInput
from thekey.hashing import keccak, to_checksum_address
from thekey.ids import Id

UINT256_MAX = 2**256 - 1
_DURATION = re.compile(r"^(\d+)\s*([smhdw]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def is_digits(text: str) -> bool:
    """True when ``text`` is one or more ASCII digits 0-9 (``str.isdigit`` also takes "²" or "٣",
    which ``int`` refuses or reads as a number nobody typed)."""
    return text.isascii() and text.isdigit()


def parse_address(text: str) -> str:
    """A 20-byte hex address; mixed case must be a valid EIP-55 checksum."""
    t = text.strip()
    if not is_hex_address(t):
        raise BadInput(f"not an address: {text!r} (expected 0x followed by 40 hex digits)")
    if t[2:] != t[2:].lower() and t[2:] != t[2:].upper() and not is_checksum_address(t):
        raise BadInput(f"bad EIP-55 checksum in address {text!r}")
    return to_checksum_address(t)


def parse_party(text: str) -> str:
    """A party named by a ``did:ethr`` DID or a bare address; returns the address. (A DID's chain
    is checked where the node is known.)"""
    t = text.strip()
    if t.startswith("did:"):
        from thekey.identity.did import parse_did

        return parse_did(t).address
    return parse_address(t)


def parse_amount(text: str | int, decimals: int = 18) -> int:
    """A token amount in whole units (``"1.5"`` TKY) or in wei with a ``wei`` suffix; returns wei."""
    if isinstance(text, int):
        value = text
    else:
        t = text.strip().replace("_", "").lower()
        try:
            if t.endswith("wei"):
                value = int(t[:-3].strip(), 10)
            else:
                d = Decimal(t)
                if not d.is_finite():
                    raise InvalidOperation
                scaled = d.scaleb(decimals)
                if scaled != scaled.to_integral_value():
                    raise BadInput(f"amount {text!r} has more than {decimals} decimals")
                value = int(scaled)
        except (InvalidOperation, ValueError):
            raise BadInput(f"not an amount: {text!r} (e.g. 12.5 or 1000wei)") from None
    if value < 0:
        raise BadInput(f"amount must not be negative: {text!r}")
    if value > UINT256_MAX:
        raise BadInput(f"amount too large: {text!r}")
    return value


def format_amount(wei: int, decimals: int = 18) -> str:
    """Whole units with no trailing zeros (``1500000000000000000`` → ``"1.5"``)."""
    d = Decimal(wei).scaleb(-decimals)
    s = format(d, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


def parse_bytes32(text: str) -> bytes:
    """A 32-byte value as 0x-hex (64 digits)."""
    t = text.strip()
    if not re.fullmatch(r"0x[0-9a-fA-F]{64}", t):
        raise BadInput(f"not a 32-byte hex value: {text!r}")
    return bytes.fromhex(t[2:])


def label_hash(text: str) -> bytes:
    """keccak256 of a human-readable label (purpose, scope, reason code...), or the value itself
    when ``text`` already is 32-byte hex."""
    t = text.strip()
    if not t:
        raise BadInput("an empty label")
    if re.fullmatch(r"0x[0-9a-fA-F]{64}", t):
        return Id(t)
    return Id(keccak(text=t))


def parse_duration(text: str) -> int:
    """Seconds from ``"90"``, ``"15m"``, ``"2h"``, ``"30d"``, ``"1w"``."""
    m = _DURATION.match(text.strip().lower())
    if not m:
        raise BadInput(f"not a duration: {text!r} (e.g. 3600, 15m, 2h, 30d, 1w)")
    return int(m.group(1)) * _UNITS[m.group(2)]


def format_duration(seconds: int) -> str:
    """The inverse of :func:`parse_duration` for display: ``86400`` → ``"1d"``, ``5400`` → ``"1h30m"``."""
    if seconds == 0:
        return "0s"
    parts, rest = [], seconds
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(parts)


def iso_time(timestamp: int) -> str:
    """UNIX seconds as ISO 8601 UTC (``2026-12-07T01:11:35Z``), the form every output uses."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> int:
    """A UNIX timestamp from an integer or an ISO 8601 date/time (UTC when no zone is given)."""
    t = text.strip()
    if is_digits(t):
        return int(t)
    try:
        dt = datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"not a time: {text!r} (UNIX seconds or ISO 8601, e.g. 2027-01-31T12:00Z)") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    ts = int(dt.timestamp())
    if ts < 0:
        raise BadInput(f"time before 1970: {text!r}")
    return ts


def read_bytes(path: Path | str) -> bytes:
    """The bytes of a file the user named; BadInput when it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError:  # the operating system takes no file name holding a NUL character
        raise BadInput(f"cannot read {str(path)!r}: a file name cannot hold a NUL character") from None


def read_text(path: Path | str) -> str:
    """The UTF-8 text of a file the user named; BadInput when it cannot be read or is not text."""
    data = read_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None


def read_json(path: Path | str) -> Any:
    """The JSON document in a file the user named; BadInput when it cannot be read or is not JSON."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path} is not JSON: {exc.msg} (line {exc.lineno})") from None
    except RecursionError:
        raise BadInput(f"{path} is not JSON this tool reads: nested too deeply") from None
