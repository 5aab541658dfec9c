#!/usr/bin/env python3
"""Score mailtriage's JSON answers against the dnsbench ground truth (manifest.json).

Inputs (all produced by scripts/ground-truth.sh):
  --static  jsonl: `mailtriage check --domains-file all.txt --format jsonl` (no --ip)
  --eval    jsonl: the same with `--only spf --ip 192.0.2.1` (manifest spf.eval)
  --ptr     jsonl: one line per (domain, sending IP) from `--only spf,ptr --ip IP`
            (manifest ptr[] and spf.eval_own_ip)

Prints one agreement line per field (agree/denominator) and, with --details,
every disagreement grouped by category with up to --examples examples.
--json FILE writes the figures for docs.
"""
import argparse
import collections
import json
import sys

PROBE = ["google", "selector1", "selector2", "s1", "s2", "k1", "k2", "k3",
         "default", "dkim", "mail", "smtp", "mx"]

# manifest spf.errors category -> mailtriage finding id
SPF_ERR = {
    "include_loop": "spf-include-loop",
    "multiple_records": "spf-multiple-records",
    "syntax": "spf-syntax-error",
    "too_many_lookups": "spf-too-many-lookups",
    "too_many_void_lookups": "spf-too-many-void-lookups",
}
# manifest dmarc.error -> mailtriage finding id(s) that express it
DMARC_ERR = {
    "missing": {"dmarc-missing"},
    "invalid_p": {"dmarc-syntax-error"},
    "missing_p": {"dmarc-missing-policy", "dmarc-syntax-error"},
    "multiple_records": {"dmarc-multiple-records"},
    # RFC 9989 4.7: a record whose first tag is not v=DMARC1 is ignored by receivers; mailtriage
    # reports it as an invalid record, never as a missing one
    "version_not_first": {"dmarc-record-invalid"},
}
DMARC_IDS = {"dmarc-missing", "dmarc-syntax-error", "dmarc-missing-policy",
             "dmarc-multiple-records", "dmarc-record-invalid"}
# a domain that does not exist: one finding says so instead of one "missing" per record
NONEXISTENT = "domain-nonexistent"
ABSENT_IDS = {"spf-missing", "dmarc-missing", "mx-missing", "dkim-no-key-found"}


def load_jsonl(path):
    out = {}
    if not path:
        return out
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if line:
                x = json.loads(line)
                out[x["domain"]] = x
    return out


def load_ptr(path):
    out = {}
    if not path:
        return out
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if line:
                x = json.loads(line)
                ip = (x.get("ptr") or {}).get("ip") or (x.get("spf") or {}).get("result", {}).get("ip")
                out[(x["domain"], ip)] = x
    return out


class Field:
    def __init__(self, name, note=""):
        self.name, self.note = name, note
        self.agree = self.total = 0
        self.bad = collections.defaultdict(list)

    def add(self, ok, category=None, example=None):
        self.total += 1
        if ok:
            self.agree += 1
        else:
            self.bad[category or "mismatch"].append(example)

    def pct(self):
        return 100.0 * self.agree / self.total if self.total else float("nan")


def ids(report, check=None):
    return {f["id"] for f in report.get("findings", []) if check is None or f["check"] == check}


def norm(name):
    return (name or "").rstrip(".").lower() or None


def ptr_verdict(ptr):
    if not ptr.get("names"):
        return "missing"
    return "confirmed" if ptr.get("fcrdns") else "mismatch"


def score(manifest, static, evalr, ptrs):
    F = collections.OrderedDict()

    def field(key, note=""):
        if key not in F:
            F[key] = Field(key, note)
        return F[key]

    for dom, m in manifest.items():
        r = static.get(dom)
        if r is None:
            field("answered").add(False, "no output line", dom)
            continue
        field("answered").add(True)
        ms, rs = m["spf"], r.get("spf") or {}
        rids = ids(r)

        # ---- SPF -------------------------------------------------------
        r_count = rs.get("records_count", 0) or 0
        field("spf.found").add((ms["records_count"] > 0) == (r_count > 0),
                               "found %s vs manifest %s" % (r_count > 0, ms["records_count"] > 0), dom)
        field("spf.records_count").add(ms["records_count"] == r_count,
                                       "%s vs %s" % (r_count, ms["records_count"]), dom)
        if ms["records_count"] == 1 and ms["lookups"] is not None:
            rl = rs.get("lookups")
            # the manifest counts what check_host() spends: nothing past a syntax error (RFC 7208
            # 4.6); mailtriage counts the whole tree as written, so the two differ only there
            why = " [tree has a syntax error]" if "syntax" in ms["errors"] else ""
            field("spf.lookups").add(rl == ms["lookups"],
                                     "mailtriage %s, manifest %s%s" % (rl, ms["lookups"], why),
                                     "%s: mailtriage %s, manifest %s (record %r)" % (dom, rl, ms["lookups"], ms["record"]))
            rv = rs.get("void_lookups")
            field("spf.void_lookups").add(rv == ms["void_lookups"],
                                          "mailtriage %s, manifest %s" % (rv, ms["void_lookups"]),
                                          "%s: mailtriage %s, manifest %s (record %r)" % (dom, rv, ms["void_lookups"], ms["record"]))
        if ms["records_count"] == 1 and ms["lookups"] is None:
            field("spf.loop_flagged").add("spf-include-loop" in rids, "loop not flagged", dom)
        if ms["records_count"] == 1 and ms["lookups"] is not None:
            over = ms["lookups"] > 10
            field("spf.over_limit_flagged").add(over == ("spf-too-many-lookups" in rids),
                                                "manifest over=%s" % over, dom)
        want = {SPF_ERR[e] for e in ms["errors"]}
        got = rids & set(SPF_ERR.values())
        field("spf.errors").add(want == got,
                                "missing %s / extra %s" % (sorted(want - got), sorted(got - want)),
                                "%s: want %s got %s (record %r)" % (dom, sorted(want), sorted(got), ms["record"]))
        for cat, fid in SPF_ERR.items():
            field("spf.error:" + cat).add((cat in ms["errors"]) == (fid in rids),
                                          "manifest %s, mailtriage %s" % (cat in ms["errors"], fid in rids), dom)
        r_valid = r_count == 1 and not got and "spf-permerror" not in rids
        field("spf.valid").add(ms["valid"] == r_valid,
                               "mailtriage %s, manifest %s" % (r_valid, ms["valid"]), dom)

        e = evalr.get(dom)
        if e is not None:
            res = ((e.get("spf") or {}).get("result") or {}).get("result")
            field("spf.eval_result(192.0.2.1)").add(res == ms["eval"]["result"],
                                                     "mailtriage %s, manifest %s (%s)" % (res, ms["eval"]["result"], ms["eval"]["error"]),
                                                     "%s (record %r)" % (dom, ms["record"]))

        # ---- DMARC -----------------------------------------------------
        md, rd = m["dmarc"], r.get("dmarc") or {}
        # mailtriage's policy follows RFC 9989 (its JSON says "standard"): a record without a valid
        # p but with a valid rua counts as p=none (section 4.10.1), which the manifest records as
        # rfc7489_fallback_policy beside a null policy
        want_policy = md["policy"] if md["policy"] is not None else md.get("rfc7489_fallback_policy")
        field("dmarc.policy").add(want_policy == rd.get("policy"),
                                  "mailtriage %s, manifest %s (error %s)" % (rd.get("policy"), want_policy, md["error"]),
                                  "%s: %r" % (dom, md["record"]))
        if m["kind"] == "subdomain":
            field("dmarc.policy(subdomains)").add(want_policy == rd.get("policy"),
                                                  "mailtriage %s, manifest %s" % (rd.get("policy"), want_policy), dom)
        if md["policy"] is not None:
            field("dmarc.inherited").add(bool(md["inherited"]) == bool(rd.get("inherited")),
                                         "mailtriage %s, manifest %s" % (rd.get("inherited"), md["inherited"]), dom)
            rdom = norm(rd.get("record_domain"))
            if rdom and rdom.startswith("_dmarc."):
                rdom = rdom[len("_dmarc."):]
            field("dmarc.record_domain").add(rdom == norm(md["record_domain"]),
                                             "mailtriage %s, manifest %s" % (rdom, md["record_domain"]), dom)
            field("dmarc.pct").add((rd.get("pct") or 100) == (md["pct"] or 100),
                                   "mailtriage %s, manifest %s" % (rd.get("pct"), md["pct"]), dom)
            field("dmarc.rua").add(sorted(rd.get("rua") or []) == sorted(md["rua"] or []),
                                   "rua differs", "%s: %s vs %s" % (dom, rd.get("rua"), md["rua"]))
            ext = md.get("rua_external") or {}
            if ext:
                want_unauth = any(v is False or v == "missing" or v == "unauthorised" for v in ext.values())
                field("dmarc.rua_external_auth").add(
                    want_unauth == ("dmarc-report-destination-unauthorised" in rids),
                    "manifest %s, flagged %s" % (ext, "dmarc-report-destination-unauthorised" in rids), dom)
        derr = md["error"]
        got = rids & DMARC_IDS
        if derr is None:
            ok = not got
        elif not m["exists"]:
            # nothing can be published under a name that does not exist: domain-nonexistent says so
            ok = not got and NONEXISTENT in rids
        else:
            ok = bool(got) and got <= DMARC_ERR[derr] | {"dmarc-syntax-error"}
        field("dmarc.error").add(ok, "manifest %s, mailtriage %s" % (derr, sorted(got)),
                                 "%s: %r" % (dom, md["record"]))

        # ---- traps the manifest marks ------------------------------------
        feats = set(m["features"])
        if "inc:plusall" in feats:
            f = [x for x in r.get("findings", []) if x["id"] == "spf-plus-all" and x["subject"] != dom]
            ok = any(x["severity"] == "error" and "include:" in x["message"] for x in f)
            field("trap.include_plus_all").add(ok, "no error naming the include that ends in +all", dom)
        if "inc:ptr_exists_macro" in feats:
            f = [x for x in r.get("findings", []) if x["id"] == "spf-ptr-mechanism" and x["subject"] != dom]
            field("trap.ptr_in_include").add(bool(f) and "include:" in f[0]["message"],
                                             "ptr inside an include not flagged", dom)
        if derr == "version_not_first":
            field("trap.dmarc_misordered").add(
                "dmarc-record-invalid" in rids and "dmarc-missing" not in rids,
                "mailtriage %s" % sorted(got), dom)
        if not m["exists"]:
            field("trap.nonexistent_domain").add(
                NONEXISTENT in rids and not (rids & ABSENT_IDS),
                "mailtriage %s" % sorted(rids), dom)

        # ---- DKIM ------------------------------------------------------
        rsel = {s["selector"]: s for s in (r.get("dkim") or {}).get("selectors", [])}
        for sel in PROBE:
            want = bool(m["dkim"]["probe"].get(sel))
            have = sel in rsel
            mstat = (m["dkim"]["selectors"].get(sel) or {}).get("status")
            field("dkim.probe_presence").add(want == have,
                                             "%s: mailtriage %s, manifest %s (%s)" % (sel, have, want, mstat),
                                             "%s %s" % (dom, sel))
        for sel, ms_ in m["dkim"]["selectors"].items():
            if sel not in PROBE:
                field("dkim.non_probe_selector_found").add(sel in rsel, "not probed", "%s %s" % (dom, sel))
            s = rsel.get(sel)
            if s is None or ms_["status"] == "dangling_cname":
                continue
            field("dkim.revoked").add((ms_["status"] == "revoked") == (s["status"] == "revoked"),
                                      "mailtriage %s, manifest %s" % (s["status"], ms_["status"]), "%s %s" % (dom, sel))
            if ms_["status"] == "valid":
                field("dkim.bits").add(s.get("bits") == ms_["bits"],
                                       "mailtriage %s, manifest %s" % (s.get("bits"), ms_["bits"]), "%s %s" % (dom, sel))
                rtest = s["status"] == "testing" or "y" in str((s.get("tags") or {}).get("t", "")).split(":")
                field("dkim.testing").add(rtest == bool(ms_["testing"]),
                                          "mailtriage %s, manifest %s" % (rtest, ms_["testing"]), "%s %s" % (dom, sel))
        for sel, ms_ in m["dkim"]["selectors"].items():
            if ms_["status"] == "dangling_cname" and sel in PROBE:
                msgs = " ".join(f["message"] for f in r.get("findings", []) if f["check"] == "dkim")
                field("dkim.dangling_cname_reported").add(sel in msgs and ("CNAME" in msgs or "cname" in msgs),
                                                          "dangling CNAME not named in any dkim finding",
                                                          "%s %s" % (dom, sel))

        # ---- MX --------------------------------------------------------
        rm = r.get("mx") or {}
        field("mx.null_mx").add(bool(m["null_mx"]) == bool(rm.get("null_mx")),
                                "mailtriage %s, manifest %s" % (rm.get("null_mx"), m["null_mx"]), dom)
        if not m["null_mx"]:
            want = sorted((x["pref"], norm(x["host"])) for x in m["mx"])
            hosts = [] if rm.get("implicit") else (rm.get("hosts") or [])
            got = sorted((h["preference"], norm(h["host"])) for h in hosts)
            field("mx.hosts").add(want == got, "hosts differ", "%s: mailtriage %s, manifest %s" % (dom, got, want))
            if want == got and want:
                wa = sorted((norm(x["host"]), tuple(sorted(x["ips"]))) for x in m["mx"])
                ga = sorted((norm(h["host"]), tuple(sorted(h.get("addresses") or []))) for h in hosts)
                field("mx.addresses").add(wa == ga, "addresses differ", "%s: %s vs %s" % (dom, ga, wa))

        # ---- PTR -------------------------------------------------------
        mxh = {(norm(h), ip): ok for h, ip, ok in ((r.get("ptr") or {}).get("mx_hosts") or [])}
        for p in m["ptr"]:
            v = mxh.get((norm(p["host"]), p["ip"]))
            field("ptr.mx_host_fcrdns(no --ip)").add(v is not None and v == (p["fcrdns"] == "confirmed"),
                                                     "mailtriage %s, manifest %s" % (v, p["fcrdns"]),
                                                     "%s %s %s" % (dom, p["host"], p["ip"]))
            x = ptrs.get((dom, p["ip"]))
            if x is None:
                continue
            rp = x.get("ptr") or {}
            verdict = ptr_verdict(rp)
            field("ptr.fcrdns(--ip)").add(verdict == p["fcrdns"],
                                          "mailtriage %s, manifest %s" % (verdict, p["fcrdns"]),
                                          "%s %s" % (dom, p["ip"]))
            names = sorted(norm(n["name"]) for n in rp.get("names") or [])
            want = [norm(p["ptr"])] if p["ptr"] else []
            field("ptr.name(--ip)").add(names == want, "names differ",
                                        "%s %s: %s vs %s" % (dom, p["ip"], names, want))
            own = ms.get("eval_own_ip")
            if own and own["ip"] == p["ip"]:
                res = ((x.get("spf") or {}).get("result") or {}).get("result")
                field("spf.eval_result(own ip)").add(res == own["result"],
                                                     "mailtriage %s, manifest %s (%s)" % (res, own["result"], own["error"]),
                                                     "%s %s (record %r)" % (dom, p["ip"], ms["record"]))
    return F


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--static", required=True)
    ap.add_argument("--eval")
    ap.add_argument("--ptr")
    ap.add_argument("--details", action="store_true")
    ap.add_argument("--examples", type=int, default=3)
    ap.add_argument("--json")
    a = ap.parse_args()
    manifest = {e["domain"]: e for e in json.load(open(a.manifest))["domains"]}
    F = score(manifest, load_jsonl(a.static), load_jsonl(a.eval), load_ptr(a.ptr))
    w = max(len(k) for k in F)
    print("%-*s %9s %8s" % (w, "field", "agree", "%"))
    for k, f in F.items():
        print("%-*s %4d/%-4d %7.2f%%" % (w, k, f.agree, f.total, f.pct()))
    if a.details:
        for k, f in F.items():
            for cat, exs in sorted(f.bad.items(), key=lambda kv: -len(kv[1])):
                print("\n[%s] %s: %d" % (k, cat, len(exs)))
                for ex in exs[:a.examples]:
                    print("    " + str(ex))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({k: {"agree": f.agree, "total": f.total,
                           "disagreements": {c: {"count": len(v), "examples": v[:a.examples]}
                                             for c, v in f.bad.items()}}
                       for k, f in F.items()}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
