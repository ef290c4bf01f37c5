"""``thekey``: compile, deploy and drive TheKey's contracts."""

from __future__ import annotations

import os
import re
import sys

import typer

from thekey import __version__
from thekey.chain.connection import DEFAULT_RPC_TIMEOUT, RPC_TIMEOUT_ENV
from thekey.cli import account, audit, build, chain, demo, dev, networks, nonce, serve, token, watch
from thekey.cli import consent as consent_cli
from thekey.cli import credentials as credentials_cli
from thekey.cli import did as did_cli
from thekey.cli import escrow as escrow_cli
from thekey.cli import presentations as presentations_cli
from thekey.cli import wallet as wallet_cli
from thekey.cli.common import err_console
from thekey.cli.progress import QUIET_ENV
from thekey.errors import BadInput, ContractRevert, InsufficientFunds, TheKeyError

app = typer.Typer(
    rich_markup_mode=None,
    name="thekey",
    help="TheKey — DIDs, credentials, consent and TKY payments on an Ethereum-compatible chain.\n\n"
    "Commands that talk to a node use --rpc-url URL or --network NAME (named in thekey.toml or "
    "~/.config/thekey/networks.toml; default `local`: http://127.0.0.1:8545, as `thekey node` serves); "
    "`deploy` and `demo` start an embedded Anvil for `local`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"thekey {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    rpc_timeout: float | None = typer.Option(
        None,
        "--rpc-timeout",
        min=0.1,
        max=86_399,
        help=f"Seconds to wait for any one answer of the node [default: {DEFAULT_RPC_TIMEOUT:g}, "
        f"or {RPC_TIMEOUT_ENV}].",
        show_default=False,
    ),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="No progress lines, spinners or bars on stderr (--json implies it)."
    ),
) -> None:
    """TheKey command line."""
    if rpc_timeout is not None:  # read by every connection this command makes
        os.environ[RPC_TIMEOUT_ENV] = f"{rpc_timeout:g}"
    if quiet:
        os.environ[QUIET_ENV] = "1"


build.register(app)
chain.register(app)
app.add_typer(account.app, name="account")
app.add_typer(token.app, name="token")
app.add_typer(did_cli.app, name="did")
app.add_typer(consent_cli.app, name="consent")
app.add_typer(consent_cli.route_app, name="route")
app.add_typer(escrow_cli.app, name="escrow")
app.add_typer(credentials_cli.issuer_app, name="issuer")
app.add_typer(credentials_cli.schema_app, name="schema")
app.add_typer(credentials_cli.credential_app, name="credential")
presentations_cli.register(credentials_cli.credential_app)
app.add_typer(wallet_cli.app, name="wallet")
app.add_typer(audit.app, name="audit")
app.add_typer(nonce.app, name="nonce")
app.add_typer(dev.app, name="dev")
demo.register(app)
networks.register(app)
serve.register(app)
watch.register(app)


def _print_error(message: str) -> None:
    """Print ``error: <message>`` as exactly one line, whatever input the message quotes.

    Non-printable characters (a newline, U+0085, a control code in a file name or a value) are
    shown escaped as Python would (``\\x85``), so the message stays one line; markup and
    highlighting are off because the message may quote input holding ``[…]``.
    """
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
    err_console.print(f"error: {shown}", highlight=False, markup=False)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI: user mistakes print one line and exit 2; failures exit 1; never a traceback.

    Usage errors (unknown option, missing argument) are reported by typer itself, exit 2.
    """
    args = sys.argv[1:] if argv is None else argv
    # the root options (--rpc-timeout, --quiet) reach every connection through the environment,
    # for this command only: restored afterwards, so an in-process caller (a test) keeps its own
    saved = {name: os.environ.get(name) for name in (RPC_TIMEOUT_ENV, QUIET_ENV)}
    try:
        _refuse_negative_numbers(args)
        app(args=args, prog_name="thekey")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    except BadInput as exc:
        _print_error(str(exc))
        return 2
    except ContractRevert as exc:
        hint = _HINTS.get(exc.name or "")
        _print_error(f"transaction {exc}" + (f" — {hint}" if hint else ""))
        return 1
    except InsufficientFunds as exc:
        hint = f" — on this local chain: `thekey dev fund {exc.account}`" if exc.local and exc.account else ""
        _print_error(f"{exc}{hint}")
        return 1
    except TheKeyError as exc:
        _print_error(str(exc))
        return 1
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return 0


#: What a revert means for the person at the keyboard, where its name alone does not say.
_HINTS = {
    "InvalidAccountNonce": "this signed request was already used (or its nonce cancelled): sign it again",
    "ConsentGrantSuperseded": "this signed grant was used already, or another grant of the same consent came first:"
    " sign it again",
    "ERC20InsufficientBalance": "the sender holds too few TKY for this",
    "ERC20InsufficientAllowance": "approve (or permit) the spender for at least this amount first",
}

_NEGATIVE = re.compile(r"^-\d+(\.\d+)?$")


def _refuse_negative_numbers(args: list[str]) -> None:
    """``-5`` would reach click as an unknown option ("No such option: -5"); say what is wrong."""
    for arg in args:
        if arg == "--":
            return
        if _NEGATIVE.match(arg):
            raise BadInput(f"{arg}: negative numbers are not accepted (amounts, counts and times are ≥ 0)")


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
