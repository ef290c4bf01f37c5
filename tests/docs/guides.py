"""Run the guides in ``docs/`` as scripts and compare their output with what the guide shows.

A guide is Markdown. Three kinds of fenced block take part:

- ```` ```console ````: lines starting with ``$ `` are commands (a trailing ``\\`` continues one),
  the lines after each command are its expected output (stdout and stderr together). A
  command that is meant to fail says so in a comment: ``$ thekey … # exit 1``.
- ```` ```console background ````: one long-running command (``thekey node``); it is started in
  the background, its output is compared up to the last line the guide shows, and it is
  stopped when the guide ends. The runner gives it a free port and points
  ``THEKEY_RPC_URL`` at it.
- ```` ```python ```` followed by ```` ```output ````: a snippet run by the project's Python in
  the same folder and environment, and its expected output.
- A block whose info string has ``file=NAME`` (```` ```json file=schema.json ````) is written to
  ``NAME`` in the working folder, for the commands after it.

Every guide runs in one ``bash`` process in a fresh folder (so shell variables and files carry
over from one step to the next), against its own fresh node. Before comparing, both sides are
normalised: hashes, addresses, times, block numbers, gas figures and ports become placeholders,
and a line ``...`` in the expected output matches any number of lines.

``.venv/bin/python tests/docs/guides.py --update docs/guides/insurer.md`` rewrites a guide's expected
output with what the commands print now.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FENCE = re.compile(r"^```(\S*)(.*)$")
MARK = "@@THEKEY-GUIDE-STEP"


@dataclass
class Step:
    kind: str  # "console", "background", "python", "file"
    code: str  # the command, the snippet, or the file's content
    expected: list[str] = field(default_factory=list)
    exit_code: int = 0
    name: str = ""  # the file's name
    # where the expected output sits in the guide's lines (start, end), for --update
    span: tuple[int, int] = (0, 0)


@dataclass
class Result:
    step: Step
    output: list[str]
    exit_code: int


def parse(text: str) -> list[Step]:
    """The guide's executable steps, in order."""
    lines = text.split("\n")
    steps: list[Step] = []
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match or not match.group(1):
            i += 1
            continue
        lang, rest = match.group(1), match.group(2).split()
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        body = lines[i + 1 : end]
        names = [r[5:] for r in rest if r.startswith("file=")]
        if names:
            steps.append(Step("file", "\n".join(body) + "\n", name=names[0]))
        elif lang == "console":
            steps.extend(_commands(body, i + 1, background="background" in rest))
        elif lang == "python":
            steps.append(Step("python", "\n".join(body) + "\n"))
        elif lang == "output" and steps and steps[-1].kind == "python":
            steps[-1].expected = body
            steps[-1].span = (i + 1, end)
        i = end + 1
    return steps


def _commands(body: list[str], offset: int, *, background: bool) -> list[Step]:
    steps: list[Step] = []
    j = 0
    while j < len(body):
        if not body[j].startswith("$ "):
            raise ValueError(f"line {offset + j + 1}: console output before any `$ ` command")
        command = body[j][2:]
        while command.endswith("\\"):
            j += 1
            command = command + "\n" + body[j]
        j += 1
        start = j
        while j < len(body) and not body[j].startswith("$ "):
            j += 1
        exit_match = re.search(r"#\s*exit (\d+)\s*$", command)
        steps.append(
            Step(
                "background" if background else "console",
                command,
                expected=body[start:j],
                exit_code=int(exit_match.group(1)) if exit_match else 0,
                span=(offset + start, offset + j),
            )
        )
    return steps


PLACEHOLDERS = [
    # the guide's own home and working folder (temporary) read as a reader's ~ and .
    (re.compile(r"/\S*?/thekey-guide-[A-Za-z0-9_]+/home"), "~"),
    (re.compile(r"/\S*?/thekey-guide-[A-Za-z0-9_]+/"), "./"),
    (re.compile(r"0x[0-9a-fA-F]{64,}"), "0xHASH"),
    (re.compile(r"0x[0-9a-fA-F]{40}"), "0xADDRESS"),
    (re.compile(r"0x[0-9a-fA-F]{8}(?:…|\.\.\.)"), "0xSHORT…"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?"), "TIME"),
    (re.compile(r"\b1[6-9]\d{8}\b"), "UNIXTIME"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
    (re.compile(r"\bblock \d+"), "block N"),
    (re.compile(r"\bgas [\d,]+"), "gas N"),
    (re.compile(r"urn:uuid:[0-9a-f-]{36}"), "urn:uuid:UUID"),
    (re.compile(r"\d+(?:\.\d+)? ?(?:ms|s)\b"), "DURATION"),
]


def normalise(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        for pattern, placeholder in PLACEHOLDERS:
            line = pattern.sub(placeholder, line)
        out.append(line.rstrip())
    while out and not out[-1]:
        out.pop()
    return out


def matches(expected: list[str], actual: list[str]) -> bool:
    """``expected`` equals ``actual`` line by line, where a line ``...`` matches any run of lines."""
    exp, act = normalise(expected), normalise(actual)

    def go(i: int, j: int) -> bool:
        if i == len(exp):
            return j == len(act)
        if exp[i] == "...":
            return any(go(i + 1, k) for k in range(j, len(act) + 1))
        return j < len(act) and exp[i] == act[j] and go(i + 1, j + 1)

    return go(0, 0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(home: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    for key in [k for k in env if k.startswith("THEKEY_")]:
        del env[key]
    env.update(
        HOME=str(home),
        # manifests and indexes in the guide's own home: two nodes started in the same second share
        # a genesis hash, so guides running side by side must not share the checkout's deployments/
        THEKEY_HOME=str(home / ".local" / "share" / "thekey"),
        SOLCX_BINARY_PATH=os.environ.get("SOLCX_BINARY_PATH", str(Path.home() / ".solcx")),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        THEKEY_RPC_URL=f"http://127.0.0.1:{port}",
        COLUMNS="120",
        TERM="dumb",
        PYTHON=sys.executable,
    )
    return env


def run(path: Path, workdir: Path | None = None) -> list[Result]:
    """Run every step of the guide at ``path``; return what each printed."""
    steps = parse(path.read_text())
    with tempfile.TemporaryDirectory(prefix="thekey-guide-") as tmp:
        folder = Path(workdir or tmp)
        home = Path(tmp) / "home"
        home.mkdir(exist_ok=True)
        port = _free_port()
        env = environment(home, port)
        background: list[subprocess.Popen[str]] = []
        results: list[Result] = []
        script = ["exec 2>&1", f"cd {shlex.quote(str(folder))}"]
        foreground: list[Step] = []
        try:
            for step in steps:
                if step.kind == "background":
                    results.extend(_foreground(script, foreground, env))
                    script, foreground = ["exec 2>&1", f"cd {shlex.quote(str(folder))}"], []
                    results.append(_start(step, folder, env, port, background))
                    continue
                foreground.append(step)
            results.extend(_foreground(script, foreground, env))
        finally:
            for process in background:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        return results


def _foreground(script: list[str], steps: list[Step], env: dict[str, str]) -> list[Result]:
    if not steps:
        return []
    lines = list(script)
    for n, step in enumerate(steps):
        lines.append(f"printf '\\n{MARK} {n}\\n'")
        if step.kind == "file":
            lines.append(f"cat > {shlex.quote(step.name)} <<'THEKEY_GUIDE_EOF'\n{step.code}THEKEY_GUIDE_EOF")
        elif step.kind == "python":
            lines.append(f"\"$PYTHON\" - <<'THEKEY_GUIDE_EOF'\n{step.code}THEKEY_GUIDE_EOF")
        else:
            lines.append(step.code)
        lines.append(f"printf '\\n{MARK} rc %d\\n' $?")
    done = subprocess.run(["bash", "-c", "\n".join(lines)], env=env, capture_output=True, text=True, timeout=900)
    chunks = re.split(rf"\n?{MARK} (\d+|rc \d+)\n", "\n" + done.stdout)
    results = []
    # chunks: [preamble, "0", output, "rc 0", between, "1", output, "rc 1", …]
    for n, step in enumerate(steps):
        base = 1 + 4 * n
        if base + 2 >= len(chunks):
            raise RuntimeError(f"the guide stopped at step {n} ({step.code.strip()[:60]!r}):\n{done.stdout[-2000:]}")
        output, rc = chunks[base + 1], int(chunks[base + 2].split()[1])
        results.append(Result(step, output.split("\n") if output else [], rc))
    return results


def _start(step: Step, folder: Path, env: dict[str, str], port: int, keep: list[subprocess.Popen[str]]) -> Result:
    command = step.code
    if command.split()[:2] == ["thekey", "node"]:
        command += f" --port {port}"
    process = subprocess.Popen(
        ["bash", "-c", f"exec {command}"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    keep.append(process)
    last = normalise(step.expected[-1:])
    output: list[str] = []
    deadline = time.monotonic() + 600
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line.rstrip("\n"))
        if last and normalise([output[-1]]) == last:
            break
    return Result(step, output, 0 if process.poll() is None else process.returncode)


def failures(results: list[Result]) -> list[str]:
    """One message per step whose output or exit code differs from the guide."""
    problems = []
    for r in results:
        if r.step.kind == "file":
            continue
        if r.exit_code != r.step.exit_code:
            said = f"$ {r.step.code}\n  exit {r.exit_code}, the guide says {r.step.exit_code}:\n"
            problems.append(said + "\n".join(r.output))
        elif not matches(r.step.expected, r.output):
            problems.append(
                f"$ {r.step.code}\n--- the guide shows\n"
                + "\n".join(r.step.expected)
                + "\n--- it printed\n"
                + "\n".join(r.output)
            )
    return problems


def update(path: Path) -> None:
    """Rewrite the expected output of the steps whose output changed with what they print now."""
    lines = path.read_text().split("\n")
    results = run(path)
    for r in sorted(results, key=lambda r: r.step.span[0], reverse=True):
        if r.step.kind == "file" or (r.exit_code == r.step.exit_code and matches(r.step.expected, r.output)):
            continue  # unchanged: keep the guide's own text (and its `...` lines)
        start, end = r.step.span
        output = [line.rstrip() for line in r.output]
        while output and not output[-1]:
            output.pop()
        lines[start:end] = output
    path.write_text("\n".join(lines))
    changed = [r for r in results if r.step.kind != "file" and not matches(r.step.expected, r.output)]
    print(f"{path}: {len(changed)} step(s) rewritten")
    for r in results:
        if r.step.kind != "file" and r.exit_code != r.step.exit_code:
            print(f"  exit {r.exit_code} (the guide says {r.step.exit_code}): $ {r.step.code}", file=sys.stderr)


def guides() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if "design" not in p.parts and "```console" in p.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="guides to run (default: every guide in docs/)")
    parser.add_argument("--update", action="store_true", help="rewrite the guides' expected output")
    args = parser.parse_args()
    bad = 0
    for path in args.files or guides():
        if args.update:
            update(path)
            continue
        problems = failures(run(path))
        bad += len(problems)
        print(f"{path}: {'ok' if not problems else f'{len(problems)} steps differ'}")
        for problem in problems:
            print(problem)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
