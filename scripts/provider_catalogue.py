#!/usr/bin/env python3
"""Print the provider catalogue's audit table (docs/providers.md) from rules/*.toml.

One row per [[provider]]: the signals its fingerprints recognise it by (answering and MX host
patterns, link domains, tokens, wording, legacy markers), how many provider rules read its
replies, and its source. `--counts` prints only the totals of providers x signal kinds.

    python3 scripts/provider_catalogue.py [RULES_DIR] [--counts]
"""
import pathlib
import re
import sys
import tomllib

KINDS = ("hosts", "links", "tokens", "wording", "markers")


def load(rules_dir):
    providers, rules = [], {}
    for path in sorted(pathlib.Path(rules_dir).glob("*.toml")):
        data = tomllib.loads(path.read_text())
        for p in data.get("provider", []):
            providers.append((path.name, p))
        for r in data.get("provider_rule", []):
            rules[r["provider"]] = rules.get(r["provider"], 0) + 1
    return providers, rules


def readable_host(pattern):
    """A host regex as a reader would write it: `(^|\\.)(a\\.com|b\\.net)\\.?$` -> `*.a.com, *.b.net`."""
    p = pattern.replace("(?i)", "")
    suffix = p.startswith("(^|\\.)")
    p = p.removeprefix("(^|\\.)").removeprefix("^")
    p = re.sub(r"(\\\.\?)?\$$", "", p).replace("\\.", ".").replace("\\d+", "N").replace("\\d", "N")
    if p.startswith("(") and p.endswith(")") and p.count("(") == 1:
        parts = p[1:-1].split("|")
    else:
        parts = [p]
    return ", ".join(("*." if suffix else "") + part for part in parts)


def row(file, p, rules):
    cells = []
    hosts = "; ".join(readable_host(h) for h in p.get("hosts", [])) or "—"
    cells.append(hosts.replace("|", "\\|"))
    cells.append(", ".join(p.get("links", [])) or "—")
    for kind in ("tokens", "wording", "markers"):
        n = len(p.get(kind, []))
        cells.append(str(n) if n else "—")
    source = p["source"]
    offline = "not readable offline" in source or "no published list" in source or "no list of replies" in source
    first = source.split(";")[0].split(" (")[0]
    kind = "gateway" if p.get("gateway") else "software" if p.get("software") else ""
    name = p["name"].replace("|", "\\|")
    return f"| {name} | `{p['id']}` {kind} | {cells[0]} | {cells[1]} | {cells[2]} | {cells[3]} | {cells[4]} | {rules.get(p['id'], 0)} | {first}{' (offline: no)' if offline else ''} |"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    providers, rules = load(args[0] if args else "rules")
    if "--counts" in sys.argv:
        print(f"providers: {len(providers)}")
        for kind in KINDS:
            print(f"{kind}: {sum(1 for _, p in providers if p.get(kind))} providers, {sum(len(p.get(kind, [])) for _, p in providers)} patterns")
        print(f"with provider rules: {sum(1 for _, p in providers if rules.get(p['id']))}; rules: {sum(rules.values())}")
        return
    print("| provider | id | answering / MX hosts | link domains | tokens | wording | markers | rules | source |")
    print("|---|---|---|---|---|---|---|---|---|")
    for file, p in providers:
        print(row(file, p, rules))


if __name__ == "__main__":
    main()
