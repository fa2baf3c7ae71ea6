#!/usr/bin/env python3
"""Differential CORS request matrix (standard library only).

Sends the same requests to several servers that implement the seed policy
    origin https://frontend.example.com, methods GET and POST,
    headers Content-Type and Authorization, credentials
and prints a side-by-side markdown table of their answers. It also checks the answers of one
server (ours, the `#[cors]` routes) against the behaviour this project promises, and exits
non-zero when ours deviates. Differences among the peers are reported, never failures.

Usage:
    compare.py --server nginx=PORT --server express=PORT ... [--check NAME] [--out FILE]
A server given as NAME=- is shown as "not running" (and, if it is the checked one, fails).
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
from dataclasses import dataclass, field

F = "https://frontend.example.com"
E = "https://evil.example.com"
PATH = "/api/data"
TIMEOUT_S = 5.0

# Abbreviations used in the table cells.
SHORT = {
    "access-control-allow-origin": "ACAO",
    "access-control-allow-credentials": "ACAC",
    "access-control-allow-methods": "ACAM",
    "access-control-allow-headers": "ACAH",
    "access-control-expose-headers": "ACEH",
    "access-control-max-age": "ACMA",
    "access-control-allow-private-network": "ACAPN",
    "vary": "Vary",
}
VALUE_SHORT = [(F, "F"), (E, "E")]


@dataclass
class Req:
    key: str
    title: str
    method: str
    headers: list[tuple[str, str]]
    # Expected behaviour of OUR server: one of the kinds below (see check_ours).
    expect: str
    body: bytes | None = None
    # Soft expectations are reported as notes, not failures.
    soft: bool = False
    # Is this a preflight as a browser would send it (OPTIONS + Origin + ACRM)?
    preflight: bool = False

    @property
    def origin(self) -> str | None:
        for k, v in self.headers:
            if k.lower() == "origin":
                return v
        return None

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


def pf(key, title, origin, acrm, acrh: list[str] | None, expect, soft=False):
    headers = [("Origin", origin), ("Access-Control-Request-Method", acrm)]
    for value in acrh or []:
        headers.append(("Access-Control-Request-Headers", value))
    return Req(key, title, "OPTIONS", headers, expect, soft=soft, preflight=True)


JSON = [("Content-Type", "application/json")]

MATRIX: list[Req] = [
    Req("get-allowed", "GET, Origin F", "GET", [("Origin", F)], "actual-granted"),
    Req("get-refused", "GET, Origin E (evil)", "GET", [("Origin", E)], "actual-refused"),
    Req("get-no-origin", "GET, no Origin", "GET", [], "actual-refused"),
    Req("get-suffix", "GET, Origin `F.evil.net` (suffix attack)", "GET",
        [("Origin", F + ".evil.net")], "actual-refused"),
    Req("get-prefix", "GET, Origin `https://evilfrontend.example.com` (prefix attack)", "GET",
        [("Origin", "https://evilfrontend.example.com")], "actual-refused"),
    Req("get-null", "GET, Origin `null`", "GET", [("Origin", "null")], "actual-refused"),
    Req("get-http", "GET, Origin `http://frontend.example.com` (http scheme)", "GET",
        [("Origin", "http://frontend.example.com")], "actual-refused"),
    Req("get-upper", "GET, Origin `HTTPS://FRONTEND.EXAMPLE.COM` (not byte-equal)", "GET",
        [("Origin", F.upper())], "actual-refused"),
    Req("get-port", "GET, Origin `https://frontend.example.com:443` (default port written out)",
        "GET", [("Origin", F + ":443")], "actual-refused"),
    Req("get-slash", "GET, Origin `https://frontend.example.com/` (trailing slash)", "GET",
        [("Origin", F + "/")], "actual-refused"),
    Req("post-allowed", "POST (JSON body), Origin F", "POST",
        [("Origin", F)] + JSON, "actual-granted", body=b"{}"),
    Req("post-refused", "POST (JSON body), Origin E", "POST",
        [("Origin", E)] + JSON, "actual-refused", body=b"{}"),
    pf("pf-post", "preflight POST, ACRH `content-type,authorization`",
       F, "POST", ["content-type,authorization"], "preflight-granted"),
    pf("pf-get", "preflight GET, no ACRH", F, "GET", None, "preflight-granted"),
    pf("pf-put", "preflight PUT (method not allowed)", F, "PUT", None, "preflight-unserved"),
    pf("pf-delete", "preflight DELETE (method not allowed)", F, "DELETE", None,
       "preflight-unserved"),
    pf("pf-lower", "preflight `post` (lower case, which is not POST)", F, "post", None,
       "preflight-not-granted"),
    pf("pf-xcustom", "preflight POST, ACRH `x-custom` (header not allowed)",
       F, "POST", ["x-custom"], "preflight-refused"),
    pf("pf-some-refused", "preflight POST, ACRH `authorization,x-custom`",
       F, "POST", ["authorization,x-custom"], "preflight-refused"),
    pf("pf-star", "preflight POST, ACRH `*` (literal with credentials)", F, "POST", ["*"],
       "preflight-refused"),
    pf("pf-evil", "preflight POST from Origin E", E, "POST", ["content-type"],
       "preflight-refused"),
    pf("pf-null", "preflight POST from Origin `null`", "null", "POST", ["content-type"],
       "preflight-refused"),
    pf("pf-mixed", "preflight POST, ACRH `Content-Type, Authorization` (case, spaces)",
       F, "POST", ["Content-Type, Authorization"], "preflight-granted"),
    pf("pf-empty-elems", "preflight POST, ACRH `content-type,,authorization,` (empty elements)",
       F, "POST", ["content-type,,authorization,"], "preflight-granted", soft=True),
    pf("pf-split", "preflight POST, ACRH split over two lines `content-type` + `authorization`",
       F, "POST", ["content-type", "authorization"], "preflight-granted", soft=True),
    Req("options-no-acrm", "OPTIONS, Origin F, no ACRM (not a preflight)", "OPTIONS",
        [("Origin", F)], "not-preflight"),
    Req("options-no-origin", "OPTIONS, ACRM POST, no Origin (not CORS)", "OPTIONS",
        [("Access-Control-Request-Method", "POST")], "not-preflight", soft=True),
]


@dataclass
class Resp:
    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def cors_lines(self) -> list[tuple[str, str]]:
        """CORS header lines in a fixed order (the order of SHORT), so that tables from two runs
        can be compared: actix-web's header map does not keep a stable order. Lines of one name
        keep the order they were received in."""
        order = list(SHORT)
        lines = [(k, v) for k, v in self.headers
                 if k.lower().startswith("access-control-") or k.lower() == "vary"]
        return sorted(lines, key=lambda kv: order.index(kv[0].lower())
                      if kv[0].lower() in order else len(order))

    def has_allow_headers(self) -> bool:
        return any(k.lower().startswith("access-control-allow-") for k, _ in self.headers)


def send(port: int, req: Req) -> Resp:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    try:
        conn.putrequest(req.method, PATH, skip_accept_encoding=True)
        for k, v in req.headers:
            conn.putheader(k, v)
        if req.body is not None:
            conn.putheader("Content-Length", str(len(req.body)))
        conn.endheaders(req.body)
        r = conn.getresponse()
        r.read()
        return Resp(r.status, list(r.getheaders()))
    except Exception as e:  # noqa: BLE001 -- any failure is a cell in the table
        return Resp(error=f"{type(e).__name__}: {e}")
    finally:
        conn.close()


def tokens(values: list[str], lower: bool = True) -> list[str]:
    """Parse header lines as an RFC 9110 list: split on commas, trim, drop empty elements."""
    out = []
    for v in values:
        for t in v.split(","):
            t = t.strip()
            if t:
                out.append(t.lower() if lower else t)
    return out


# --- what a browser would conclude (Fetch standard, credentials mode "include") -------------

def cors_check(req: Req, resp: Resp) -> bool:
    """Fetch 'CORS check' for a request with credentials."""
    acao = resp.values("access-control-allow-origin")
    if len(acao) != 1:  # absent, or several lines (combined, they never equal an origin)
        return False
    if acao[0] == "*" or acao[0] != req.origin:
        return False
    acac = resp.values("access-control-allow-credentials")
    return len(acac) == 1 and acac[0] == "true"


def browser_verdict(req: Req, resp: Resp) -> str:
    if resp.error is not None:
        return "error"
    if req.origin is None:
        return "n/a"  # not a CORS request: a browser applies no CORS check
    if not req.preflight:
        return "read" if cors_check(req, resp) else "blocked"
    if not (200 <= resp.status <= 299) or not cors_check(req, resp):
        return "blocked"
    method = req.values("access-control-request-method")[0]
    methods = tokens(resp.values("access-control-allow-methods"), lower=False)
    if method not in methods and method not in ("GET", "HEAD", "POST"):
        return "blocked"  # with credentials "*" is literal, so it does not help
    allowed = set(tokens(resp.values("access-control-allow-headers")))
    for h in tokens(req.values("access-control-request-headers")):
        if h not in allowed:
            return "blocked"
    return "pass"


VERDICT_TEXT = {
    "read": "page may read ✅",
    "blocked": "browser blocks ❌",
    "pass": "preflight passes ✅",
    "n/a": "no CORS check",
    "error": "error",
}


def vary_has_origin(resp: Resp) -> bool:
    return "origin" in tokens(resp.values("vary")) or "*" in tokens(resp.values("vary"))


# --- rendering --------------------------------------------------------------------------------

def shorten(value: str) -> str:
    for long, short in VALUE_SHORT:
        if value == long:
            return short
    return value


def cell(req: Req, resp: Resp | None) -> str:
    if resp is None:
        return "*not running*"
    if resp.error is not None:
        return f"**{resp.error}**".replace("|", "\\|")
    lines = [f"**{resp.status}**"]
    for k, v in resp.cors_lines():
        name = SHORT.get(k.lower(), k)
        lines.append(f"{name}: `{shorten(v)}`")
    if not resp.values("vary"):
        lines.append("*no Vary*")
    lines.append(VERDICT_TEXT[browser_verdict(req, resp)])
    return "<br>".join(l.replace("|", "\\|") for l in lines)


def request_cell(req: Req) -> str:
    return req.title.replace("|", "\\|")


def outcome(req: Req, resp: Resp | None):
    """What matters when comparing two servers: the browser's verdict, success or not,
    and whether the response tells caches that it varies with Origin."""
    if resp is None or resp.error is not None:
        return None
    ok = 200 <= resp.status <= 299
    return (browser_verdict(req, resp), ok, vary_has_origin(resp), resp.has_allow_headers())


def describe_difference(req: Req, ours: Resp, peer: Resp) -> list[str]:
    out = []
    vo, vp = browser_verdict(req, ours), browser_verdict(req, peer)
    if vo != vp:
        out.append(f"verdict {vp}")
    if (200 <= ours.status <= 299) != (200 <= peer.status <= 299):
        out.append(f"status {peer.status}")
    if vary_has_origin(ours) != vary_has_origin(peer):
        out.append("Vary: Origin" if vary_has_origin(peer) else "no Vary: Origin")
    if ours.has_allow_headers() != peer.has_allow_headers():
        out.append("grant headers" if peer.has_allow_headers() else "no grant headers")
    return out


def diff_cell(req: Req, results: dict[str, Resp | None], ours_name: str | None) -> str:
    if ours_name is None:
        return ""
    ours = results.get(ours_name)
    if ours is None or ours.error is not None:
        return "–"
    parts = []
    for name, resp in results.items():
        if name == ours_name or resp is None or resp.error is not None:
            continue
        d = describe_difference(req, ours, resp)
        if d:
            parts.append(f"{name}: " + ", ".join(d))
    return "<br>".join(parts) if parts else "same"


def render(results: dict[str, dict[str, Resp | None]], names: list[str],
           ours_name: str | None) -> str:
    out = []
    out.append("- F = `https://frontend.example.com`, E = `https://evil.example.com`; ACAO, ACAC, "
               "ACAM, ACAH = `Access-Control-Allow-Origin`, `-Credentials`, `-Methods`, `-Headers`.")
    out.append("- A cell is the status, then every `Access-Control-*` and `Vary` header line received "
               "(in the fixed order ACAO, ACAC, ACAM, ACAH, others, Vary; lines of one name in the "
               "order received), *no Vary* when there is none, and last what a browser concludes "
               "(Fetch standard CORS check, credentials mode `include`).")
    if ours_name:
        out.append(f"- The last column lists how each peer differs from {ours_name} in what matters: "
                   "the browser's verdict, 2xx or not, `Vary` listing `Origin` or not, any "
                   "`Access-Control-Allow-*` header or none.")
    out.append("")
    head = ["#", "request"] + names + (["differs from ours"] if ours_name else [])
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "|".join("---" for _ in head) + "|")
    for i, req in enumerate(MATRIX, 1):
        row = [str(i), request_cell(req)]
        row += [cell(req, results[req.key][n]) for n in names]
        if ours_name:
            row.append(diff_cell(req, results[req.key], ours_name))
        out.append("| " + " | ".join(row) + " |")
    return "\n".join(out) + "\n"


# --- our promises -----------------------------------------------------------------------------

def check_ours(req: Req, r: Resp) -> list[str]:
    """Return the list of deviations of our server from the promised behaviour."""
    if r.error is not None:
        return [f"request failed: {r.error}"]
    problems = []
    acao = r.values("access-control-allow-origin")
    acac = r.values("access-control-allow-credentials")
    vary = tokens(r.values("vary"))

    def want(cond, msg):
        if not cond:
            problems.append(msg)

    kind = req.expect
    if kind == "actual-granted":
        want(r.status == 200, f"status {r.status}, want 200")
        want(acao == [F], f"ACAO {acao}, want exactly [{F!r}]")
        want(acac == ["true"], f"ACAC {acac}, want exactly ['true']")
        want("origin" in vary, f"Vary {r.values('vary')}, want it to list Origin")
        want(not r.values("access-control-allow-methods")
             and not r.values("access-control-allow-headers"),
             "ACAM/ACAH on an actual response")
    elif kind == "actual-refused":
        want(r.status == 200, f"status {r.status}, want 200 (the handler still answers)")
        want(not r.has_allow_headers(),
             f"Access-Control-Allow-* present: {r.cors_lines()}")
        want("origin" in vary, f"Vary {r.values('vary')}, want it to list Origin")
    elif kind == "preflight-granted":
        want(r.status == 204, f"status {r.status}, want 204")
        want(acao == [F], f"ACAO {acao}, want exactly [{F!r}]")
        want(acac == ["true"], f"ACAC {acac}, want exactly ['true']")
        method = req.values("access-control-request-method")[0]
        want(method in tokens(r.values("access-control-allow-methods"), lower=False),
             f"ACAM {r.values('access-control-allow-methods')} does not list {method}")
        allowed = set(tokens(r.values("access-control-allow-headers")))
        for h in tokens(req.values("access-control-request-headers")):
            want(h in allowed, f"ACAH {r.values('access-control-allow-headers')} lacks {h}")
        for v in ("origin", "access-control-request-method", "access-control-request-headers"):
            want(v in vary, f"Vary {r.values('vary')} lacks {v}")
        want(browser_verdict(req, r) == "pass", "a browser would not accept this preflight")
    elif kind == "preflight-refused":
        want(r.status == 403, f"status {r.status}, want 403")
        want(not r.has_allow_headers(), f"Access-Control-Allow-* present: {r.cors_lines()}")
    elif kind == "preflight-unserved":
        want(r.status == 404, f"status {r.status}, want 404 (no route serves this method)")
        want(not r.has_allow_headers(), f"Access-Control-Allow-* present: {r.cors_lines()}")
    elif kind == "preflight-not-granted":
        want(not (200 <= r.status <= 299), f"status {r.status}, want a non-2xx answer")
        want(not r.has_allow_headers(), f"Access-Control-Allow-* present: {r.cors_lines()}")
    elif kind == "not-preflight":
        want(not r.values("access-control-allow-methods")
             and not r.values("access-control-allow-headers"),
             f"answered like a preflight: {r.cors_lines()}")
        want(not (200 <= r.status <= 299),
             f"status {r.status}: no route serves OPTIONS, want a non-2xx answer")
    else:
        raise AssertionError(kind)
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", action="append", default=[], metavar="NAME=PORT",
                    help="a server to query (NAME=- for one that is not running)")
    ap.add_argument("--check", metavar="NAME", help="the server whose answers are asserted")
    ap.add_argument("--out", metavar="FILE", help="also write the table here")
    args = ap.parse_args()

    servers: list[tuple[str, int | None]] = []
    for s in args.server:
        name, _, port = s.partition("=")
        servers.append((name, None if port in ("", "-") else int(port)))
    names = [n for n, _ in servers]
    if args.check and args.check not in names:
        ap.error(f"--check {args.check}: no such --server")

    results: dict[str, dict[str, Resp | None]] = {}
    for req in MATRIX:
        results[req.key] = {n: (send(p, req) if p is not None else None) for n, p in servers}

    table = render(results, names, args.check)
    print(table)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(table)
        print(f"(table written to {args.out})")

    if not args.check:
        return 0
    failures, notes = 0, 0
    print(f"\nChecks of {args.check} against the promised behaviour:")
    for i, req in enumerate(MATRIX, 1):
        r = results[req.key][args.check]
        if r is None:
            problems = ["server not running"]
        else:
            problems = check_ours(req, r)
        if not problems:
            print(f"  ok    #{i} {req.key}")
        elif req.soft and r is not None and r.error is None:
            notes += 1
            print(f"  NOTE  #{i} {req.key}: " + "; ".join(problems))
        else:
            failures += 1
            print(f"  FAIL  #{i} {req.key}: " + "; ".join(problems))
    passed = len(MATRIX) - failures - notes
    if notes:
        print(f"\n{notes} soft expectation(s) not met: see the NOTE lines (reported, not failed)")
    print(f"\ndifferential: {passed} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
