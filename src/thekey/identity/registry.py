"""The eID registry (ERC-1056 + EIP-712 signed changes) and the real-identity binding clients.

Every change has two paths: direct (the identity's owner sends the transaction) and signed
(the owner signs an EIP-712 message offline with :meth:`EIDRegistry.sign`, anyone relays it
with :meth:`EIDRegistry.relay` and pays the gas).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from eth_account.signers.local import LocalAccount

from thekey.chain.transactions import Receipt
from thekey.client import ContractClient
from thekey.eip712 import Domain, sign_typed_data, typed_data
from thekey.errors import BadInput
from thekey.hashing import keccak, to_checksum_address
from thekey.ids import HexFields
from thekey.parsing import is_digits

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
REGISTRAR_ROLE = keccak(text="REGISTRAR_ROLE")
DEFAULT_ADMIN_ROLE = b"\x00" * 32

# The EIP-712 message types of the signed changes (the contract's *_TYPEHASH preimages).
SIGNED_TYPES: dict[str, list[tuple[str, str]]] = {
    "ChangeOwner": [
        ("identity", "address"),
        ("newOwner", "address"),
        ("nonce", "uint256"),
        ("deadline", "uint256"),
    ],
    "AddDelegate": [
        ("identity", "address"),
        ("delegateType", "bytes32"),
        ("delegate", "address"),
        ("validity", "uint256"),
        ("nonce", "uint256"),
        ("deadline", "uint256"),
    ],
    "RevokeDelegate": [
        ("identity", "address"),
        ("delegateType", "bytes32"),
        ("delegate", "address"),
        ("nonce", "uint256"),
        ("deadline", "uint256"),
    ],
    "SetAttribute": [
        ("identity", "address"),
        ("name", "bytes32"),
        ("value", "bytes"),
        ("validity", "uint256"),
        ("nonce", "uint256"),
        ("deadline", "uint256"),
    ],
    "RevokeAttribute": [
        ("identity", "address"),
        ("name", "bytes32"),
        ("value", "bytes"),
        ("nonce", "uint256"),
        ("deadline", "uint256"),
    ],
    "Deactivate": [("identity", "address"), ("nonce", "uint256"), ("deadline", "uint256")],
}

# Reason codes of unbind / rebind (IIdentityBinding).
REASONS: dict[str, int] = {
    "key-lost": 1,
    "document-replaced": 2,
    "registrar-error": 3,
    "holder-request": 4,
    "fraud": 5,
    "deceased": 6,
}

# The function each signed action relays through and its arguments (before deadline, signature).
_RELAY: dict[str, tuple[str, tuple[str, ...]]] = {
    "ChangeOwner": ("changeOwnerBySig", ("identity", "newOwner")),
    "AddDelegate": ("addDelegateBySig", ("identity", "delegateType", "delegate", "validity")),
    "RevokeDelegate": ("revokeDelegateBySig", ("identity", "delegateType", "delegate")),
    "SetAttribute": ("setAttributeBySig", ("identity", "name", "value", "validity")),
    "RevokeAttribute": ("revokeAttributeBySig", ("identity", "name", "value")),
    "Deactivate": ("deactivateBySig", ("identity",)),
}


def name_bytes32(name: str | bytes) -> bytes:
    """A delegate type or attribute name as ERC-1056 stores it: UTF-8, right-padded to 32 bytes
    (``veriKey``, ``sigAuth``, ``did/pub/Secp256k1/veriKey/hex``, ``did/svc/HubService``)."""
    raw = name.encode() if isinstance(name, str) else bytes(name)
    if len(raw) > 32:
        raise BadInput(f"a delegate type or attribute name is at most 32 bytes: {name!r}")
    return raw.ljust(32, b"\x00")


@dataclass(frozen=True)
class SignedChange(HexFields):
    """A change of an identity signed by its owner, ready for anyone to relay."""

    action: str  # a key of SIGNED_TYPES
    message: dict[str, Any]  # the EIP-712 message (nonce included)
    signature: bytes

    @property
    def deadline(self) -> int:
        return int(self.message["deadline"])

    def to_json(self) -> dict[str, Any]:
        msg = {k: ("0x" + v.hex() if isinstance(v, bytes) else v) for k, v in self.message.items()}
        return {"action": self.action, "message": msg, "signature": "0x" + self.signature.hex()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SignedChange:
        """Parse :meth:`to_json`'s document; anything malformed raises :class:`BadInput`."""
        try:
            action = str(data["action"])
            if action not in SIGNED_TYPES:
                raise BadInput(f"unknown signed action {action!r} (one of {', '.join(SIGNED_TYPES)})")
            message: dict[str, Any] = {}
            for field, kind in SIGNED_TYPES[action]:
                value = data["message"][field]
                if kind in ("bytes", "bytes32"):
                    message[field] = bytes.fromhex(str(value).removeprefix("0x"))
                elif kind == "address":
                    message[field] = to_checksum_address(value)
                else:
                    message[field] = int(value)
            return cls(action, message, bytes.fromhex(str(data["signature"]).removeprefix("0x")))
        except BadInput:
            raise
        except (KeyError, IndexError, TypeError, ValueError, OverflowError) as exc:
            raise BadInput(
                "not a signed identity change (a JSON object with 'action', 'message' holding every signed "
                f"field, and a hex 'signature'): {type(exc).__name__}: {exc}"
            ) from None


def change_document(domain: Domain, action: str, message: dict[str, Any]) -> dict[str, Any]:
    """The EIP-712 document of a signed change."""
    if action not in SIGNED_TYPES:
        raise BadInput(f"unknown signed action {action!r}")
    return typed_data(domain, action, {action: SIGNED_TYPES[action]}, message)


@dataclass(frozen=True)
class Binding(HexFields):
    """A commitment's binding (``identity`` is the zero address when unbound)."""

    commitment: bytes
    identity: str
    bound_at: int
    registrar: str

    @property
    def bound(self) -> bool:
        return self.identity != ZERO_ADDRESS


class EIDRegistry(ContractClient):
    """``did:ethr`` identities: owner, delegates, attributes, deactivation (ERC-1056 compatible)."""

    ARTIFACT = "EIDRegistry"
    KEY = "identity"

    # -- reads ----------------------------------------------------------------------------
    def identity_owner(self, identity: str) -> str:
        """The controller; the zero address once deactivated (one raw ``eth_call``: verifiers ask
        it for every presentation)."""
        raw = self._call_raw("identityOwner(address)", bytes(12) + bytes.fromhex(to_checksum_address(identity)[2:]))
        return to_checksum_address(raw[12:32])

    def is_deactivated(self, identity: str) -> bool:
        return bool(self._call("isDeactivated", to_checksum_address(identity)))

    def changed(self, identity: str, block: int | str = "latest") -> int:
        fn = self.contract.functions.changed(to_checksum_address(identity))
        return int(self.chain.call(fn, block))

    def valid_delegate(self, identity: str, delegate_type: str | bytes, delegate: str) -> bool:
        return bool(
            self._call(
                "validDelegate",
                to_checksum_address(identity),
                name_bytes32(delegate_type),
                to_checksum_address(delegate),
            )
        )

    def delegate_valid_to(self, identity: str, delegate_type: str | bytes, delegate: str) -> int:
        """The raw expiry timestamp of a delegation (0 if never set)."""
        key = keccak(name_bytes32(delegate_type))
        return int(self._call("delegates", to_checksum_address(identity), key, to_checksum_address(delegate)))

    def version(self) -> str:
        return str(self._call("version"))

    # -- direct changes (the owner sends) -------------------------------------------------
    def change_owner(self, sender: LocalAccount, identity: str, new_owner: str) -> Receipt:
        return self._send(sender, "changeOwner", to_checksum_address(identity), to_checksum_address(new_owner))

    def deactivate(self, sender: LocalAccount, identity: str) -> Receipt:
        return self._send(sender, "deactivate", to_checksum_address(identity))

    def add_delegate(
        self, sender: LocalAccount, identity: str, delegate_type: str | bytes, delegate: str, validity: int
    ) -> Receipt:
        return self._send(
            sender,
            "addDelegate",
            to_checksum_address(identity),
            name_bytes32(delegate_type),
            to_checksum_address(delegate),
            validity,
        )

    def revoke_delegate(
        self, sender: LocalAccount, identity: str, delegate_type: str | bytes, delegate: str
    ) -> Receipt:
        return self._send(
            sender,
            "revokeDelegate",
            to_checksum_address(identity),
            name_bytes32(delegate_type),
            to_checksum_address(delegate),
        )

    def set_attribute(
        self, sender: LocalAccount, identity: str, name: str | bytes, value: bytes, validity: int
    ) -> Receipt:
        return self._send(sender, "setAttribute", to_checksum_address(identity), name_bytes32(name), value, validity)

    def revoke_attribute(self, sender: LocalAccount, identity: str, name: str | bytes, value: bytes) -> Receipt:
        return self._send(sender, "revokeAttribute", to_checksum_address(identity), name_bytes32(name), value)

    # -- signed changes (the owner signs, anyone relays) ----------------------------------
    def message(
        self, action: str, identity: str, deadline: int, *, nonce: int | None = None, **fields: Any
    ) -> dict[str, Any]:
        """The EIP-712 message of ``action`` on ``identity``; ``nonce`` defaults to the current
        owner's next nonce. ``fields``: new_owner, delegate_type, delegate, validity, name, value."""
        identity = to_checksum_address(identity)
        if nonce is None:
            owner = self.identity_owner(identity)
            if owner == ZERO_ADDRESS:
                raise BadInput(f"{identity} is deactivated: it can no longer change")
            nonce = self.nonce_of(owner)
        converters: dict[str, Callable[[], Any]] = {
            "newOwner": lambda: to_checksum_address(fields["new_owner"]),
            "delegateType": lambda: name_bytes32(fields["delegate_type"]),
            "delegate": lambda: to_checksum_address(fields["delegate"]),
            "validity": lambda: int(fields["validity"]),
            "name": lambda: name_bytes32(fields["name"]),
            "value": lambda: bytes(fields["value"]),
        }
        message: dict[str, Any] = {"identity": identity}
        try:
            for field, _kind in SIGNED_TYPES[action]:
                if field in converters:
                    message[field] = converters[field]()
        except KeyError as exc:
            raise BadInput(f"{action} needs {exc.args[0]}") from None
        message["nonce"] = nonce
        message["deadline"] = deadline
        return message

    def sign(
        self,
        owner: LocalAccount,
        action: str,
        identity: str,
        deadline: int,
        *,
        nonce: int | None = None,
        domain: Domain | None = None,
        **fields: Any,
    ) -> SignedChange:
        """Sign ``action`` offline as the identity's owner (see :meth:`message` for ``fields``).
        ``domain`` overrides this registry's EIP-712 domain (tests sign for other chains with it)."""
        if action not in SIGNED_TYPES:
            raise BadInput(f"unknown signed action {action!r} (one of {', '.join(SIGNED_TYPES)})")
        if nonce is None:
            nonce = self.nonce_of(owner.address)
        message = self.message(action, identity, deadline, nonce=nonce, **fields)
        document = change_document(domain or self.domain, action, message)
        return SignedChange(action, message, sign_typed_data(owner, document))

    def relay(self, sender: LocalAccount, change: SignedChange) -> Receipt:
        """Submit a signed change; ``sender`` pays the gas."""
        function, names = _RELAY[change.action]
        args = [change.message[n] for n in names]
        return self._send(sender, function, *args, change.deadline, change.signature)


class IdentityBinding(ContractClient):
    """Commitments of real-world documents bound one-to-one to DIDs by KYC'd registrars."""

    ARTIFACT = "IdentityBinding"
    KEY = "binding"

    # -- reads ----------------------------------------------------------------------------
    def binding_of(self, commitment: bytes) -> Binding:
        identity, bound_at, registrar = self._call("bindingOf", commitment)
        return Binding(commitment, to_checksum_address(identity), int(bound_at), to_checksum_address(registrar))

    def identity_of(self, commitment: bytes) -> str:
        return to_checksum_address(self._call("identityOf", commitment))

    def registrar_of(self, commitment: bytes) -> str:
        return to_checksum_address(self._call("registrarOf", commitment))

    def commitments_of(self, identity: str) -> list[bytes]:
        return [bytes(c) for c in self._call("commitmentsOf", to_checksum_address(identity))]

    def is_bound(self, identity: str) -> bool:
        return bool(self._call("isBound", to_checksum_address(identity)))

    def is_registrar(self, account: str) -> bool:
        return bool(self._call("hasRole", REGISTRAR_ROLE, to_checksum_address(account)))

    def registry(self) -> str:
        return to_checksum_address(self._call("registry"))

    def person_of(self, identity: str) -> bytes | None:
        """The person commitment bound to ``identity`` (None when unbound)."""
        p = bytes(self._call("personOf", to_checksum_address(identity)))
        return None if p == bytes(32) else p

    def identity_of_person(self, person: bytes) -> str | None:
        """The DID the person commitment ``person`` is bound to (None when unbound)."""
        a = to_checksum_address(self._call("identityOfPerson", person))
        return None if a == ZERO_ADDRESS else a

    # -- registrars -----------------------------------------------------------------------
    def bind(self, registrar: LocalAccount, commitment: bytes, person: bytes, identity: str) -> Receipt:
        """Bind document ``commitment`` of ``person`` (see ``person_commitment``) to ``identity``."""
        return self._send(registrar, "bind", commitment, person, to_checksum_address(identity))

    def unbind(self, sender: LocalAccount, commitment: bytes, reason: int) -> Receipt:
        """Remove a binding: ``sender`` is its registrar, an actor of its DID, or governance."""
        return self._send(sender, "unbind", commitment, reason)

    # -- moving a person to a new DID -------------------------------------------------------
    def rebind(self, governor: LocalAccount, old: str, new: str, reason: int) -> Receipt:
        """Governance moves the person of ``old`` and its documents to ``new`` (the lost-key path)."""
        return self._send(governor, "rebind", to_checksum_address(old), to_checksum_address(new), reason)

    def sign_rebind(
        self, signer: LocalAccount, old: str, new: str, reason: int, deadline: int, *, nonce: int | None = None
    ) -> SignedRebind:
        """The holder's word: an actor of ``old`` signs the move to ``new`` (submitted by ``new``)."""
        nonce = self.nonce_of(signer.address) if nonce is None else nonce
        rebind = SignedRebind(
            to_checksum_address(old), to_checksum_address(new), reason, signer.address, nonce, deadline, b""
        )
        signature = sign_typed_data(signer, typed_data(self.domain, "Rebind", REBIND_TYPES, rebind.message()))
        return replace(rebind, signature=signature)

    def rebind_by_sig(self, sender: LocalAccount, signed: SignedRebind) -> Receipt:
        """Submit a signed move; ``sender`` acts for the new DID."""
        return self._send(
            sender, "rebindBySig", signed.old, signed.new, signed.reason, signed.signer, signed.nonce,
            signed.deadline, signed.signature,
        )  # fmt: skip

    # -- governance -----------------------------------------------------------------------
    def admit_registrar(self, governor: LocalAccount, registrar: str) -> Receipt:
        return self._send(governor, "grantRole", REGISTRAR_ROLE, to_checksum_address(registrar))

    def remove_registrar(self, governor: LocalAccount, registrar: str) -> Receipt:
        return self._send(governor, "revokeRole", REGISTRAR_ROLE, to_checksum_address(registrar))


REBIND_TYPES: dict[str, list[tuple[str, str]]] = {
    "Rebind": [
        ("from", "address"),
        ("to", "address"),
        ("reason", "uint16"),
        ("signer", "address"),
        ("nonce", "uint256"),
        ("deadline", "uint256"),
    ]
}


@dataclass(frozen=True)
class SignedRebind(HexFields):
    """An actor of the old DID agrees that its person moves to the new DID."""

    old: str
    new: str
    reason: int
    signer: str
    nonce: int
    deadline: int
    signature: bytes

    def message(self) -> dict[str, Any]:
        return {
            "from": self.old, "to": self.new, "reason": self.reason, "signer": self.signer,
            "nonce": self.nonce, "deadline": self.deadline,
        }  # fmt: skip

    def document(self) -> dict[str, Any]:
        return {"type": "TheKeySignedRebind", **self.message(), "signature": "0x" + self.signature.hex()}

    @classmethod
    def from_document(cls, d: dict[str, Any]) -> SignedRebind:
        try:
            if d.get("type") != "TheKeySignedRebind":
                raise ValueError
            return cls(
                to_checksum_address(d["from"]), to_checksum_address(d["to"]), int(d["reason"]),
                to_checksum_address(d["signer"]), int(d["nonce"]), int(d["deadline"]),
                bytes.fromhex(str(d["signature"]).removeprefix("0x")),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError):
            raise BadInput(
                "not a signed-rebind document (type TheKeySignedRebind: from, to, reason, signer, nonce, "
                "deadline, signature)"
            ) from None


def parse_reason(text: str) -> int:
    """A reason code: a name from ``REASONS`` or a number 1-65535."""
    t = text.strip().lower()
    if t in REASONS:
        return REASONS[t]
    if is_digits(t) and 0 < int(t) < 2**16:
        return int(t)
    raise BadInput(f"bad reason {text!r}: one of {', '.join(REASONS)} or a number 1-65535")
