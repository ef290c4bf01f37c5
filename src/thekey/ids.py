"""``Id``: the 32-byte identifiers of the suite (consent ids, schema ids, credential hashes, scopes…)
as a ``bytes`` that prints as ``0x``-hex, and ``HexFields``, which gives records such ids.

An ``Id`` is a ``bytes`` in every other way: it compares, hashes, slices and ABI-encodes as one, so
code that passes ``bytes`` keeps working; only ``repr``/``str``/f-strings read ``0x5f3a…``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Self

from thekey.errors import BadInput


class Id(bytes):
    """Bytes that print as 0x-hex. ``Id("0x…")`` parses hex; ``Id(b"…")`` wraps bytes."""

    def __new__(cls, value: bytes | bytearray | memoryview | str = b"") -> Self:
        if isinstance(value, str):
            try:
                value = bytes.fromhex(value.removeprefix("0x"))
            except ValueError:
                raise BadInput(f"not hex: {value!r}") from None
        return super().__new__(cls, value)

    def __repr__(self) -> str:
        return "0x" + self.hex()

    __str__ = __repr__


class HexFields:
    """A dataclass mixin: after ``__init__`` every field holding plain ``bytes`` holds an :class:`Id`
    (frozen dataclasses included), so a record's ``repr`` shows ``consent_id=0x5f3a…``."""

    _bytes_fields: ClassVar[dict[type, tuple[str, ...]]] = {}

    def __post_init__(self) -> None:
        names = HexFields._bytes_fields.get(type(self))
        if names is None:
            # only the fields annotated with bytes (``bytes``, ``bytes | None``) can hold bytes
            names = tuple(f.name for f in dataclasses.fields(self) if "bytes" in str(f.type))  # type: ignore[arg-type]
            HexFields._bytes_fields[type(self)] = names
        for name in names:
            value: Any = getattr(self, name)
            if type(value) is bytes:
                object.__setattr__(self, name, Id(value))
