"""``did:ethr`` identifiers: ``did:ethr[:<network>]:<address>``.

The network is a hex chain id (``0x7a69`` for 31337) or a configured network name; with no
network the DID names mainnet, as the did:ethr method specification says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from eth_utils import is_hex_address

from thekey.errors import BadInput
from thekey.hashing import to_checksum_address

NETWORK_NAMES: dict[str, int] = {"mainnet": 1, "sepolia": 11155111, "localhost": 31337, "dev": 31337}
_DID = re.compile(r"^did:ethr:(?:(?P<network>[a-zA-Z0-9_.-]+):)?(?P<id>0x[0-9a-fA-F]{40}|0x[0-9a-fA-F]{66})$")


@dataclass(frozen=True)
class EthrDID:
    chain_id: int
    address: str
    network: str | None = None  # as written in the DID (a name or hex chain id), None for mainnet

    def __str__(self) -> str:
        return did_for(self.chain_id, self.address, self.network)


def did_for(chain_id: int, address: str, network: str | None = None) -> str:
    """The DID of ``address`` on ``chain_id``; the network is written as ``network`` if given,
    else as the hex chain id (``did:ethr:0x7a69:0x…``)."""
    return f"did:ethr:{network or hex(chain_id)}:{to_checksum_address(address)}"


def parse_did(text: str, networks: dict[str, int] | None = None) -> EthrDID:
    """Parse a ``did:ethr`` DID; a public-key identifier (33 bytes) is reduced to its address."""
    if networks is None:
        return _parse_did_cached(text)
    return _parse_did(text, networks)


@lru_cache(maxsize=4096)
def _parse_did_cached(text: str) -> EthrDID:
    return _parse_did(text, None)


def _parse_did(text: str, networks: dict[str, int] | None) -> EthrDID:
    m = _DID.match(text.strip())
    if not m:
        raise BadInput(f"not a did:ethr DID: {text!r} (expected did:ethr:<network>:0x<40 hex digits>)")
    network = m.group("network")
    ident = m.group("id")
    if len(ident) == 68:
        from eth_keys import keys

        try:
            address = keys.PublicKey.from_compressed_bytes(bytes.fromhex(ident[2:])).to_checksum_address()
        except Exception:
            raise BadInput(f"not a valid compressed public key in {text!r}") from None
    else:
        if not is_hex_address(ident):
            raise BadInput(f"bad address in {text!r}")
        address = to_checksum_address(ident)
    if network is None:
        return EthrDID(1, address, None)
    if network.startswith("0x"):
        try:
            return EthrDID(int(network, 16), address, network)
        except ValueError:
            raise BadInput(f"bad chain id {network!r} in {text!r}") from None
    known = {**NETWORK_NAMES, **(networks or {})}
    if network not in known:
        raise BadInput(f"unknown network {network!r} in {text!r} (known: {', '.join(sorted(known))})")
    return EthrDID(known[network], address, network)


def parse_did_or_address(text: str, chain_id: int) -> EthrDID:
    """Accept either a DID or a bare address (taken on ``chain_id``)."""
    t = text.strip()
    if t.startswith("did:"):
        return parse_did(t)
    if not is_hex_address(t):
        raise BadInput(f"not a DID or an address: {text!r}")
    return EthrDID(chain_id, to_checksum_address(t), hex(chain_id))
