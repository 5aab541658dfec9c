#!/usr/bin/env bash
# `mailtriage scan` speed, by hand and side by side (issue 17's benchmarks):
#
#   scripts/scan-bench.sh maildir [RUNS]   the 586 sisimai messages as one Maildir: mailtriage scan
#                                          and sisimai 4.25 (Debian's libsisimai-perl) alternately,
#                                          RUNS times each (default 11), medians, their ratio, and
#                                          the recipients each found (lists in $OUT, default
#                                          /tmp/scan-bench)
#   scripts/scan-bench.sh log LOG [RUNS]   mailtriage scan of a generated log (PARTS=e cargo bench
#                                          --bench mailtriage writes one into target/scan-bench/):
#                                          median wall time, lines per second and peak RSS (GNU
#                                          time) over RUNS runs (default 5)
#
# BIN names the binary (default target/release/mailtriage; build it with cargo build --release).
# Each run prints the 1-minute load average before and after: the machine's 2 cores are shared.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${BIN:-$ROOT/target/release/mailtriage}
OUT=${OUT:-/tmp/scan-bench}
mkdir -p "$OUT"

median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
load() { cut -d' ' -f1 /proc/loadavg; }
# Wall seconds of one command (stdout to $2), from GNU time.
wall() {
    local out=$1
    shift
    /usr/bin/time -f '%e %M %U %S' -o "$OUT/time" "$@" >"$out" 2>/dev/null || true
    cat "$OUT/time"
}

maildir() {
    local runs=${1:-11}
    perl -MSisimai -e 1 2>/dev/null || { echo "scan-bench: perl cannot load Sisimai (apt-get install libsisimai-perl)" >&2; exit 2; }
    local md="$OUT/maildir"
    rm -rf "$md"
    mkdir -p "$md/cur" "$md/new" "$md/tmp"
    local i=0
    for f in $(ls "$ROOT"/tests/fixtures/sisimai/maildir/*.eml | sort); do
        cp "$f" "$md/cur/17000$(printf %05d $i).M${i}P1.bench:2,S"
        i=$((i + 1))
    done
    local sis='use Sisimai; my $v = Sisimai->make($ARGV[0], delivered => 1) || []; print $_->recipient->address, "\n" for @$v;'
    echo "messages: $i; mailtriage $("$BIN" --version); sisimai $(perl -MSisimai -e 'print $Sisimai::VERSION')"
    echo "load before: $(load)"
    : >"$OUT/mt.times"
    : >"$OUT/sis.times"
    : >"$OUT/mt.cpu"
    : >"$OUT/sis.cpu"
    for r in $(seq 0 "$runs"); do
        local a b
        a=$(wall "$OUT/mt.json" "$BIN" scan "$md" --format json)
        b=$(wall "$OUT/sis.txt" perl -e "$sis" "$md/cur")
        # The first pair warms the page cache and is not counted.
        if [ "$r" -gt 0 ]; then
            echo "$a" | awk '{ print $1 }' >>"$OUT/mt.times"
            echo "$b" | awk '{ print $1 }' >>"$OUT/sis.times"
            echo "$a" | awk '{ print $3 + $4 }' >>"$OUT/mt.cpu"
            echo "$b" | awk '{ print $3 + $4 }' >>"$OUT/sis.cpu"
        fi
    done
    echo "load after:  $(load)"
    local m s
    m=$(median <"$OUT/mt.times")
    s=$(median <"$OUT/sis.times")
    echo "mailtriage scan: median $m s ($(sort -g "$OUT/mt.times" | head -1)-$(sort -g "$OUT/mt.times" | tail -1)) over $runs runs"
    echo "sisimai:         median $s s ($(sort -g "$OUT/sis.times" | head -1)-$(sort -g "$OUT/sis.times" | tail -1)) over $runs runs"
    echo "CPU (user + system): mailtriage median $(median <"$OUT/mt.cpu") s, sisimai median $(median <"$OUT/sis.cpu") s"
    echo "ratio: $(awk -v a="$m" -v b="$s" 'BEGIN { printf "%.2f", b / a }')x (target >= 5x)"
    python3 - "$OUT" <<'EOF'
import json, sys
out = sys.argv[1]
d = json.load(open(f"{out}/mt.json"))
ours = {a["address"] for a in d["addresses"]} | {x[0] for x in d["state"]["delivered_only"]}
theirs = {l.strip().lower() for l in open(f"{out}/sis.txt") if l.strip()}
print(f"recipients: mailtriage {len(ours)}, sisimai {len(theirs)}, both {len(ours & theirs)}")
open(f"{out}/only-mailtriage.txt", "w").write("".join(a + "\n" for a in sorted(ours - theirs)))
open(f"{out}/only-sisimai.txt", "w").write("".join(a + "\n" for a in sorted(theirs - ours)))
print(f"only mailtriage: {len(ours - theirs)} ({out}/only-mailtriage.txt); only sisimai: {len(theirs - ours)} ({out}/only-sisimai.txt)")
EOF
}

log() {
    local log=$1 runs=${2:-5}
    [ -f "$log" ] || { echo "scan-bench: no log $log (PARTS=e cargo bench --bench mailtriage writes one)" >&2; exit 2; }
    local lines
    lines=$(wc -l <"$log")
    echo "log: $log, $lines lines, $(($(stat -c %s "$log") / 1000000)) MB"
    echo "load before: $(load)"
    : >"$OUT/log.times"
    : >"$OUT/log.rss"
    : >"$OUT/log.cpu"
    for r in $(seq 0 "$runs"); do
        local t
        t=$(wall "$OUT/log.out" "$BIN" --color never scan "$log" --log-end 2026-03-20)
        # The first run warms the page cache and is not counted.
        if [ "$r" -gt 0 ]; then
            echo "$t" | awk '{ print $1 }' >>"$OUT/log.times"
            echo "$t" | awk '{ print $2 }' >>"$OUT/log.rss"
            echo "$t" | awk '{ print $3 + $4 }' >>"$OUT/log.cpu"
        fi
    done
    echo "load after:  $(load)"
    local m rss
    m=$(median <"$OUT/log.times")
    rss=$(median <"$OUT/log.rss")
    echo "wall: median $m s ($(sort -g "$OUT/log.times" | head -1)-$(sort -g "$OUT/log.times" | tail -1)) over $runs runs"
    echo "CPU (user + system): median $(median <"$OUT/log.cpu") s"
    echo "lines/s: median $(awk -v n="$lines" -v t="$m" 'BEGIN { printf "%.0f", n / t }') (target >= 1,000,000)"
    echo "peak RSS: median $(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }') MB, max $(sort -g "$OUT/log.rss" | tail -1 | awk '{ printf "%.1f", $1 / 1024 }') MB (target < 300 MB)"
    head -3 "$OUT/log.out"
}

case "${1:-}" in
maildir) maildir "${2:-11}" ;;
log) log "${2:?give the log}" "${3:-5}" ;;
*)
    sed -n '2,15p' "$0"
    exit 2
    ;;
esac
