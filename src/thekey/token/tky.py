"""The TKY token client: balances, transfers, allowances, EIP-2612 permits, minting, rewards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount

from thekey.chain.transactions import Receipt
from thekey.client import ContractClient
from thekey.eip712 import Domain, sign_typed_data, split_signature, typed_data
from thekey.hashing import keccak, to_checksum_address
from thekey.ids import HexFields

PERMIT_TYPES = {
    "Permit": [
        ("owner", "address"),
        ("spender", "address"),
        ("value", "uint256"),
        ("nonce", "uint256"),
        ("deadline", "uint256"),
    ]
}
MINTER_ROLE = keccak(text="MINTER_ROLE")
REWARDER_ROLE = keccak(text="REWARDER_ROLE")
DEFAULT_ADMIN_ROLE = b"\x00" * 32


@dataclass(frozen=True)
class Permit(HexFields):
    """A signed EIP-2612 permit, ready to submit by anyone."""

    owner: str
    spender: str
    value: int
    deadline: int
    signature: bytes

    @property
    def vrs(self) -> tuple[int, bytes, bytes]:
        return split_signature(self.signature)


def permit_document(domain: Domain, owner: str, spender: str, value: int, nonce: int, deadline: int) -> dict[str, Any]:
    """The EIP-712 document an owner signs to allow ``spender`` ``value`` until ``deadline``."""
    message = {
        "owner": to_checksum_address(owner),
        "spender": to_checksum_address(spender),
        "value": value,
        "nonce": nonce,
        "deadline": deadline,
    }
    return typed_data(domain, "Permit", PERMIT_TYPES, message)


class Token(ContractClient):
    ARTIFACT = "TheKeyToken"
    KEY = "token"

    # -- reads ----------------------------------------------------------------------------
    def name(self) -> str:
        return str(self._call("name"))

    def symbol(self) -> str:
        return str(self._call("symbol"))

    def decimals(self) -> int:
        return int(self._call("decimals"))

    def total_supply(self) -> int:
        return int(self._call("totalSupply"))

    def cap(self) -> int:
        return int(self._call("cap"))

    def balance_of(self, account: str) -> int:
        return int(self._call("balanceOf", to_checksum_address(account)))

    def allowance(self, owner: str, spender: str) -> int:
        return int(self._call("allowance", to_checksum_address(owner), to_checksum_address(spender)))

    def has_role(self, role: bytes, account: str) -> bool:
        return bool(self._call("hasRole", role, to_checksum_address(account)))

    # -- holder actions -------------------------------------------------------------------
    def transfer(self, sender: LocalAccount, to: str, amount: int) -> Receipt:
        return self._send(sender, "transfer", to_checksum_address(to), amount)

    def approve(self, sender: LocalAccount, spender: str, amount: int) -> Receipt:
        return self._send(sender, "approve", to_checksum_address(spender), amount)

    def transfer_from(self, sender: LocalAccount, owner: str, to: str, amount: int) -> Receipt:
        return self._send(sender, "transferFrom", to_checksum_address(owner), to_checksum_address(to), amount)

    def burn(self, sender: LocalAccount, amount: int) -> Receipt:
        return self._send(sender, "burn", amount)

    # -- permits --------------------------------------------------------------------------
    def sign_permit(
        self,
        owner: LocalAccount,
        spender: str,
        value: int,
        deadline: int,
        *,
        nonce: int | None = None,
        domain: Domain | None = None,
    ) -> Permit:
        """Sign a permit offline. ``nonce`` defaults to the owner's current on-chain nonce."""
        nonce = self.nonce_of(owner.address) if nonce is None else nonce
        doc = permit_document(domain or self.domain, owner.address, spender, value, nonce, deadline)
        return Permit(owner.address, to_checksum_address(spender), value, deadline, sign_typed_data(owner, doc))

    def permit(self, sender: LocalAccount, permit: Permit) -> Receipt:
        """Submit a signed permit (``sender`` pays the gas; anyone may)."""
        v, r, s = permit.vrs
        return self._send(sender, "permit", permit.owner, permit.spender, permit.value, permit.deadline, v, r, s)

    # -- privileged -----------------------------------------------------------------------
    def mint(self, sender: LocalAccount, to: str, amount: int) -> Receipt:
        return self._send(sender, "mint", to_checksum_address(to), amount)

    def reward(self, sender: LocalAccount, account: str, amount: int, reason_code: bytes) -> Receipt:
        return self._send(sender, "reward", to_checksum_address(account), amount, reason_code)

    def grant_role(self, sender: LocalAccount, role: bytes, account: str) -> Receipt:
        return self._send(sender, "grantRole", role, to_checksum_address(account))

    def revoke_role(self, sender: LocalAccount, role: bytes, account: str) -> Receipt:
        return self._send(sender, "revokeRole", role, to_checksum_address(account))
