#!/usr/bin/env bash
# mailtriage and sisimai 4.25 (Debian's libsisimai-perl) side by side on the validation bounce set.
#
#   scripts/compare-sisimai.sh
#   MAILTRIAGE_BIN=target/debug/mailtriage scripts/compare-sisimai.sh   # no release build
#   SPLITS=dev PROJECTS="listmonk kumomta" scripts/compare-sisimai.sh    # a round's new dev messages
#   SPLITS=dev PROJECTS="abuseio zammad/mail055.box" scripts/compare-sisimai.sh  # whole projects or project/file
#
# Not run by CI (CI has only Rust). Installs libsisimai-perl when it is missing (needs root),
# builds mailtriage (`cargo build --release`) and runs sisimai and `mailtriage explain FILE
# --format json` (the built binary, as `cargo run --release --` would) over every message of
# tests/fixtures/validation/bounces/{dev,holdout}, and prints, per split, the four bounce figures
# of tests/integration/corpus_validation.rs plus the non-bounce figure, for both tools.
# Scoring is the test's, applied to each tool's output (see the fixture README):
#   - recipients found: expected recipients among the reported ones (an alias counts);
#   - reported addresses that are recipients;
#   - status: the first reported failure's enhanced status (or its reply code, where the
#     project's test states only that);
#   - permanent/temporary: mailtriage's `permanent` for its first reply (the server gave up,
#     also on a 4.x.x it met last, or is still retrying); for sisimai, the class of the first
#     record's status, else of its reply code, else its softbounce flag (0 permanent, 1
#     temporary);
#   - non-bounces reported as such: no failure reported (mailtriage: refused, or only replies
#     of bounce type none; sisimai: no record, or only vacation/delivered/feedback records).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SET="$ROOT/tests/fixtures/validation/bounces"

if ! perl -MSisimai -e 1 2>/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "compare-sisimai: libsisimai-perl is missing; run as root or install it first" >&2
        exit 2
    fi
    apt-get update && apt-get install -y libsisimai-perl
fi
command -v python3 >/dev/null || { echo "compare-sisimai: python3 is needed for scoring" >&2; exit 2; }

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
# MAILTRIAGE_BIN=target/debug/mailtriage skips the release build (same output, slower run).
if [ -n "${MAILTRIAGE_BIN:-}" ]; then
    BIN=$(cd "$(dirname "$MAILTRIAGE_BIN")" && pwd)/$(basename "$MAILTRIAGE_BIN")
else
    (cd "$ROOT" && cargo build --release --quiet)
    BIN="$ROOT/target/release/mailtriage"
fi

# SPLITS limits the parts scored (a fresh figure is taken on dev alone); PROJECTS, the projects
# (a word holding a slash names one file, `project/file`, for a round that adds files to a project).
SPLITS=${SPLITS:-dev holdout}
export PROJECTS=${PROJECTS:-}
for split in $SPLITS; do
    dir="$SET/$split"
    # One name a line, kept whole: some file names hold spaces.
    mapfile -t files < <(python3 -c 'import json,os,sys
only = os.environ["PROJECTS"].split()
for l in open(sys.argv[1]):
    if l.strip():
        e = json.loads(l)
        if not only or e["project"] in only or e["project"] + "/" + e["file"] in only:
            print(e["project"] + "/" + e["file"])' "$dir/expected.jsonl")
    # sisimai: one JSON line per message with every record it decodes.
    (cd "$dir" && perl -MSisimai -MJSON::PP -e '
        my $json = JSON::PP->new->canonical;
        for my $f (@ARGV) {
            my $v = Sisimai->make($f, delivered => 1) || [];
            my @r = map { {
                rcpt => $_->recipient->address, status => $_->deliverystatus,
                reason => $_->reason, soft => $_->softbounce, code => $_->replycode,
            } } @$v;
            print $json->encode({ file => $f, records => \@r }), "\n";
        }' "${files[@]}") > "$OUT/$split.sisimai.jsonl" 2> "$OUT/$split.sisimai.err"
    # mailtriage: `explain --format json` per message; a refused message has no replies.
    : > "$OUT/$split.mailtriage.jsonl"
    for f in "${files[@]}"; do
        # Exim's mailbox names hold quotes and backslashes: escape them for JSON.
        fj=${f//\\/\\\\}
        fj=${fj//\"/\\\"}
        if json=$("$BIN" explain "$dir/$f" --format json 2>/dev/null); then
            printf '{"file":"%s","doc":%s}\n' "$fj" "$(printf '%s' "$json" | tr -d '\n')" >> "$OUT/$split.mailtriage.jsonl"
        else
            printf '{"file":"%s","doc":null}\n' "$fj" >> "$OUT/$split.mailtriage.jsonl"
        fi
    done
done

python3 - "$SET" "$OUT" $SPLITS <<'PY'
import json, os, sys
SET, OUT, SPLITS = sys.argv[1], sys.argv[2], sys.argv[3:]
ONLY = os.environ["PROJECTS"].split()

def rate():
    return [0, 0]

def add(r, ok):
    r[0] += int(ok); r[1] += 1

def show(r):
    return f"{100.0 * r[0] / r[1]:5.1f} % ({r[0]}/{r[1]})" if r[1] else "    - (0/0)"

def mailtriage(doc):
    """(failure?, recipients, first failure as (enhanced, basic, class))"""
    if doc is None:
        return False, [], None
    reps = doc.get("replies", [])
    failure = any(r.get("bounce_type") != "none" for r in reps)
    rcpts = [r["recipient"] for r in reps if r.get("recipient")]
    first = None
    if reps:
        r = reps[0]
        first = (r.get("enhanced"), r.get("basic"), r.get("permanent"))
    return failure, rcpts, first

def sisimai(records):
    real = [r for r in records if r["reason"] not in ("vacation", "delivered", "feedback")]
    rcpts = [r["rcpt"] for r in records if r.get("rcpt")]
    first = None
    if records:
        r = records[0]
        st = r.get("status") or None
        code = int(r["code"]) if str(r.get("code") or "").isdigit() else None
        cls = int(st[0]) if st and st[0].isdigit() else (code // 100 if code else
              {0: 5, 1: 4}.get(r.get("soft")))
        first = (st, code, None if cls is None else cls == 5)
    return bool(real), rcpts, first

figures = ["recipients found", "reported addresses that are recipients", "status",
           "permanent/temporary", "non-bounces reported as such"]
total = {t: [rate() for _ in figures] for t in ("mailtriage", "sisimai")}
rows = []
for split in SPLITS:
    exp = [json.loads(l) for l in open(f"{SET}/{split}/expected.jsonl") if l.strip()]
    exp = [e for e in exp if not ONLY or e["project"] in ONLY or e["project"] + "/" + e["file"] in ONLY]
    got = {
        "mailtriage": {j["file"]: mailtriage(j["doc"]) for j in map(json.loads, open(f"{OUT}/{split}.mailtriage.jsonl"))},
        "sisimai": {j["file"]: sisimai(j["records"]) for j in map(json.loads, open(f"{OUT}/{split}.sisimai.jsonl"))},
    }
    scores = {}
    for tool, res in got.items():
        s = [rate() for _ in figures]
        for e in exp:
            key = e["project"] + "/" + e["file"]
            failure, rcpts, first = res.get(key, (False, [], None))
            if not e["bounce"]:
                add(s[4], not failure)
                continue
            if e.get("recipients") is not None:
                want = {a.lower() for a in e["recipients"]}
                alias = {k.lower(): v.lower() for k, v in e.get("aliases", {}).items()}
                have = {alias.get(a.lower(), a.lower()) for a in rcpts}
                for a in want: add(s[0], a in have)
                for a in have: add(s[1], a in want)
            if e.get("status") is not None:
                want = e["status"] if isinstance(e["status"], list) else [e["status"]]
                add(s[2], first is not None and first[0] in want)
            elif e.get("smtp_code") is not None:
                add(s[2], first is not None and first[1] == e["smtp_code"])
            if e.get("permanent") is not None:
                add(s[3], first is not None and first[2] is not None and first[2] == e["permanent"])
        scores[tool] = s
        for i, r in enumerate(s):
            total[tool][i][0] += r[0]; total[tool][i][1] += r[1]
    rows.append((f"{split} ({len(exp)} messages)", scores))
rows.append(("all", total))
print(f"{'':40} {'mailtriage':>22} {'sisimai 4.25':>22}")
for name, scores in rows:
    print(name)
    for i, fig in enumerate(figures):
        print(f"  {fig:38} {show(scores['mailtriage'][i]):>22} {show(scores['sisimai'][i]):>22}")
PY
