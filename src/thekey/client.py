"""The base of every typed contract client: one contract, one chain, one sending path."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Self

from eth_abi import decode, encode
from eth_account.signers.local import LocalAccount
from eth_utils import function_signature_to_4byte_selector, to_checksum_address
from web3.contract import Contract

from thekey.chain.abi import canonical_type
from thekey.chain.connection import Chain
from thekey.chain.transactions import Receipt
from thekey.eip712 import Domain, domain_of

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

    def nonce_of(self, signer: str) -> int:
        """The signer's next EIP-712 nonce (OpenZeppelin ``Nonces``) on a contract with signed actions."""
        return int(self._call("nonces", to_checksum_address(signer)))

    def _call(self, function: str, *args: Any) -> Any:
        return self.chain.call(getattr(self.contract.functions, function)(*args))

    def _call_bulk(self, function: str, *args: Any) -> Any:
        """``_call`` for views that take or return thousands of values: encodes and decodes with
        eth_abi directly, skipping web3's per-value normalisers (about 1 s per few thousand
        structs). Addresses come back in lower case."""
        abi = self.contract.get_function_by_name(function).abi
        inputs = [canonical_type(i) for i in abi["inputs"]]
        outputs = [canonical_type(o) for o in abi["outputs"]]
        data = function_signature_to_4byte_selector(f"{function}({','.join(inputs)})") + encode(inputs, list(args))
        raw = self.chain.rpc("eth_call", [{"to": self.address, "data": "0x" + data.hex()}, "latest"])
        values = decode(outputs, bytes.fromhex(str(raw)[2:]))
        return values[0] if len(values) == 1 else values

    def _send(self, sender: LocalAccount, function: str, *args: Any, value: int = 0) -> Receipt:
        return self.chain.transact(getattr(self.contract.functions, function)(*args), sender, value=value)

    def events(self, receipt: Receipt, name: str) -> list[dict[str, Any]]:
        return receipt.events(self.contract, name)
