#!/usr/bin/env bash
# Score mailtriage against the dnsbench ground truth (manifest.json of the synthetic internet).
#
#   scripts/ground-truth.sh [--details]
#
# Needs a running bench (see /work/shared/bench/README.md), either mode:
#   DNSBENCH_NETNS=dnsbench DNSBENCH_DELAY_MS=0 ./dnsbench.sh start   # namespace: we use 127.0.0.1:53
#   ./dnsbench.sh start                                               # host: we use 127.0.0.1:5353
# Three runs, all against NSD directly (no delay), all with the release build:
#   1. bulk over all manifest domains, no --ip: SPF tree counts, DMARC, DKIM probe, MX, MX-host FCrDNS
#   2. bulk, --only spf --ip 192.0.2.1: check_host() result (manifest spf.eval)
#   3. one run per (domain, sending IP) of manifest ptr[]: --only spf,ptr --ip IP
#      (PTR verdict and name, manifest spf.eval_own_ip)
# Environment: BENCH (bench dir, default /work/shared/bench), OUT (default /tmp/mailtriage-gt),
#   MT (mailtriage binary, default target/release/mailtriage, built when missing), CONCURRENCY (32).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=${BENCH:-/work/shared/bench}
OUT=${OUT:-/tmp/mailtriage-gt}
MT=${MT:-$ROOT/target/release/mailtriage}
CONCURRENCY=${CONCURRENCY:-32}
MANIFEST=$BENCH/data/manifest.json
RUN=${DNSBENCH_RUN:-/tmp/dnsbench/run}
mkdir -p "$OUT"

[ -f "$MANIFEST" ] || { echo "no $MANIFEST: generate it (gen_zones.py --n 1000 --seed 1)" >&2; exit 2; }
[ -x "$MT" ] || (cd "$ROOT" && cargo build --release)

# the namespace chosen at bench start decides where mailtriage runs and which port NSD answers on
if [ -s "$RUN/netns" ]; then
    EXEC=("$BENCH/dnsbench.sh" exec)
    NS=127.0.0.1:53
else
    EXEC=()
    NS=127.0.0.1:5353
fi
mt() { "${EXEC[@]}" "$MT" check --nameserver "$NS" --fail-on never "$@"; }
mt --only mx nodomain.invalid --format json >/dev/null 2>&1 || { echo "bench DNS not answering on $NS" >&2; exit 2; }

python3 - "$MANIFEST" "$OUT" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))["domains"]
with open(sys.argv[2] + "/domains.txt", "w") as f:
    f.writelines(e["domain"] + "\n" for e in m)
with open(sys.argv[2] + "/ptr_pairs.txt", "w") as f:
    f.writelines("%s %s\n" % (e["domain"], p["ip"]) for e in m for p in e["ptr"])
EOF

t0=$(date +%s.%N)
mt --domains-file "$OUT/domains.txt" --format jsonl --concurrency "$CONCURRENCY" \
    >"$OUT/static.jsonl" 2>"$OUT/static.err"
t1=$(date +%s.%N)
mt --domains-file "$OUT/domains.txt" --format jsonl --concurrency "$CONCURRENCY" \
    --only spf --ip 192.0.2.1 >"$OUT/eval.jsonl" 2>"$OUT/eval.err"
: >"$OUT/ptr.jsonl"
while read -r dom ip; do
    mt "$dom" --ip "$ip" --only spf,ptr --format jsonl >>"$OUT/ptr.jsonl" 2>>"$OUT/ptr.err"
done <"$OUT/ptr_pairs.txt"
echo "mailtriage $("$MT" --version | awk '{print $2}') ($(git -C "$ROOT" rev-parse --short HEAD)); bulk run 1: $(wc -l <"$OUT/static.jsonl") domains in $(echo "$t1 - $t0" | bc) s; nameserver $NS"
echo

python3 "$ROOT/scripts/score_mailtriage.py" --manifest "$MANIFEST" --static "$OUT/static.jsonl" \
    --eval "$OUT/eval.jsonl" --ptr "$OUT/ptr.jsonl" --json "$OUT/score.json" "$@"
