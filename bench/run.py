"""Benchmark Touchpoint's pages with gunicorn (4 workers) and wrk, against two bare-Flask floors.

    python -m bench.run --database-url URL --size small [--duration 10] [--connections 64]

For each page: requests/s, p50 and p99 latency, errors (socket errors, timeouts
and 4xx/5xx answers), and the peak memory of a worker. Results are written to
bench/results/<db>-<size>.json and .md.
"""

from __future__ import annotations

import argparse
import html.parser
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
DEMO_PASSWORD = "touchpoint-demo-2026"  # noqa: S105 (the documented demo password)


@dataclass
class Result:
    name: str
    path: str
    role: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    non_2xx_3xx: int
    peak_worker_rss_mb: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn on 127.0.0.1 with 4 workers, stopped on exit."""

    def __init__(self, app_spec: str, env: dict, workers: int = 4):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        RESULTS.mkdir(parents=True, exist_ok=True)
        # The server's log goes to a file: a pipe nobody reads fills up and stalls the workers.
        self.log_path = RESULTS / f"gunicorn-{app_spec.replace(':', '-')}.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
             "--timeout", "60", app_spec],
            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=self.log,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2)  # noqa: S310 (loopback only)
                return
            except Exception:  # still starting
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not start: {self.log_path.read_text()[-2000:]}")

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    def peak_worker_rss_mb(self) -> float:
        """The largest peak resident memory (VmHWM) of any worker, in MB."""
        peak = 0
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                peak = max(peak, int(match.group(1)))
        return round(peak / 1024, 1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


class _CsrfParser(html.parser.HTMLParser):
    token = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") == "csrf_token":
            self.token = attrs.get("value")


def session_cookie(base: str, email: str) -> str:
    """Sign in through the real form and return the Cookie header value."""
    jar = http.cookiejar.CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    parser = _CsrfParser()
    parser.feed(opener.open(base + "/login").read().decode())
    data = urllib.parse.urlencode({"email": email, "password": DEMO_PASSWORD, "csrf_token": parser.token or ""})
    try:
        opener.open(base + "/login", data=data.encode())
    except urllib.error.HTTPError as error:
        if error.code != 302:
            raise
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "touchpoint_session" not in cookies:
        raise RuntimeError(f"could not sign in as {email}")
    return cookies


LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, duration: int, connections: int, cookie: str | None = None, script: str | None = None) -> dict:
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    latencies = {p: _ms(v, u) for p, v, u in LATENCY.findall(output)}
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"requests_per_second": rps, "p50_ms": latencies.get("50", 0.0), "p99_ms": latencies.get("99", 0.0),
            "requests": requests, "errors": socket_errors + (int(non_ok.group(1)) if non_ok else 0),
            "non_2xx_3xx": int(non_ok.group(1)) if non_ok else 0}


def random_path_script(prefix: str, values: list[str]) -> str:
    """A wrk Lua script requesting prefix + a random value from `values` each time."""
    quoted = ",".join(json.dumps(v) for v in values)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(f"local values = {{{quoted}}}\n"
                     "math.randomseed(os.time())\n"
                     "request = function()\n"
                     f"  return wrk.format(nil, {json.dumps(prefix)} .. values[math.random(#values)])\n"
                     "end\n")
    return handle.name


def preflight(url: str, cookie: str | None) -> int:
    """The status one request gets (redirects not followed), so a page that fails or sends
    people to sign-in is not mistaken for a fast page."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310 (loopback only)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        return urllib.request.build_opener(NoRedirect).open(request, timeout=60).status
    except urllib.error.HTTPError as error:
        return error.code


def measure(server: Server, name: str, path: str, role: str, cookie: str | None, duration: int, connections: int,
            script: str | None = None, sample: str | None = None) -> Result:
    sys.stderr.write(f"  {name:<28} {path:<40} ... ")
    sys.stderr.flush()
    status = preflight(server.base + (sample or path), cookie)
    expected = 302 if sample else 200
    if status != expected:
        raise RuntimeError(f"{name}: {sample or path} answered {status}, not {expected}; see {server.log_path}")
    numbers = run_wrk(server.base + path, duration, connections, cookie, script)
    result = Result(name, path, role, peak_worker_rss_mb=server.peak_worker_rss_mb(), **numbers)
    sys.stderr.write(f"{result.requests_per_second:8.0f} req/s  p50 {result.p50_ms:6.1f} ms  "
                     f"p99 {result.p99_ms:7.1f} ms  errors {result.errors}\n")
    return result


def markdown_table(results: list[Result], floor_ok: float) -> str:
    lines = ["| page | role | req/s | × ok floor | p50 ms | p99 ms | errors | peak worker MB |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        ratio = r.requests_per_second / floor_ok if floor_ok else 0
        lines.append(f"| {r.name} | {r.role} | {r.requests_per_second:,.0f} | {ratio:.2f} | {r.p50_ms:.1f} | "
                     f"{r.p99_ms:.1f} | {r.errors} | {r.peak_worker_rss_mb:.0f} |")
    return "\n".join(lines) + "\n"


# What cron runs every few minutes in production (README), run once before the pages are measured.
SUMMARY_COMMANDS = [["library", "rollup"]]


def run_summaries(env: dict) -> None:
    for command in SUMMARY_COMMANDS:
        sys.stderr.write(f"  (flask {' '.join(command)}) ")
        began = time.perf_counter()
        subprocess.run([PYTHON, "-m", "flask", "--app", "wsgi", *command], cwd=ROOT, env={**os.environ, **env},
                       check=True, stdout=subprocess.DEVNULL)
        sys.stderr.write(f"{time.perf_counter() - began:.1f}s\n")


def main(argv: list[str] | None = None) -> int:
    from bench.pages import discover_pages, tracked_link_codes

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--size", default="small")
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--only", default="", help="comma-separated page names to run")
    args = parser.parse_args(argv)

    env = {"DATABASE_URL": args.database_url, "SECRET_KEY": "bench-secret-key-not-for-production",
           "RATELIMIT_ENABLED": "0", "LOG_LEVEL": "WARNING", "MAIL_BACKEND": "console"}
    kind = "postgresql" if args.database_url.startswith("postgres") else "sqlite"
    RESULTS.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    floors: dict[str, Result] = {}
    codes = tracked_link_codes(args.database_url, 5000)

    sys.stderr.write(f"== Touchpoint ({kind}, {args.size})\n")
    server = Server("wsgi:app", env)
    try:
        cookies: dict[str, str] = {}
        # Clicks the tracked-link runs insert are measured last, so the dashboards meet the data
        # the way they would between two cron runs of the rollup (which runs first, as cron would).
        run_summaries(env)
        pages = sorted(discover_pages(args.database_url), key=lambda page: page.path == "/s/<code>")
        for page in pages:
            if args.only and page.name not in args.only.split(","):
                continue
            cookie = None
            if page.email:
                cookies.setdefault(page.email, session_cookie(server.base, page.email))
                cookie = cookies[page.email]
            script = random_path_script("/s/", codes) if page.path == "/s/<code>" else None
            path = "/s/" if script else page.path
            result = measure(server, page.name, path, page.role, cookie, args.duration, args.connections, script,
                             sample=f"/s/{codes[0]}" if script else None)
            result.path = page.path
            results.append(result)
    finally:
        server.stop()

    sys.stderr.write(f"== floors ({kind})\n")
    floor_env = {**env, "BENCH_DATABASE_URL": args.database_url}
    for name, spec in (("floor: ok", "bench.floors:ok_app"), ("floor: lookup-insert-302", "bench.floors:redirect_app")):
        server = Server(spec, floor_env)
        try:
            script = random_path_script("/s/", codes) if "302" in name else None
            floors[name] = measure(server, name, "/s/" if script else "/", "anonymous", None, args.duration,
                                   args.connections, script, sample=f"/s/{codes[0]}" if script else None)
        finally:
            server.stop()

    floor_ok = floors["floor: ok"].requests_per_second
    payload = {"database": kind, "size": args.size, "duration_s": args.duration, "connections": args.connections,
               "floors": {k: asdict(v) for k, v in floors.items()}, "pages": [asdict(r) for r in results]}
    stem = RESULTS / f"{kind}-{args.size}"
    stem.with_suffix(".json").write_text(json.dumps(payload, indent=2))
    table = markdown_table([*floors.values(), *results], floor_ok)
    stem.with_suffix(".md").write_text(f"# {kind}, {args.size} company, {args.connections} connections, "
                                       f"{args.duration}s per page\n\n{table}")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
