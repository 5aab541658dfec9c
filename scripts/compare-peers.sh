#!/usr/bin/env bash
# mailtriage vs checkdmarc (and mailauth) on the dnsbench synthetic internet, same run, same machine.
#
#   scripts/compare-peers.sh [compare_peers.py options: --runs 3 --warmup 1 --no-mailauth --skip bulk ...]
#
# Needs root (network namespace), the peers (BENCH/peers/install_peers.sh; checkdmarc in
# $DNSBENCH_PEERS/venv) and hyperfine. Starts the bench in its namespace when it is not running,
# builds mailtriage in release mode, then runs scripts/compare_peers.py. Results:
# /tmp/mailtriage-peers/compare.{json,md}. Takes about 10 minutes on 2 cores, mostly checkdmarc at 20 ms.
# The namespace is $DNSBENCH_NETNS (default dnsbench) and the bench's run directory $DNSBENCH_RUN
# (default /tmp/dnsbench/run), so a private copy of the bench does not disturb a shared one.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BENCH=${BENCH:-/work/shared/bench}
PEERS=${DNSBENCH_PEERS:-/tmp/dnsbench}
[ -x "$PEERS/venv/bin/checkdmarc" ] || "$BENCH/peers/install_peers.sh"
command -v hyperfine >/dev/null || { echo "hyperfine missing: $BENCH/peers/install_peers.sh installs it" >&2; exit 2; }
(cd "$ROOT" && cargo build --release --quiet)
export DNSBENCH_NETNS=${DNSBENCH_NETNS:-dnsbench}
status=$("$BENCH/dnsbench.sh" status 2>/dev/null || true)
if [[ $status != *"namespace $DNSBENCH_NETNS"* ]]; then
    "$BENCH/dnsbench.sh" stop >/dev/null 2>&1 || true
    "$BENCH/dnsbench.sh" start
fi
exec python3 "$ROOT/scripts/compare_peers.py" --bench "$BENCH" "$@"
