"""The package as an integrator gets it: ``python -m build`` makes the sdist and, from it, the wheel;
the wheel goes into a fresh virtualenv; every command then runs from an empty folder outside the
checkout, with no Node.js (nor Anvil) on PATH, against local nodes this test starts.

One test, because building and installing is the cost (about a minute) and every step needs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

from thekey.chain import Anvil

ROOT = Path(__file__).resolve().parents[2]
ISSUER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # dev account 1
HOLDER = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"  # dev account 3
DEGREE = "UniversityDegreeCredential"
SCHEMA = {"type": "object", "properties": {"degree": {"type": "string"}}, "required": ["degree"]}


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, check=False, **kwargs)  # type: ignore[call-overload, no-any-return]


@pytest.mark.timeout(600)
def test_wheel__installed_in_a_clean_venv_every_command_works_outside_the_checkout_without_node(
    tmp_path: Path,
) -> None:
    dist, venv, home, work = (tmp_path / d for d in ("dist", "venv", "home", "work"))
    for folder in (home, work):
        folder.mkdir()
    assert _run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    # the dependencies go in while the package builds (the wheel's own install then only checks them)
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    with subprocess.Popen([*pip, *dependencies], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as deps:
        built = _run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], cwd=tmp_path)
        _, deps_err = deps.communicate(timeout=300)
    assert built.returncode == 0, built.stderr[-3000:]
    assert deps.returncode == 0, deps_err[-3000:]
    (sdist,) = dist.glob("thekey-*.tar.gz")
    (wheel,) = dist.glob("thekey-*.whl")
    with tarfile.open(sdist) as tar:
        assert any(n.endswith("src/thekey/contracts_data/suite.json") for n in tar.getnames())

    installed = _run([*pip, str(wheel)])
    assert installed.returncode == 0, installed.stderr[-3000:]

    env = {"PATH": str(venv / "bin"), "HOME": str(home), "LANG": "C.UTF-8", "TMPDIR": str(tmp_path)}
    assert shutil.which("node", path=env["PATH"]) is None and shutil.which("anvil", path=env["PATH"]) is None
    for leak in ("THEKEY_ROOT", "THEKEY_ANVIL", "THEKEY_HOME", "THEKEY_RPC_URL", "THEKEY_NETWORK"):
        assert leak not in env

    def thekey(*args: str) -> subprocess.CompletedProcess[str]:
        return _run([str(venv / "bin" / "thekey"), *args], cwd=work, env=env)

    def ok(*args: str) -> str:
        done = thekey(*args)
        assert done.returncode == 0, f"thekey {' '.join(args)}: {done.stderr[-2000:]}"
        return done.stdout

    probe = "import thekey, thekey.config as c; print(thekey.__file__, c.find_project_root())"
    where = _run([str(python), "-c", probe], cwd=work, env=env)
    module, root = where.stdout.split()
    assert module.startswith(str(venv)) and root == "None"

    # the embedded Anvil, with none installed: one line saying how to get one
    no_anvil = thekey("deploy")
    assert no_anvil.returncode == 1 and no_anvil.stderr.count("\n") == 1, no_anvil.stderr
    assert no_anvil.stderr.startswith("error: no Anvil binary found: `npm install @foundry-rs/anvil`")
    # compiling is a developer action of the checkout
    no_checkout = thekey("compile")
    assert no_checkout.returncode == 1 and "needs the TheKey source checkout" in no_checkout.stderr

    with Anvil(accounts=10) as node, Anvil(accounts=10) as demo_node:
        url = ["--rpc-url", node.url]
        manifest = json.loads(ok("deploy", *url, "--json"))
        (written,) = (home / ".local" / "share" / "thekey" / "deployments").glob("31337-*.json")
        assert json.loads(written.read_text()) == manifest
        assert json.loads(ok("token", "info", *url, "--json"))["address"] == manifest["contracts"]["token"]["address"]

        sdk = "import thekey, sys; s = thekey.Suite.connect(sys.argv[1]); print(s.token.symbol(), s.escrow.address)"
        assert _run([str(python), "-c", sdk, node.url], cwd=work, env=env).stdout.split() == [
            "TKY",
            manifest["contracts"]["escrow"]["address"],
        ]

        ok("issuer", "add", f"did:ethr:0x7a69:{ISSUER}", "--name", "Example University", "--type", DEGREE, *url)
        (work / "schema.json").write_text(json.dumps(SCHEMA))
        schema_id = json.loads(ok("schema", "register", "schema.json", "--type", DEGREE, "--account", "1", *url,
                                  "--json"))["schemaId"]  # fmt: skip
        ok("credential", "issue", "--subject", f"did:ethr:0x7a69:{HOLDER}", "--type", DEGREE, "--schema", schema_id,
           "--claims", '{"degree": "BSc"}', "--out", "vc.json", "--account", "1", *url)  # fmt: skip
        verified = json.loads(ok("credential", "verify", "vc.json", *url, "--json"))
        assert verified["valid"] is True, verified

        resolved = json.loads(ok("did", "resolve", f"did:ethr:0x7a69:{HOLDER}", *url, "--json"))
        assert resolved["didDocument"]["id"] == f"did:ethr:0x7a69:{HOLDER}"

        demo = thekey("demo", "--rpc-url", demo_node.url, "--json")
        assert demo.returncode == 0, demo.stderr[-2000:]
    assert sorted(os.listdir(work)) == ["schema.json", "vc.json"]  # nothing else written to the working folder
