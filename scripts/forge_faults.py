"""Fault injection for the forge invariant campaigns: each fault must make a campaign fail.

    python scripts/forge_faults.py [NAME ...]

Re-introduces one known fault at a time into ``contracts/`` (a textual patch of the source),
runs the campaign that must catch it, prints the failing invariant and its first line of
output, and restores the source (also on Ctrl-C). Exit 1 if a campaign misses its fault.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from thekey.build.solc import ensure_solc
from thekey.config import project_root

FORGE = "node_modules/@foundry-rs/forge-linux-amd64/bin/forge"


@dataclass(frozen=True)
class Fault:
    name: str
    file: str
    old: str
    new: str
    campaign: str  # the test contracts that must fail (a `--match-contract` pattern)
    count: int = 1  # how many occurrences of `old` the patch replaces (0: all)


FAULTS = [
    Fault(
        "anchors keyed by hash only",
        "contracts/credentials/CredentialRegistry.sol",
        "_credentials[issuer][credentialHash]",
        "_credentials[address(0)][credentialHash]",
        "CredentialsInvariants",
        count=0,
    ),
    Fault(
        "schema registration without the type check",
        "contracts/credentials/SchemaRegistry.sol",
        "        if (typeId == 0 || !_hasType(publisher, p.typeBits, typeId)) {\n"
        "            revert IssuerNotAuthorised(publisher, credentialType);\n"
        "        }\n",
        "",
        "CredentialsInvariants",
    ),
    Fault(
        "status authority from the raw key after changeOwner",
        "contracts/credentials/CredentialRegistry.sol",
        "        _checkController(issuer, msg.sender);\n"
        "        Record storage slot = _credentials[issuer][credentialHash];\n"
        "        uint256 packed;\n",
        "        if (issuer != msg.sender) _checkController(issuer, msg.sender); // the raw key keeps power\n"
        "        Record storage slot = _credentials[issuer][credentialHash];\n"
        "        uint256 packed;\n",
        "CredentialsInvariants",
    ),
    Fault(
        "a route publication that ignores maxUses",
        "contracts/consent/DataRoutes.sol",
        "        if (maxUses != 0 && used >= maxUses) revert RoutesConsentExhausted(id, maxUses);\n",
        "",
        "ConsentRoutesInvariants",
    ),
    Fault(
        "escrow dust not credited to anyone",
        "contracts/payments/PaymentEscrow.sol",
        "            uint256 verifierAmount = price - paid;\n",
        "            uint256 verifierAmount = (price * shares[0]) / BPS;\n",
        "EscrowInvariants|EscrowPayoutsTest",
    ),
]


def _readable(line: str) -> str:
    """A breach's kind is a bytes32 string: show it as text (other hex stays as it is)."""

    def text(m: re.Match[str]) -> str:
        raw = bytes.fromhex(m.group(1)).rstrip(b"\0")
        return repr(raw.decode()) if raw and all(32 <= b < 127 for b in raw) else m.group(0)

    return re.sub(r"0x([0-9a-f]{64})", text, line)


def run(fault: Fault, root: Path, env: dict[str, str]) -> bool:
    path = root / fault.file
    original = path.read_text()
    found = original.count(fault.old)
    if found == 0 or (fault.count and found < fault.count):
        raise SystemExit(f"{fault.name}: the patch no longer applies to {fault.file}")
    path.write_text(original.replace(fault.old, fault.new, fault.count or -1))
    try:
        proc = subprocess.run(
            [FORGE, "test", "--match-contract", fault.campaign], cwd=root, env=env, capture_output=True, text=True
        )
    finally:
        path.write_text(original)
    out = proc.stdout + proc.stderr
    failing = list(dict.fromkeys(line.strip() for line in out.splitlines() if line.lstrip().startswith("[FAIL")))
    names = sorted(set(re.findall(r"^\s*((?:invariant|test)\w+)\(.*?\) \(runs", out, flags=re.M)))
    caught = proc.returncode != 0 and bool(failing)
    verdict = "CAUGHT" if caught else "MISSED"
    print(f"{verdict}  {fault.name}  ({fault.file}; campaign {fault.campaign})")
    if caught:
        print(f"    failing invariant: {', '.join(names) or '?'}")
        for line in failing:
            print(f"    {_readable(line)[:400]}")
    return caught


def main(argv: list[str]) -> int:
    root = project_root()
    env = {**os.environ, "FOUNDRY_SOLC": str(ensure_solc())}
    chosen = [f for f in FAULTS if not argv or any(a in f.name for a in argv)]
    missed = [f.name for f in chosen if not run(f, root, env)]
    if missed:
        print(f"{len(missed)} fault(s) missed: {', '.join(missed)}")
        return 1
    print(f"all {len(chosen)} fault(s) caught")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
