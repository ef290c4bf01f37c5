"""Status lists: index allocation, VC ``credentialStatus`` entries, and W3C Bitstring Status
List export (``BitstringStatusListCredential``, GZIP + base64url multibase ``u``).

On chain each issuer has one list held as 256-bit words of 128 two-bit cells (bit 2e =
revoked, bit 2e+1 = suspended for entry e of a word). Index 128·k is reserved (its bit marks the
word as allocated) and is never given to a credential; exports clear it.

A list is named either by a URN (``urn:thekey:status:<chain>:<registry>:<issuer>:<purpose>``,
which nothing fetches) or, when the issuer publishes through a gateway (``thekey serve``), by
the stable URL ``<base>/status-lists/<chain>/<registry>/<issuer>/<purpose>`` that serves it as a
signed ``BitstringStatusListCredential``. Both name the same on-chain list; the SDK reads the
chain either way.
"""

from __future__ import annotations

import base64
import gzip
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import urlsplit

from thekey.errors import BadInput
from thekey.hashing import to_checksum_address
from thekey.identity.did import did_for

ENTRIES_PER_WORD = 128
MIN_LIST_BITS = 131_072  # the W3C minimum (16 KiB), for herd privacy
Purpose = Literal["revocation", "suspension"]
PURPOSES: tuple[Purpose, ...] = ("revocation", "suspension")
LIST_PATH = "status-lists"  # <base>/status-lists/<chain>/<registry>/<issuer>/<purpose>


def is_reserved(index: int) -> bool:
    return index % ENTRIES_PER_WORD == 0


def allocate(start: int, count: int) -> list[int]:
    """``count`` status indexes from ``start`` on, skipping reserved ones."""
    if count < 1:
        raise BadInput("allocate at least one status index")
    out: list[int] = []
    i = start
    while len(out) < count:
        if not is_reserved(i):
            out.append(i)
        i += 1
    return out


def list_url(chain_id: int, registry: str, issuer: str, purpose: Purpose, base: str | None = None) -> str:
    """The name of an issuer's on-chain list for one purpose: a URN, or under ``base`` (an HTTP(S)
    URL where a gateway serves it) the list credential's URL."""
    registry, issuer = to_checksum_address(registry), to_checksum_address(issuer)
    if base is None:
        return f"urn:thekey:status:{chain_id}:{registry}:{issuer}:{purpose}"
    return f"{check_base_url(base)}/{LIST_PATH}/{chain_id}/{registry}/{issuer}/{purpose}"


def check_base_url(base: str) -> str:
    """``base`` without a trailing slash, once it is an absolute http(s) URL with no query or fragment."""
    try:
        parts = urlsplit(base)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise BadInput(
            f"a status list base URL is an http(s) URL with a host, an optional path and no query, not {base!r}"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise BadInput(
            f"a status list base URL is an http(s) URL with a host, an optional path and no query, not {base!r}"
        )
    return base.rstrip("/")


@lru_cache(maxsize=1024)
def parse_list_url(url: str) -> tuple[int, str, str, Purpose]:
    """(chain id, registry, issuer, purpose) of a list's URN or gateway URL."""
    if url.startswith(("http://", "https://")):
        try:
            parts = urlsplit(url)
        except ValueError:
            raise BadInput(f"not a TheKey status list URI: {url!r}") from None
        segments = parts.path.split("/")
        fields = segments[-5:] if len(segments) >= 6 and segments[-5] == LIST_PATH else None
        names = None if fields is None or parts.query or parts.fragment else fields[1:]
    else:
        pieces = url.split(":")
        names = pieces[3:] if len(pieces) == 7 and pieces[:3] == ["urn", "thekey", "status"] else None
    if names is None or names[3] not in PURPOSES:
        raise BadInput(f"not a TheKey status list URI: {url!r}")
    try:
        chain_id = int(names[0])
        registry, issuer = to_checksum_address(names[1]), to_checksum_address(names[2])
    except ValueError:
        raise BadInput(f"not a TheKey status list URI: {url!r}") from None
    purpose: Purpose = "revocation" if names[3] == "revocation" else "suspension"
    return chain_id, registry, issuer, purpose


def status_entries(
    chain_id: int, registry: str, issuer: str, index: int, base: str | None = None
) -> list[dict[str, Any]]:
    """The VC ``credentialStatus`` entries (revocation and suspension) for ``index``; with
    ``base`` their ``statusListCredential`` is the gateway URL of the list."""
    if index < 1 or is_reserved(index):
        raise BadInput(f"status index {index} is reserved")
    out = []
    for purpose in PURPOSES:
        url = list_url(chain_id, registry, issuer, purpose, base)
        out.append(
            {
                "id": f"{url}#{index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose,
                "statusListIndex": str(index),
                "statusListCredential": url,
            }
        )
    return out


@dataclass(frozen=True)
class StatusPointer:
    chain_id: int
    registry: str
    issuer: str
    index: int


def status_pointer(credential: dict[str, Any]) -> StatusPointer:
    """The (registry, issuer list, index) a credential's ``credentialStatus`` points at."""
    entries = credential.get("credentialStatus")
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list) or not entries:
        raise BadInput("the credential has no credentialStatus")
    pointers = set()
    for e in entries:
        try:
            chain_id, registry, issuer, _ = parse_list_url(str(e["statusListCredential"]))
            pointers.add(StatusPointer(chain_id, registry, issuer, int(e["statusListIndex"])))
        except (KeyError, TypeError, ValueError):
            raise BadInput("malformed credentialStatus entry") from None
    if len(pointers) != 1:
        raise BadInput("the credentialStatus entries disagree")
    return pointers.pop()


def words_to_bits(words: Sequence[int], purpose: Purpose) -> bytearray:
    """The W3C bitstring of one purpose (bit i = index i, most significant bit first)."""
    shift = 0 if purpose == "revocation" else 1
    n = len(words) * ENTRIES_PER_WORD
    bits = bytearray((max(n, MIN_LIST_BITS) + 7) // 8)
    for w, word in enumerate(words):
        for e in range(1, ENTRIES_PER_WORD):  # entry 0 is reserved
            if (word >> (2 * e + shift)) & 1:
                i = w * ENTRIES_PER_WORD + e
                bits[i // 8] |= 0x80 >> (i % 8)
    return bits


_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


def encode_list(bits: bytes | bytearray) -> str:
    """GZIP, then multibase base64url without padding (prefix ``u``), as the W3C spec says."""
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip("=")


def decode_list(encoded: str) -> bytes:
    """The bitstring of an ``encodedList``. Anything malformed or empty is an error, never an
    empty list: a corrupted list must not read as "nothing revoked"."""
    if not encoded.startswith("u"):
        raise BadInput("an encodedList is multibase base64url (prefix 'u')")
    data = encoded[1:]
    if not _BASE64URL.fullmatch(data):
        raise BadInput("an encodedList holds base64url characters only (A-Z a-z 0-9 - _)")
    try:
        bits = gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    except (ValueError, OSError, EOFError) as exc:
        raise BadInput(f"not a GZIP base64url bitstring: {exc}") from None
    if not bits:
        raise BadInput("an empty status list")
    return bits


def bit_at(bits: bytes, index: int) -> bool:
    """Entry ``index`` of a bitstring; an index the list does not cover is an error."""
    if not 0 <= index < len(bits) * 8:
        raise BadInput(f"status index {index} is outside the list ({len(bits) * 8} entries)")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(
    chain_id: int,
    registry: str,
    issuer: str,
    purpose: Purpose,
    words: Sequence[int],
    valid_from: str,
    *,
    base: str | None = None,
    valid_until: str | None = None,
    ttl_ms: int | None = None,
) -> dict[str, Any]:
    """A standard ``BitstringStatusListCredential`` (unsigned) exporting one purpose of a list;
    with ``base`` its ``id`` is the gateway URL, ``ttl_ms`` is the spec's cache hint."""
    url = list_url(chain_id, registry, issuer, purpose, base)
    subject: dict[str, Any] = {
        "id": f"{url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": encode_list(words_to_bits(words, purpose)),
    }
    if ttl_ms is not None:
        subject["ttl"] = ttl_ms
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did_for(chain_id, issuer),
        "validFrom": valid_from,
        **({"validUntil": valid_until} if valid_until is not None else {}),
        "credentialSubject": subject,
    }
