"""The holder's wallet: the credentials a holder received, encrypted at rest in one portable file.

A credential arrives as one portable file: a W3C VC 2.0 JSON document, or an SD-JWT VC with
every disclosure (``<jwt>~<d>~…~``) — everything the holder needs to present it, the issuer's
store is never asked again. The wallet file is JSON::

    {"format": "thekey-wallet/1",
     "kdf": {"name": "scrypt", "n": 32768, "r": 8, "p": 1, "salt": <b64url>},
     "cipher": "A256GCM", "nonce": <b64url>, "ciphertext": <b64url>}

the ciphertext being AES-256-GCM (key from scrypt of the passphrase, the format string as
associated data) of ``{"credentials": [{"id", "format", "credential", "receivedAt"}]}``. A copy
of the file (``export``) is the holder's backup: on another machine ``import`` (or opening it
directly) with the passphrase gives back every credential. ``present`` makes an SD-JWT
presentation (chosen claims, KB-JWT) or a W3C VerifiablePresentation (EIP-712, challenge and
domain), both bound to the verifier's nonce and audience.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from eth_account import Account

from thekey.credentials.anchoring import CredentialRegistry
from thekey.credentials.canonical import credential_hash
from thekey.credentials.jws import b64url, b64url_decode
from thekey.credentials.presentation import create_presentation
from thekey.credentials.sdjwt import SdJwt, parse_sd_jwt, present
from thekey.credentials.sdjwt_verify import verify_sd_jwt
from thekey.credentials.vc import view
from thekey.credentials.verify import VerificationResult, verify_credential
from thekey.errors import BadInput
from thekey.identity.did import parse_did
from thekey.parsing import read_text

FORMAT = "thekey-wallet/1"
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
Kind = Literal["sd-jwt", "vc"]


def default_path() -> Path:
    return Path(os.environ.get("THEKEY_WALLET", Path.home() / ".thekey" / "wallet.json"))


@dataclass(frozen=True)
class HeldCredential:
    """One credential in the wallet; ``id`` is the hash its issuer anchored (0x…)."""

    id: str
    format: Kind
    credential: str | dict[str, Any]
    received_at: int

    def sd_jwt(self) -> SdJwt:
        if not isinstance(self.credential, str):
            raise BadInput(f"{self.id} is a W3C credential, not an SD-JWT VC")
        return parse_sd_jwt(self.credential)

    def summary(self) -> dict[str, Any]:
        """Issuer, subject, type, validity and claims (all of them: this is the holder's view)."""
        if isinstance(self.credential, str):
            sd = self.sd_jwt()
            p = sd.payload
            return {
                "id": self.id, "format": self.format, "issuer": p.get("iss"), "subject": p.get("sub"),
                "type": sd.credential_type, "validFrom": p.get("nbf"), "validUntil": p.get("exp"), "claims": sd.claims,
            }  # fmt: skip
        v = view(self.credential)
        claims = {k: val for k, val in self.credential.get("credentialSubject", {}).items() if k != "id"}
        return {
            "id": self.id, "format": self.format, "issuer": str(v.issuer), "subject": v.subject,
            "type": v.credential_type, "validFrom": v.valid_from, "validUntil": v.valid_until, "claims": claims,
        }  # fmt: skip

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "format": self.format, "credential": self.credential, "receivedAt": self.received_at}


def read_credential(data: str | dict[str, Any], received_at: int | None = None) -> HeldCredential:
    """A received portable credential: a W3C VC (JSON object or its text) or an SD-JWT VC."""
    at = int(time.time()) if received_at is None else received_at
    if isinstance(data, str) and data.lstrip().startswith("{"):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise BadInput(f"not a credential: JSON error {exc.msg}") from None
    if isinstance(data, dict):
        view(data)
        return HeldCredential("0x" + credential_hash(data).hex(), "vc", data, at)
    sd = parse_sd_jwt(data)
    if sd.kb_jwt is not None:
        raise BadInput("this is a presentation (it carries a KB-JWT), not a credential to keep")
    return HeldCredential("0x" + sd.hash.hex(), "sd-jwt", sd.compact(), at)


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    if not passphrase:
        raise BadInput("an empty wallet passphrase")
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode())


def seal(credentials: Iterable[HeldCredential], passphrase: str) -> dict[str, Any]:
    salt, nonce = os.urandom(16), os.urandom(12)
    plain = json.dumps({"credentials": [c.as_json() for c in credentials]}, separators=(",", ":")).encode()
    box = AESGCM(_key(passphrase, salt, **SCRYPT)).encrypt(nonce, plain, FORMAT.encode())
    return {
        "format": FORMAT,
        "kdf": {"name": "scrypt", **SCRYPT, "salt": b64url(salt)},
        "cipher": "A256GCM",
        "nonce": b64url(nonce),
        "ciphertext": b64url(box),
    }


def unseal(document: Any, passphrase: str) -> list[HeldCredential]:
    try:
        if document.get("format") != FORMAT or document.get("cipher") != "A256GCM":
            raise BadInput(f"not a {FORMAT} file")
        kdf = document["kdf"]
        if kdf.get("name") != "scrypt":
            raise BadInput("the wallet's key derivation is not scrypt")
        key = _key(passphrase, b64url_decode(kdf["salt"]), int(kdf["n"]), int(kdf["r"]), int(kdf["p"]))
        plain = AESGCM(key).decrypt(b64url_decode(document["nonce"]), b64url_decode(document["ciphertext"]),
                                    FORMAT.encode())  # fmt: skip
    except InvalidTag:
        raise BadInput("wrong passphrase, or the wallet file was altered") from None
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, BadInput):
            raise
        raise BadInput(f"not a {FORMAT} file") from None
    entries = json.loads(plain)["credentials"]
    return [
        HeldCredential(
            str(e["id"]), "sd-jwt" if e["format"] == "sd-jwt" else "vc", e["credential"], int(e["receivedAt"])
        )
        for e in entries
    ]


class Wallet:
    """A holder's credentials in an encrypted file; every change is written at once."""

    def __init__(self, path: Path | str | None, passphrase: str) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._passphrase = passphrase
        self._items: dict[str, HeldCredential] = {}
        if self.path.exists():
            for item in unseal(_read_json(self.path), passphrase):
                self._items[item.id] = item

    def save(self) -> None:
        _write_private(self.path, seal(self._items.values(), self._passphrase))

    def credentials(self) -> list[HeldCredential]:
        return sorted(self._items.values(), key=lambda c: c.received_at)  # stable: then in order received

    def get(self, ref: str) -> HeldCredential:
        """The credential whose id is ``ref`` or starts with it (a unique prefix, 0x… of 6+ digits)."""
        ref = ref.strip().lower()
        if ref in self._items:
            return self._items[ref]
        hits = [c for i, c in self._items.items() if len(ref) >= 8 and i.startswith(ref)]
        if len(hits) != 1:
            raise BadInput(f"no credential {ref!r} in the wallet" if not hits else f"{ref!r} names several credentials")
        return hits[0]

    def receive(self, data: str | dict[str, Any]) -> HeldCredential:
        """Keep a received credential (a W3C VC, or an SD-JWT VC with all its disclosures)."""
        item = read_credential(data)
        self._items[item.id] = self._items.get(item.id, item)
        self.save()
        return self._items[item.id]

    def remove(self, ref: str) -> None:
        del self._items[self.get(ref).id]
        self.save()

    def export(self, path: Path | str, passphrase: str | None = None) -> int:
        """Write every credential to ``path`` as a wallet file (under ``passphrase``, default this
        wallet's); returns how many."""
        _write_private(Path(path), seal(self._items.values(), passphrase or self._passphrase))
        return len(self._items)

    def import_file(self, path: Path | str, passphrase: str | None = None) -> int:
        """Add every credential of an exported wallet file; returns how many were new."""
        new = [c for c in unseal(_read_json(Path(path)), passphrase or self._passphrase) if c.id not in self._items]
        for c in new:
            self._items[c.id] = c
        self.save()
        return len(new)

    def status(self, registry: CredentialRegistry, ref: str) -> VerificationResult:
        """Every on-chain and offline check of a held credential (no key binding: the holder's own check)."""
        item = self.get(ref)
        if isinstance(item.credential, str):
            return verify_sd_jwt(registry, item.credential)
        return verify_credential(registry, item.credential)

    def present(
        self, ref: str, names: Iterable[str], holder_key: bytes, *, nonce: str, audience: str,
        issued_at: int | None = None,
    ) -> str:  # fmt: skip
        """A presentation bound to the verifier's ``nonce`` and ``audience`` by the holder's key:
        for an SD-JWT VC the chosen claims with a KB-JWT; for a W3C VC (presented whole, ``names``
        empty) a VerifiablePresentation signed as the subject DID (challenge = nonce, domain =
        audience; :mod:`thekey.credentials.presentation`), as JSON text."""
        item = self.get(ref)
        at = int(time.time()) if issued_at is None else issued_at
        if isinstance(item.credential, str):
            return present(item.sd_jwt(), names, holder_key, nonce=nonce, audience=audience, issued_at=at)
        if list(names):
            raise BadInput("a W3C credential is presented whole: choosing claims is for SD-JWT VCs")
        holder = view(item.credential).subject
        subject, signer = parse_did(holder), Account.from_key(holder_key)
        if signer.address != subject.address:
            raise BadInput(f"this credential's subject is {holder}, not the holder's key {signer.address}")
        vp = create_presentation([item.credential], signer, chain_id=subject.chain_id, challenge=nonce,
                                 domain=audience, holder=holder, created=at)  # fmt: skip
        return json.dumps(vp, indent=2)


def _read_json(path: Path) -> Any:
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise BadInput(f"{path} is not a wallet file (not JSON)") from None


def _write_private(path: Path, document: dict[str, Any]) -> None:
    """Write ``document`` readable by its owner only, replacing the file in one rename."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(json.dumps(document, indent=2) + "\n")
        os.replace(tmp, path)
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror}") from None
