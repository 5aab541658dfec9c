#!/bin/sh
# Start-up cost of one short reply as a whole process: the median CPU time (task-clock, user
# plus system) of `mailtriage explain REPLY` over RUNS runs, beside `mailtriage --version` (the
# process with no rules loaded), with the load average; then `perf stat -r STAT_RUNS` of the
# same explain (its mean task-clock, for a second opinion). Needs perf.
#   scripts/startup.sh [BINARY]          (default target/release/mailtriage; RUNS=101, STAT_RUNS=50)
set -eu
bin=${1:-target/release/mailtriage}
runs=${RUNS:-101}
stat_runs=${STAT_RUNS:-50}
reply='550 5.1.1 <jdoe@example.org>: Recipient address rejected: User unknown in virtual mailbox table'
median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
cpu_ms() {
    i=0
    while [ "$i" -lt "$runs" ]; do
        perf stat -x, -e task-clock -- "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ { print $1 }'
        i=$((i + 1))
    done | median
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "explain one reply: median $(cpu_ms "$bin" explain "$reply") ms CPU over $runs runs"
echo "--version:         median $(cpu_ms "$bin" --version) ms CPU over $runs runs"
mean=$(perf stat -r "$stat_runs" -x, -e task-clock -- "$bin" explain "$reply" 2>&1 >/dev/null |
    awk -F, '/task-clock/ { print $1 }')
echo "explain one reply: mean $mean ms CPU over $stat_runs runs (perf stat -r $stat_runs)"
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
