"""Building blocks for the signature attack set every EIP-712 action is tested against.

valid · replayed · wrong signer · expired (and exactly at the deadline) · another chain id ·
another contract · another action's typehash · malleable ``s``.
"""

from __future__ import annotations

from dataclasses import replace

from thekey.eip712 import Domain, malleate

__all__ = ["malleate", "other_chain", "other_contract"]

OTHER_CONTRACT = "0x000000000000000000000000000000000000dEaD"


def other_chain(domain: Domain, chain_id: int = 1) -> Domain:
    """The same domain on another chain (a signature made for it must not verify here)."""
    return replace(domain, chain_id=chain_id)


def other_contract(domain: Domain, address: str = OTHER_CONTRACT) -> Domain:
    """The same domain for another verifying contract."""
    return replace(domain, verifying_contract=address)
