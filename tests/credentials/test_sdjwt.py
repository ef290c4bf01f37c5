"""SD-JWT VCs: issued by a did:ethr issuer (ES256K), anchored, presented with a KB-JWT, and
verified against the chain; each tampering, replay and status change fails with its own check."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from thekey.credentials.issuance import next_status_indexes
from thekey.credentials.jws import b64url, b64url_decode, public_jwk, sign_compact, split_compact
from thekey.credentials.sdjwt import (
    Disclosure,
    SdJwt,
    anchor_sd_jwt,
    issue_sd_jwt,
    parse_sd_jwt,
    present,
    status_in_list,
    status_list_token,
)
from thekey.credentials.sdjwt_verify import verify_sd_jwt
from thekey.errors import BadInput
from thekey.hashing import keccak
from thekey.identity.registry import EIDRegistry

from .conftest import CLAIMS, DEGREE, DEGREE_SCHEMA, YEAR, Env

VERIFIER = "https://employer.example/verifier"
REASON = keccak(text="degree withdrawn")


def issue(env: Env, *, anchor: bool = True, **overrides: Any) -> SdJwt:
    now = env.chain.timestamp()
    (index,) = next_status_indexes(env.registry, env.issuer.address, 1)
    args: dict[str, Any] = dict(
        holder_jwk=public_jwk(bytes(env.holder.key)), subject=env.holder_did, credential_type=DEGREE,
        claims=CLAIMS, schema_id=env.schema_id, valid_from=now, valid_until=now + YEAR, status_index=index,
    )  # fmt: skip
    sd = issue_sd_jwt(env.registry, env.issuer, **{**args, **overrides})
    if anchor:
        anchor_sd_jwt(env.registry, env.issuer, sd)
    return sd


def shown(env: Env, sd: SdJwt, names: list[str], nonce: str = "n-1", audience: str = VERIFIER) -> str:
    return present(sd, names, bytes(env.holder.key), nonce=nonce, audience=audience, issued_at=int(time.time()))


def test_sdjwt__format_is_standard_and_hides_every_claim(env: Env) -> None:
    sd = issue(env, anchor=False)
    assert sd.header == {"alg": "ES256K", "typ": "dc+sd-jwt", "kid": f"did:ethr:0x7a69:{env.issuer.address}#controller"}
    p = sd.payload
    assert p["iss"] == f"did:ethr:0x7a69:{env.issuer.address}" and p["sub"] == env.holder_did
    assert p["vct"] == f"urn:thekey:vct:{DEGREE}:0x{env.schema_id.hex()}"
    assert p["cnf"] == {"jwk": public_jwk(bytes(env.holder.key))}
    assert p["status"]["status_list"]["idx"] == sd.status_index and p["_sd_alg"] == "sha-256"
    assert sorted(p["_sd"]) == p["_sd"] and len(p["_sd"]) == len(CLAIMS)
    assert not {"degree", "gpa", "year"} & set(p) and "BSc" not in b64url_decode(sd.jwt.split(".")[1]).decode()
    assert sd.claims == CLAIMS and sd.compact().endswith("~")
    # low-S R||S signature (RFC 8812)
    r_s = sd.signature
    assert (
        len(r_s) == 64
        and int.from_bytes(r_s[32:], "big") <= 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0
    )
    # salts are 128 random bits, fresh per claim and per credential
    other = issue(env, anchor=False)
    assert {d.salt for d in sd.disclosures}.isdisjoint({d.salt for d in other.disclosures})
    assert all(len(b64url_decode(d.salt)) == 16 for d in sd.disclosures)


def test_sdjwt__presentation_of_chosen_claims_verifies_every_check(env: Env) -> None:
    sd = issue(env)
    text = shown(env, sd, ["degree", "year"])
    assert "gpa" not in json.dumps([d.name for d in parse_sd_jwt(text).disclosures])
    result = verify_sd_jwt(env.registry, text, nonce="n-1", audience=VERIFIER)
    assert result.valid, result.failures
    assert result.claims == {"degree": CLAIMS["degree"], "year": CLAIMS["year"]}
    assert [c.name for c in result.checks] == [
        "signature", "disclosures", "issuer", "type", "anchor", "status", "validity", "schema",
        "holder-binding", "subject", "audience", "nonce", "freshness",
    ]  # fmt: skip
    assert result.credential_hash == sd.hash and result.issuer == sd.payload["iss"]


def test_sdjwt__replay_to_another_verifier_wrong_challenge_and_stale_each_fail_alone(env: Env) -> None:
    text = shown(env, issue(env), ["degree"])
    assert verify_sd_jwt(env.registry, text, nonce="n-1", audience="https://other.example").failed == {"audience"}
    assert verify_sd_jwt(env.registry, text, nonce="n-2", audience=VERIFIER).failed == {"nonce"}
    later = time.time() + 3_600
    assert verify_sd_jwt(env.registry, text, nonce="n-1", audience=VERIFIER, now=later).failed == {"freshness"}


def test_sdjwt__presentation_without_kb_jwt_or_by_another_key_fails_holder_binding(env: Env) -> None:
    sd = issue(env)
    bare = sd.without_key_binding()
    assert verify_sd_jwt(env.registry, bare, nonce="n", audience=VERIFIER).failed == {"holder-binding"}
    # a thief with the credential file signs the KB-JWT with its own key
    body = SdJwt(sd.jwt, sd.header, sd.payload, sd.signing_input, sd.signature, sd.disclosures[:1], None)
    kb = {"iat": int(time.time()), "aud": VERIFIER, "nonce": "n", "sd_hash": _sd_hash(body.without_key_binding())}
    stolen = body.without_key_binding() + sign_compact({"typ": "kb+jwt"}, kb, bytes(env.stranger.key))
    check = verify_sd_jwt(env.registry, stolen, nonce="n", audience=VERIFIER).check("holder-binding")
    assert check is not None and check.reason == "the KB-JWT is not signed by the credential's holder key (cnf)"
    # the holder's own KB-JWT over other disclosures does not carry over (sd_hash)
    honest = shown(env, sd, ["degree"], nonce="n")
    swapped = sd.jwt + "~" + sd.disclosures[1].encoded + "~" + honest.rsplit("~", 1)[1]
    check = verify_sd_jwt(env.registry, swapped, nonce="n", audience=VERIFIER).check("holder-binding")
    assert check is not None and "sd_hash" in check.reason
    with pytest.raises(BadInput, match="bound to another key"):
        present(sd, ["degree"], bytes(env.stranger.key), nonce="n", audience=VERIFIER, issued_at=0)


def _sd_hash(text: str) -> str:
    import hashlib

    return b64url(hashlib.sha256(text.encode()).digest())


def test_sdjwt__altered_or_invented_disclosure_fails_disclosures(env: Env) -> None:
    sd = issue(env)
    forged = Disclosure.make("degree", "PhD Astrophysics")
    text = sd.jwt + "~" + forged.encoded + "~"
    result = verify_sd_jwt(env.registry, text)
    assert result.failed == {"disclosures"} and "degree" in (result.check("disclosures") or result.checks[0]).reason
    twice = sd.jwt + "~" + sd.disclosures[0].encoded + "~" + sd.disclosures[0].encoded + "~"
    assert verify_sd_jwt(env.registry, twice).failed == {"disclosures"}
    # an issuer-signed _sd that lists a digest twice is refused too (RFC 9901), whoever signed it
    _, payload, _, _ = split_compact(sd.jwt)
    payload["_sd"] = payload["_sd"] + payload["_sd"][:1]
    doubled = sign_compact(sd.header, payload, bytes(env.issuer.key)) + "~"
    check = verify_sd_jwt(env.registry, doubled).check("disclosures")
    assert check is not None and check.reason == "a digest appears twice in _sd"


def test_sdjwt__payload_altered_breaks_signature_and_anchor(env: Env) -> None:
    sd = issue(env)
    _, payload, _, _ = split_compact(sd.jwt)
    payload["exp"] = payload["exp"] + YEAR
    parts = sd.jwt.split(".")
    tampered = f"{parts[0]}.{b64url(json.dumps(payload).encode())}.{parts[2]}~"
    assert {"signature", "anchor"} <= verify_sd_jwt(env.registry, tampered).failed


def test_sdjwt__issuer_key_that_no_longer_controls_the_did_fails_signature(env: Env, deployment: Any) -> None:
    sd = issue(env)
    assert verify_sd_jwt(env.registry, sd.compact()).valid
    EIDRegistry.from_deployment(deployment).change_owner(env.issuer, env.issuer.address, env.relayer.address)
    check = verify_sd_jwt(env.registry, sd.compact()).check("signature")
    assert check is not None and not check.ok and env.relayer.address in check.reason


def test_sdjwt__holder_key_that_no_longer_controls_the_subject_did_fails_subject(env: Env, deployment: Any) -> None:
    sd = issue(env)
    text = shown(env, sd, ["degree"])
    identities = EIDRegistry.from_deployment(deployment)
    identities.change_owner(env.holder, env.holder.address, env.relayer.address)  # the subject rotated its key
    result = verify_sd_jwt(env.registry, text, nonce="n-1", audience=VERIFIER)
    check = result.check("subject")
    assert result.failed == {"subject"} and check is not None and env.holder.address in check.reason
    # the new controller may keep the old key as a signing delegate: then it presents again
    identities.add_delegate(env.relayer, env.holder.address, "sigAuth", env.holder.address, 3_600)
    assert verify_sd_jwt(env.registry, text, nonce="n-1", audience=VERIFIER).valid


def test_sdjwt__not_anchored_or_signed_by_a_non_issuer_fails(env: Env) -> None:
    assert verify_sd_jwt(env.registry, issue(env, anchor=False).compact()).failed == {"anchor", "status"}
    rogue = issue_sd_jwt(
        env.registry, env.stranger, holder_jwk=public_jwk(bytes(env.holder.key)), subject=env.holder_did,
        credential_type=DEGREE, claims=CLAIMS, schema_id=env.schema_id, valid_from=env.chain.timestamp(),
        valid_until=None, status_index=1,
    )  # fmt: skip
    assert {"issuer", "anchor"} <= verify_sd_jwt(env.registry, rogue.compact()).failed


def test_sdjwt__revoked_and_suspended_read_from_the_on_chain_status_list(env: Env) -> None:
    sd = issue(env)
    text = shown(env, sd, ["degree"])
    env.registry.suspend(env.issuer, sd.hash, REASON)
    check = verify_sd_jwt(env.registry, text, nonce="n-1", audience=VERIFIER).check("status")
    assert check is not None and check.reason == "suspended"
    token = status_list_token(env.registry, env.issuer, env.chain.timestamp())
    assert status_in_list(split_compact(token)[1]["status_list"], sd.status_index) == 2  # SUSPENDED
    env.registry.reinstate(env.issuer, sd.hash, REASON)
    env.registry.revoke(env.issuer, sd.hash, REASON)
    result = verify_sd_jwt(env.registry, text, nonce="n-1", audience=VERIFIER)
    assert result.failed == {"status"} and (result.check("status") or result.checks[0]).reason == "revoked"
    token = status_list_token(env.registry, env.issuer, env.chain.timestamp())
    assert status_in_list(split_compact(token)[1]["status_list"], sd.status_index) == 1  # INVALID


def test_sdjwt__expired_and_schema_violating_claims_fail_their_checks(env: Env) -> None:
    now = env.chain.timestamp()
    short = issue(env, valid_until=now + 60)
    env.chain.increase_time(120)
    env.chain.mine()
    assert verify_sd_jwt(env.registry, short.compact()).failed == {"validity"}
    bad = issue(env, claims={"degree": "BSc", "gpa": 900})
    assert verify_sd_jwt(env.registry, bad.compact()).failed == {"schema"}
    assert verify_sd_jwt(env.registry, bad.jwt + "~" + bad.disclosures[0].encoded + "~").valid  # gpa withheld


@pytest.mark.parametrize(
    "text",
    ["", "not-a-jwt~", "a.b.c~", "e30.e30.AAAA~", "eyJhbGciOiJub25lIn0.e30.~"],
    ids=["empty", "garbage", "bad-parts", "short-signature", "alg-none"],
)
def test_sdjwt__malformed_input_is_one_format_failure(env: Env, text: str) -> None:
    result = verify_sd_jwt(env.registry, text)
    assert not result.valid and [c.name for c in result.checks] == ["format"]


def test_sdjwt__reserved_claim_names_cannot_be_disclosed(env: Env) -> None:
    with pytest.raises(BadInput, match="reserved"):
        issue(env, anchor=False, claims={"iss": "did:ethr:0x7a69:0x0000000000000000000000000000000000000001"})


def test_sdjwt__a_known_schema_document_is_used_but_checked_against_the_on_chain_id(env: Env) -> None:
    sd = issue(env)
    assert verify_sd_jwt(env.registry, sd.compact(), schemas={env.schema_id: DEGREE_SCHEMA}).valid
    other = {**DEGREE_SCHEMA, "title": "a look-alike"}
    result = verify_sd_jwt(env.registry, sd.compact(), schemas={env.schema_id: other})
    assert result.failed == {"schema"} and "does not hash" in (result.check("schema") or result.checks[0]).reason
