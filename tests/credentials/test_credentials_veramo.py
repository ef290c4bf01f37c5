"""Interop with Veramo 7's EthereumEip712Signature2021 (``@veramo/credential-eip712``), its
did:ethr issuer resolved by ``ethr-did-resolver`` against our ERC-1056 registry on Anvil:
our credentials verify in Veramo, Veramo's verify in ours (signature ok, not anchored)."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain.anvil import Anvil
from thekey.cli.common import Session
from thekey.cli.main import main
from thekey.credentials import anchor_credential, verify_credentials
from thekey.credentials.status import status_entries
from thekey.credentials.vc import build_credential
from thekey.deploy import Deployment
from thekey.identity.did import did_for

from .conftest import CLAIMS, DEGREE, Env

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "tests" / "support" / "veramo_eip712.mjs"


@pytest.fixture
def veramo(anvil: Anvil, deployment: Deployment, env: Env) -> Any:
    """``veramo(**request)``: run the Veramo script against this chain and identity registry."""
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed")
    if not (ROOT / "node_modules" / "@veramo" / "credential-eip712").is_dir():
        pytest.skip("@veramo/credential-eip712 is not installed (npm ci)")

    def run(**request: Any) -> Any:
        config = {"rpcUrl": anvil.url, "registry": deployment.address("identity"), "chainId": env.chain.chain_id}
        out = subprocess.run(
            [shutil.which("node") or "node", str(SCRIPT), json.dumps({**config, **request})],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    return run


def test_veramo__verifies_our_credentials_and_refuses_tampered_ones(veramo: Any, env: Env) -> None:
    single = env.issue()
    anchor_credential(env.registry, env.issuer, single)
    nested = env.issue(claims={"degree": "BSc", "year": 2026})
    tampered = copy.deepcopy(single.credential)
    tampered["credentialSubject"]["degree"] = "PhD"
    other = copy.deepcopy(single.credential)
    other["proof"]["created"] = "2000-01-01T00:00:00Z"
    results = veramo(verify=[single.credential, nested.credential, tampered, other])
    assert [r["verified"] for r in results] == [True, True, False, False], results
    assert "invalid_signature" in results[2]["error"]


def _payload(env: Env, issuer: LocalAccount) -> dict[str, Any]:
    """A TheKey-shaped credential payload for Veramo (issuer set by the script). Veramo's types
    generator cannot type an array of objects, so credentialStatus is the one revocation entry."""
    chain_id = env.chain.chain_id
    vc = build_credential(
        issuer=did_for(chain_id, issuer.address),
        subject=env.holder_did,
        credential_type=DEGREE,
        claims=CLAIMS,
        schema_id=env.schema_id,
        valid_from=env.chain.timestamp() - 60,
        valid_until=None,
        status=status_entries(chain_id, env.registry.address, issuer.address, 7),
    )
    vc["credentialStatus"] = vc["credentialStatus"][0]
    return {k: v for k, v in vc.items() if k != "issuer"}


def test_veramo__its_credentials_verify_here_and_are_reported_not_anchored(
    veramo: Any, env: Env, accounts: list[LocalAccount]
) -> None:
    issued = veramo(issue=_payload(env, env.issuer), privateKey="0x" + bytes(env.issuer.key).hex())
    assert issued["proof"]["type"] == "EthereumEip712Signature2021"
    assert issued["proof"]["eip712"]["domain"] == {
        "chainId": env.chain.chain_id,
        "name": "VerifiableCredential",
        "version": "1",
    }
    assert veramo(verify=[issued]) == [{"verified": True, "error": None}]
    stranger = veramo(issue=_payload(env, accounts[9]), privateKey="0x" + bytes(accounts[9].key).hex())
    tampered = copy.deepcopy(issued)
    tampered["issuanceDate"] = "2001-01-01T00:00:00.000Z"
    ours, by_stranger, bad = verify_credentials(env.registry, [issued, stranger, tampered])
    assert ours.check("signature").ok, ours.checks  # type: ignore[union-attr]
    assert "by the issuer " + env.issuer.address in ours.check("signature").reason  # type: ignore[union-attr]
    assert ours.check("anchor").reason == "the credential hash is not anchored"  # type: ignore[union-attr]
    assert ours.failed == {"anchor", "status"}
    assert by_stranger.check("signature").ok and "issuer" in by_stranger.failed  # type: ignore[union-attr]
    assert "signature" in bad.failed


@pytest.mark.parametrize("kind", ["JwtProof2020", "DataIntegrityProof"])
def test_cli__a_foreign_proof_type_is_one_line_and_exit_1(
    env: Env, tmp_path: Path, kind: str, anvil: Anvil, deployment: Deployment, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setattr(Session, "deployment", lambda self, chain=None: deployment)
    vc = {**env.issue().credential, "proof": {"type": kind, "jwt": "eyJ.x.y"}}
    path = tmp_path / "vc.json"
    path.write_text(json.dumps(vc))
    code = main(["credential", "verify", str(path), "--rpc-url", anvil.url])
    out, err = capsys.readouterr()
    assert code == 1 and f"unsupported proof type {kind}" in out + err and "Traceback" not in out + err
    line = next(x for x in (out + err).splitlines() if "unsupported proof type" in x)
    assert "{" not in line and "(" not in line  # the reason, not a repr
