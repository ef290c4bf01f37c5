#!/usr/bin/env bash
# Run a command and, while it runs, say every 15 seconds (HEARTBEAT_SECONDS) that it is still working and for how
# long, so a long quiet step (pip, npm) never looks stuck. Usage: heartbeat.sh LABEL CMD [ARGS…]
set -uo pipefail
label=$1
shift
start=$SECONDS
(
  while sleep "${HEARTBEAT_SECONDS:-15}"; do
    echo "  … $label: still working ($((SECONDS - start)) s)" >&2
  done
) &
ticker=$!
trap 'kill $ticker 2>/dev/null' EXIT
"$@"
status=$?
kill $ticker 2>/dev/null
echo "  $label: done in $((SECONDS - start)) s" >&2
exit $status
