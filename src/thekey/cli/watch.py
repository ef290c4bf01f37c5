"""``thekey watch``: stream the suite's events as JSON lines, with a durable cursor."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from thekey.cli.audit import ConfirmationsOpt, index_depth
from thekey.cli.common import ChainId, RpcUrl, Session
from thekey.errors import BadInput
from thekey.events import EventIndex, Watcher
from thekey.events.index import CHUNK
from thekey.parsing import is_digits


def _start(value: str) -> int | None:
    if value == "cursor":
        return None
    if not is_digits(value):
        raise BadInput(f"--from {value!r}: a block number or 'cursor'")
    return int(value)


def watch(
    events: Annotated[
        str | None, typer.Option("--events", help="Only these events: names separated by commas (e.g. ConsentRevoked).")
    ] = None,
    start: Annotated[
        str, typer.Option("--from", help="BLOCK: start a new cursor at this block; 'cursor': resume where it stopped "
                          "(a new cursor starts at the suite's deployment).")
    ] = "cursor",
    confirmations: ConfirmationsOpt = None,
    cursor_file: Annotated[
        Path | None, typer.Option("--cursor-file", dir_okay=False,
                                  help="The durable cursor (a SQLite file); without it nothing survives a restart.")
    ] = None,
    chunk: Annotated[int, typer.Option("--chunk", min=1, help="Blocks per step (the cursor moves per step).")] = CHUNK,
    interval: Annotated[float, typer.Option("--interval", min=0.01, help="Seconds between polls of the node.")] = 0.2,
    once: Annotated[bool, typer.Option("--once", help="Stop when caught up with the head instead of following it.")
                    ] = False,
    rpc_url: RpcUrl = None,
    chain_id: ChainId = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per line (the only output format).")] = True,
) -> None:  # fmt: skip
    """Follow the chain and print each suite event as one JSON line, oldest first.

    Delivery is at least once: after a restart the events of the last unfinished step may come
    again, with the same "key" (block hash and log index). An event a reorganisation took back is
    printed again with "retracted": true."""
    session = Session(rpc_url=rpc_url, chain_id=chain_id, json=True)
    names = [n.strip() for n in events.split(",") if n.strip()] if events else None
    if cursor_file is not None and cursor_file.is_dir():
        raise BadInput(f"--cursor-file {cursor_file} is a directory")
    index = EventIndex(session.deployment(), cursor_file or ":memory:", from_block=_start(start),
                       confirmations=index_depth(session, confirmations))  # fmt: skip
    watcher = Watcher(index, events=names, poll_interval=interval, chunk=chunk)
    out = sys.stdout
    try:
        for notice in watcher.poll() if once else watcher:
            out.write(json.dumps(notice.as_json(), separators=(",", ":")) + "\n")
            out.flush()
    except BrokenPipeError:
        pass
    finally:
        index.close()


def register(app: typer.Typer) -> None:
    app.command("watch")(watch)
