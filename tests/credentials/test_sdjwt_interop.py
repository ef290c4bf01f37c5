"""Interop with the reference SD-JWT VC library (npm ``@sd-jwt/sd-jwt-vc`` 0.19, ES256K over
node:crypto): it verifies the SD-JWT VCs we issue (signature by the issuer's key, disclosures,
KB-JWT, and the status through our Status List Token), and we verify the presentations it makes."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from thekey.credentials.jws import b64url, public_jwk
from thekey.credentials.sdjwt import parse_sd_jwt, present, status_list_token
from thekey.credentials.sdjwt_verify import verify_sd_jwt
from thekey.hashing import keccak

from .conftest import CLAIMS, Env
from .test_sdjwt import VERIFIER, issue

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "tests" / "support" / "sdjwt_vc.mjs"


def reference(**request: Any) -> dict[str, Any]:
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed")
    if not (ROOT / "node_modules" / "@sd-jwt" / "sd-jwt-vc").is_dir():
        pytest.skip("@sd-jwt/sd-jwt-vc is not installed (npm ci)")
    out = subprocess.run(
        [shutil.which("node") or "node", str(SCRIPT), json.dumps(request)],
        capture_output=True, text=True, timeout=60, check=False, cwd=ROOT,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def _verify(env: Env, sdjwt: str, nonce: str | None = None) -> dict[str, Any]:
    return reference(
        mode="verify", sdjwt=sdjwt, issuerJwk=public_jwk(bytes(env.issuer.key)), nonce=nonce,
        statusListJwt=status_list_token(env.registry, env.issuer, env.chain.timestamp()),
        currentDate=env.chain.timestamp(),
    )  # fmt: skip


def test_reference_library__verifies_our_credential_and_our_presentation(env: Env) -> None:
    sd = issue(env)
    got = _verify(env, sd.compact())
    assert got["ok"], got
    assert {k: got["payload"][k] for k in CLAIMS} == CLAIMS and got["payload"]["vct"] == sd.payload["vct"]
    ours = present(sd, ["degree", "year"], bytes(env.holder.key), nonce="n-42", audience=VERIFIER,
                   issued_at=env.chain.timestamp())  # fmt: skip
    got = _verify(env, ours, nonce="n-42")
    assert got["ok"], got
    assert "gpa" not in got["payload"] and got["payload"]["degree"] == CLAIMS["degree"]
    assert got["kb"]["aud"] == VERIFIER and got["kb"]["nonce"] == "n-42"


def test_reference_library__refuses_a_revoked_credential_and_a_forged_one(env: Env) -> None:
    sd = issue(env)
    env.registry.revoke(env.issuer, sd.hash, keccak(text="withdrawn"))
    got = _verify(env, sd.compact())
    assert not got["ok"] and "Status is not valid" in got["error"]
    other = issue(env)
    forged = other.jwt + "~" + b64url(json.dumps(["c2FsdA", "degree", "PhD"]).encode()) + "~"
    got = _verify(env, forged)  # the library drops a disclosure no digest names (we refuse it outright)
    assert not got["ok"] or "degree" not in got["payload"]
    # signed by another key than the issuer's
    assert not reference(mode="verify", sdjwt=other.compact(), issuerJwk=public_jwk(bytes(env.stranger.key)),
                         statusListJwt="", currentDate=env.chain.timestamp())["ok"]  # fmt: skip


def test_we_verify_the_reference_librarys_presentation(env: Env) -> None:
    sd = issue(env)
    holder = {**public_jwk(bytes(env.holder.key)), "d": b64url(bytes(env.holder.key))}
    made = reference(mode="present", sdjwt=sd.compact(), holderJwk=holder, frame={"degree": True, "year": True},
                     nonce="n-7", aud=VERIFIER, iat=int(time.time()))  # fmt: skip
    assert made["ok"], made
    presentation = made["presentation"]
    assert parse_sd_jwt(presentation).claims == {"degree": CLAIMS["degree"], "year": CLAIMS["year"]}
    result = verify_sd_jwt(env.registry, presentation, nonce="n-7", audience=VERIFIER)
    assert result.valid, result.failures
    assert verify_sd_jwt(env.registry, presentation, nonce="n-8", audience=VERIFIER).failed == {"nonce"}
