#!/usr/bin/env python3
"""Check the provider rule files (rules/providers.toml, rules/provider-*.toml).

Validates the schema, then simulates the engine's matching on every example:
the example must be detected as its own provider (exactly one provider for a
provider rule, none for a generic rule) and must resolve to its own rule id,
winning on the number of conditions outright (no tie), so the result does not
depend on the order in which the engine loads files.

Usage: python3 tools/check_provider_rules.py [RULES_DIR]   (exit 0 = clean)
"""
import re
import sys
import tomllib
from pathlib import Path

CATEGORIES = {
    "authentication-spf", "authentication-dkim", "authentication-dmarc", "authentication",
    "reverse-dns", "blocklist", "reputation", "rate-limit", "recipient-address", "mailbox",
    "mailbox-full", "content", "tls", "sender-configuration", "routing", "policy", "system",
    "network",
}
CHECKS = {"spf", "dkim", "dmarc", "ptr", "mx", "tls", "blocklist"}
ACTIONS = {
    "none", "retry", "slow-down", "suppress-address", "suppress-domain", "retry-then-suppress",
    "fix-sender-config", "fix-authentication", "fix-infrastructure", "request-delisting",
}
BOUNCE_TYPES = {"hard", "soft", "technical", "none"}
PROVIDER_KEYS = {"id", "name", "markers", "hosts", "source"}
RULE_KEYS = {
    "id", "provider", "enhanced", "basic", "pattern", "meaning", "category", "checks", "action",
    "bounce_type", "escalation", "source", "examples",
}
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ENHANCED_SPEC = re.compile(r"^[245X]\.\d{1,3}\.\d{1,3}$")
# Syntax the Rust `regex` crate rejects but Python accepts.
RUST_UNSUPPORTED = re.compile(r"\(\?[=!]|\(\?<[=!]|\(\?P=|\\[1-9]|\(\?>|\\Z|[*+?}][+]")
LEADING = re.compile(r"^\s*([2-5]\d\d)(?:[ \-]+#?([245]\.\d{1,3}\.\d{1,3})(?![\d.]))?")
SOURCE_OK = re.compile(r"^(https?://\S+|RFC \d+( section [\d.]+)?)$")


class Checker:
    def __init__(self):
        self.errors = []

    def err(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    def regex(self, where, pat):
        if not isinstance(pat, str) or not pat:
            self.err(where, "regex must be a non-empty string")
            return None
        if RUST_UNSUPPORTED.search(pat):
            self.err(where, f"regex uses syntax the Rust regex crate lacks: {pat!r}")
        try:
            return re.compile(pat)
        except re.error as e:
            self.err(where, f"regex does not compile ({e}): {pat!r}")
            return None


def parse_reply(text):
    """Basic and enhanced code at the start of a reply, like the reply parser."""
    m = LEADING.match(text)
    if not m:
        return None, None
    return int(m.group(1)), m.group(2)


def enhanced_matches(spec, code):
    if code is None:
        return False
    s = spec.split(".")
    c = code.split(".")
    return (s[0] == "X" or s[0] == c[0]) and s[1] == c[1] and s[2] == c[2]


def conditions(rule):
    return sum(1 for k in ("enhanced", "basic", "pattern") if k in rule)


def rule_matches(rule, text, basic, enhanced):
    if "enhanced" in rule and not any(enhanced_matches(s, enhanced) for s in rule["enhanced"]):
        return False
    if "basic" in rule and basic not in rule["basic"]:
        return False
    if "pattern" in rule and not rule["_re"].search(text):
        return False
    return True


def main():
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "rules"
    ck = Checker()
    files = [root / "providers.toml"] + sorted(root.glob("provider-*.toml"))
    providers, rules, ids = [], [], {}
    for f in files:
        try:
            data = tomllib.loads(f.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as e:
            ck.err(f.name, f"cannot load: {e}")
            continue
        extra = set(data) - {"provider", "provider_rule"}
        if extra:
            ck.err(f.name, f"unexpected top-level keys {sorted(extra)}")
        for p in data.get("provider", []):
            p["_file"] = f.name
            providers.append(p)
        for r in data.get("provider_rule", []):
            r["_file"] = f.name
            rules.append(r)

    for item in providers + rules:
        iid = item.get("id")
        where = f"{item['_file']}:{iid}"
        if not isinstance(iid, str) or not KEBAB.match(iid):
            ck.err(where, "id missing or not kebab-case")
        elif iid in ids:
            ck.err(where, f"duplicate id (also in {ids[iid]})")
        else:
            ids[iid] = item["_file"]

    pids = {}
    for p in providers:
        where = f"{p['_file']}:{p.get('id')}"
        for k in set(p) - PROVIDER_KEYS - {"_file"}:
            ck.err(where, f"unknown key {k!r}")
        for k in ("name", "source"):
            if not isinstance(p.get(k), str) or not p.get(k):
                ck.err(where, f"missing {k}")
        if not SOURCE_OK.match(str(p.get("source", ""))):
            ck.err(where, "source must be a URL or 'RFC n section x'")
        if not p.get("markers") and not p.get("hosts"):
            ck.err(where, "needs markers or hosts")
        p["_markers"] = [ck.regex(f"{where} marker", m) for m in p.get("markers", [])]
        for h in p.get("hosts", []):
            ck.regex(f"{where} host", h)
        pids[p.get("id")] = p

    for r in rules:
        where = f"{r['_file']}:{r.get('id')}"
        for k in set(r) - RULE_KEYS - {"_file"}:
            ck.err(where, f"unknown key {k!r}")
        for k in ("meaning", "category", "source"):
            if not isinstance(r.get(k), str) or not r.get(k).strip():
                ck.err(where, f"missing {k}")
        if not SOURCE_OK.match(str(r.get("source", ""))):
            ck.err(where, "source must be a URL or 'RFC n section x'")
        if r.get("category") not in CATEGORIES:
            ck.err(where, f"category {r.get('category')!r} not allowed")
        if not isinstance(r.get("checks"), list):
            ck.err(where, "checks must be a list (may be empty)")
        else:
            for c in r["checks"]:
                if c not in CHECKS:
                    ck.err(where, f"check {c!r} not allowed")
        if "action" in r and r["action"] not in ACTIONS:
            ck.err(where, f"action {r['action']!r} not allowed")
        if "bounce_type" in r and r["bounce_type"] not in BOUNCE_TYPES:
            ck.err(where, f"bounce_type {r['bounce_type']!r} not allowed")
        if "provider" in r and r["provider"] not in pids:
            ck.err(where, f"provider {r['provider']!r} is not defined")
        if "provider" not in r and "pattern" not in r:
            ck.err(where, "a generic rule (no provider) needs a pattern")
        if conditions(r) == 0:
            ck.err(where, "rule has no condition (enhanced, basic or pattern)")
        for s in r.get("enhanced", []):
            if not isinstance(s, str) or not ENHANCED_SPEC.match(s):
                ck.err(where, f"enhanced code {s!r} malformed")
        for b in r.get("basic", []):
            if not isinstance(b, int) or not 200 <= b <= 599:
                ck.err(where, f"basic code {b!r} malformed")
        if "pattern" in r:
            r["_re"] = ck.regex(f"{where} pattern", r["pattern"])
            if r["_re"] is None:
                r["_re"] = re.compile(r"(?!x)x")
        ex = r.get("examples")
        if not isinstance(ex, list) or not ex or not all(isinstance(e, str) and e for e in ex):
            ck.err(where, "needs at least one example")

    if ck.errors:
        return report(ck, providers, rules)

    order = {id(r): i for i, r in enumerate(rules)}
    for r in rules:
        where = f"{r['_file']}:{r['id']}"
        want = r.get("provider")
        for ex in r["examples"]:
            basic, enhanced = parse_reply(ex)
            if basic is None:
                ck.err(where, f"example has no leading reply code: {ex[:60]!r}")
                continue
            found = [p["id"] for p in providers if any(m and m.search(ex) for m in p["_markers"])]
            if want is not None and found != [want]:
                ck.err(where, f"example detected as {found} not [{want!r}]: {ex[:70]!r}")
                continue
            if want is None and found:
                ck.err(where, f"generic example detected as provider {found}: {ex[:70]!r}")
                continue
            prov = found[0] if found else None
            cands = [c for c in rules if c.get("provider") in (None, prov)
                     and rule_matches(c, ex, basic, enhanced)]
            if r not in cands:
                ck.err(where, f"example does not match its own rule: {ex[:70]!r}")
                continue
            best = max(conditions(c) for c in cands)
            top = [c["id"] for c in cands if conditions(c) == best]
            if top != [r["id"]]:
                ck.err(where, f"example resolves to {top} (conditions {best}), not alone to itself: {ex[:70]!r}")
    del order
    return report(ck, providers, rules)


def report(ck, providers, rules):
    counts = {}
    for r in rules:
        counts[r.get("provider", "(generic)")] = counts.get(r.get("provider", "(generic)"), 0) + 1
    for e in ck.errors:
        print("error:", e)
    print(f"{len(providers)} providers, {len(rules)} rules, "
          f"{sum(len(r.get('examples', [])) for r in rules)} examples")
    for k in sorted(counts):
        print(f"  {k}: {counts[k]}")
    print("OK" if not ck.errors else f"{len(ck.errors)} error(s)")
    return 1 if ck.errors else 0


if __name__ == "__main__":
    sys.exit(main())
