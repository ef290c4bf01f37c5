"""The base of every typed contract client: one contract, one chain, one sending path."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Self

from eth_account.signers.local import LocalAccount
from eth_utils import function_signature_to_4byte_selector
from web3.contract import Contract

from thekey.chain.connection import Chain
from thekey.chain.transactions import Receipt
from thekey.eip712 import Domain, domain_of
from thekey.errors import BadInput
from thekey.hashing import to_checksum_address

if TYPE_CHECKING:
    from thekey.deploy import Deployment


class ContractClient:
    """Subclasses name their compiled contract (``ARTIFACT``) and manifest key (``KEY``)."""

    ARTIFACT: ClassVar[str]
    KEY: ClassVar[str]

    def __init__(self, chain: Chain, address: str) -> None:
        self.chain = chain
        self.contract: Contract = chain.contract(self.ARTIFACT, address)

    @classmethod
    def from_deployment(cls, deployment: Deployment) -> Self:
        return cls(deployment.chain, deployment.address(cls.KEY))

    @property
    def address(self) -> str:
        return str(self.contract.address)

    @cached_property
    def domain(self) -> Domain:
        """This contract's EIP-712 domain, as it reports it (ERC-5267)."""
        return domain_of(self.contract)

    def nonce_of(self, signer: str, key: int = 0) -> int:
        """The signer's next EIP-712 nonce in lane ``key`` (``SignerNonces``: the lane in the high
        192 bits, the sequence in the low 64; lane 0 is ``nonces(signer)``)."""
        who = to_checksum_address(signer)
        if key == 0:
            return int(self._call("nonces", who))
        self._require_keyed_nonces()
        return int(self.chain.call(self.contract.get_function_by_signature("nonces(address,uint192)")(who, key)))

    def invalidate_nonces(self, sender: LocalAccount, key: int = 0, count: int = 1) -> Receipt:
        """Burn the sender's next ``count`` nonces of lane ``key``: every signature over them is
        void for ever (emits ``NoncesInvalidated``)."""
        self._require_keyed_nonces()
        if not 0 <= key < 2**192:
            raise BadInput(f"a nonce lane is 0 to 2^192-1, not {key}")
        if not 1 <= count <= 65_535:
            raise BadInput(f"cancel 1 to 65,535 nonces at once, not {count}")
        return self._send(sender, "invalidateNonces", key, count)

    def _require_keyed_nonces(self) -> None:
        if not any(i.get("name") == "invalidateNonces" for i in self.contract.abi):
            raise BadInput(f"{self.ARTIFACT} has no cancellable nonces")

    def _call(self, function: str, *args: Any) -> Any:
        return self.chain.call(getattr(self.contract.functions, function)(*args))

    def _call_raw(self, signature: str, arguments: bytes) -> bytes:
        """An ``eth_call`` of ``signature`` with arguments the caller ABI-encoded itself (for views
        that take or return thousands of values, where generic encoding dominates)."""
        data = function_signature_to_4byte_selector(signature) + arguments
        raw = self.chain.rpc("eth_call", [{"to": self.address, "data": "0x" + data.hex()}, "latest"])
        return bytes.fromhex(str(raw)[2:])

    def _send(self, sender: LocalAccount, function: str, *args: Any, value: int = 0) -> Receipt:
        return self.chain.transact(getattr(self.contract.functions, function)(*args), sender, value=value)

    def events(self, receipt: Receipt, name: str) -> list[dict[str, Any]]:
        return receipt.events(self.contract, name)
