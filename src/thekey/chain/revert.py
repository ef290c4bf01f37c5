"""Decode revert data into :class:`~thekey.errors.ContractRevert`.

Selectors are gathered from every ABI of the build (OpenZeppelin's included), plus the
built-in ``Error(string)`` and ``Panic(uint256)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import function_signature_to_4byte_selector

from thekey.chain.abi import canonical_type
from thekey.errors import ContractRevert
from thekey.hashing import keccak, to_checksum_address

PANIC_REASONS = {
    0x00: "generic compiler panic",
    0x01: "assert failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "invalid enum value",
    0x22: "corrupt storage byte array",
    0x31: "pop on empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory",
    0x51: "call to an uninitialised function",
}


class ErrorDecoder:
    """Decodes revert data by selector; labels enum arguments with their member names and role
    arguments with the role's name (``status=Settled``, ``neededRole=REGISTRAR_ROLE``)."""

    def __init__(self, abi_items: Iterable[dict[str, Any]], enums: Mapping[str, list[str]] | None = None) -> None:
        self._by_selector: dict[bytes, tuple[str, list[str], list[str]]] = {
            function_signature_to_4byte_selector("Error(string)"): ("Error", ["string"], ["message"]),
            function_signature_to_4byte_selector("Panic(uint256)"): ("Panic", ["uint256"], ["code"]),
        }
        self._enum_args: dict[bytes, dict[str, list[str]]] = {}
        self._roles: dict[bytes, str] = {bytes(32): "DEFAULT_ADMIN_ROLE"}
        enums = enums or {}
        for item in abi_items:
            if item.get("type") == "function" and item.get("name", "").endswith("_ROLE") and not item.get("inputs"):
                self._roles[keccak(text=item["name"])] = item["name"]
            if item.get("type") != "error":
                continue
            inputs = item.get("inputs", [])
            types = [canonical_type(i) for i in inputs]
            names = [i.get("name") or f"arg{n}" for n, i in enumerate(inputs)]
            selector = function_signature_to_4byte_selector(f"{item['name']}({','.join(types)})")
            self._by_selector[selector] = (item["name"], types, names)
            members = {
                name: enums[str(i["internalType"]).removeprefix("enum ")]
                for name, i in zip(names, inputs, strict=True)
                if str(i.get("internalType", "")).removeprefix("enum ") in enums
                and str(i.get("internalType", "")).startswith("enum ")
            }
            if members:
                self._enum_args[selector] = members

    def _labels(self, selector: bytes, args: dict[str, Any]) -> dict[str, str]:
        labels: dict[str, str] = {}
        for name, members in self._enum_args.get(selector, {}).items():
            value = int(args[name])
            if 0 <= value < len(members):
                labels[name] = members[value]
        for name, value in args.items():
            if "role" in name.lower() and isinstance(value, bytes) and value in self._roles:
                labels[name] = self._roles[value]
        return labels

    def selectors(self) -> dict[bytes, str]:
        return {sel: name for sel, (name, _, _) in self._by_selector.items()}

    def decode(self, data: bytes, tx_hash: str | None = None) -> ContractRevert:
        if len(data) < 4 or data[:4] not in self._by_selector:
            return ContractRevert(None, data=data, tx_hash=tx_hash)
        name, types, names = self._by_selector[data[:4]]
        try:
            values = decode(types, data[4:])
        except DecodingError:
            return ContractRevert(None, data=data, tx_hash=tx_hash)
        values = tuple(to_checksum_address(v) if t == "address" else v for t, v in zip(types, values, strict=True))
        args = dict(zip(names, values, strict=True))
        if name == "Panic":
            args["reason"] = PANIC_REASONS.get(int(args["code"]), "unknown panic code")
        return ContractRevert(name, args, data=data, tx_hash=tx_hash, labels=self._labels(data[:4], args))
