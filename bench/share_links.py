"""Benchmark `/s/<code>` against a bare Flask app doing the same work, in the same run.

    python -m bench.share_links --database-url sqlite:////tmp/bench_share.sqlite3
    python -m bench.share_links --database-url postgresql://postgres@127.0.0.1:5432/bench_share

Each app runs under gunicorn (4 workers) on 127.0.0.1 and is driven by wrk
(32 connections) over a few hundred real codes; the two alternate for
`--rounds` rounds. Then a fixed batch of requests checks that clicks recorded
equal redirects answered. The database must be empty or a previous bench
database: it is upgraded to the latest schema and the bench rows are added once.
Results go to bench/results/share-links-<db>.md and .json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
LINKS = 500
LUA = """
local codes = {}
for line in io.lines(os.getenv("BENCH_CODES")) do codes[#codes + 1] = line end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  return wrk.format("GET", "/s/" .. codes[math.random(#codes)], {["User-Agent"] = "Mozilla/5.0 (bench) Chrome/131"})
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url: str) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "BENCH_DATABASE_URL": database_url, "LOG_LEVEL": "WARNING",
            "SECRET_KEY": "bench-secret-key-not-for-production", "MAIL_BACKEND": "console"}


def prepare(database_url: str) -> list[str]:
    """Upgrade the schema and make one item with LINKS tracked links (once); return their codes."""
    env = app_env(database_url)
    subprocess.run([PYTHON, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    script = f"""
from sqlalchemy import select
from app import create_app
from app.extensions import db
from app.library import services
from app.library.models import ContentItem, ShareLink
from app.people.models import User
app = create_app()
with app.app_context():
    item = db.session.scalar(select(ContentItem).where(ContentItem.slug == "bench-item"))
    if item is None:
        item = ContentItem(slug="bench-item", title="Bench item", link="https://example.com/p?ref=bench",
                           status="published")
        db.session.add(item)
        people = [User(email=f"bench{{n}}@example.com", name=f"Bench {{n}}") for n in range({LINKS // 5})]
        db.session.add_all(people)
        db.session.flush()
        for person in people:
            for network in ("linkedin", "x", "facebook", "email", "copy"):
                services.link_for(person.id, item.id, network)
        db.session.commit()
    for code in db.session.scalars(select(ShareLink.code).where(ShareLink.item_id == item.id)):
        print(code)
"""
    out = subprocess.run([PYTHON, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return [line for line in out.stdout.split() if re.fullmatch(r"[A-Za-z0-9_-]{16,32}", line)]


def click_count(database_url: str) -> int:
    script = ("from sqlalchemy import text\nfrom app import create_app\nfrom app.extensions import db\n"
              "app = create_app()\nwith app.app_context():\n"
              "    print(db.session.execute(text('SELECT count(*) FROM click')).scalar())")
    out = subprocess.run([PYTHON, "-c", script], cwd=ROOT, env=app_env(database_url), check=True,
                         capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1])


class Server:
    def __init__(self, target: str, database_url: str):
        self.port = free_port()
        self.process = subprocess.Popen(
            [GUNICORN, "-w", "4", "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", target],
            cwd=ROOT, env=app_env(database_url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"{target} did not start")

    def warm_up(self, code: str, codes_file: str, connections: int) -> None:
        """Wait until the workers answer, then load every worker once (wrk for 3 s, discarded)."""
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                connection.request("GET", f"/s/{code}")
                if connection.getresponse().status == 302:
                    break
            except OSError:
                time.sleep(0.2)
        run_wrk(self.port, codes_file, 3, connections)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def run_wrk(port: int, codes_file: str, duration: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    threads = str(min(4, connections))
    out = subprocess.run(["wrk", "-t", threads, "-c", str(connections), "-d", f"{duration}s", "--latency", "-s",
                          script.name, f"http://127.0.0.1:{port}"], env={**os.environ, "BENCH_CODES": codes_file},
                         check=True, capture_output=True, text=True).stdout
    os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}
    return {"rps": rps, "requests": requests, "non_3xx": int(bad.group(1)) if bad else 0,
            "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
            "p50_ms": float(p50.group(1)) * scale[p50.group(2)], "p99_ms": float(p99.group(1)) * scale[p99.group(2)]}


def exact_check(port: int, codes: list[str], total: int, threads: int) -> int:
    """Send exactly `total` requests over keep-alive connections; return how many answered 302."""

    def worker(n: int) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        redirects = 0
        for i in range(n, total, threads):
            connection.request("GET", f"/s/{codes[i % len(codes)]}", headers={"User-Agent": "Mozilla/5.0 check"})
            response = connection.getresponse()
            response.read()
            redirects += response.status == 302
        connection.close()
        return redirects

    with ThreadPoolExecutor(threads) as pool:
        return sum(pool.map(worker, range(threads)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--check-requests", type=int, default=5000)
    args = parser.parse_args()
    db_name = "postgresql" if args.database_url.startswith("postgres") else "sqlite"
    codes = prepare(args.database_url)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as codes_file:
        codes_file.write("\n".join(codes) + "\n")
    targets = {"bare": "bench.share_bare_app:app", "touchpoint": "wsgi:app"}
    runs: dict[str, list[dict]] = {"bare": [], "touchpoint": []}
    for round_no in range(args.rounds):
        for name, target in targets.items():
            server = Server(target, args.database_url)
            try:
                server.warm_up(codes[0], codes_file.name, args.connections)
                before = click_count(args.database_url)
                result = run_wrk(server.port, codes_file.name, args.duration, args.connections)
                time.sleep(1)
                result["clicks_recorded"] = click_count(args.database_url) - before
            finally:
                server.stop()
            runs[name].append(result)
            print(f"round {round_no + 1} {name:10} {result['rps']:8.0f} req/s  p50 {result['p50_ms']:.2f} ms  "
                  f"p99 {result['p99_ms']:.2f} ms  requests {result['requests']}  clicks {result['clicks_recorded']}"
                  f"  non-3xx {result['non_3xx']}  socket errors {result['socket_errors']}", flush=True)
    server = Server(targets["touchpoint"], args.database_url)
    try:
        server.warm_up(codes[0], codes_file.name, args.connections)
        before = click_count(args.database_url)
        redirects = exact_check(server.port, codes, args.check_requests, args.connections)
        time.sleep(0.5)
        recorded = click_count(args.database_url) - before
    finally:
        server.stop()
    os.unlink(codes_file.name)
    mean = {name: sum(r["rps"] for r in results) / len(results) for name, results in runs.items()}
    ratio = mean["touchpoint"] / mean["bare"]
    summary = {"database": db_name, "workers": 4, "connections": args.connections, "duration_s": args.duration,
               "runs": runs, "mean_rps": mean, "ratio": round(ratio, 3),
               "exact_check": {"requests": args.check_requests, "redirects": redirects, "clicks": recorded}}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"share-links-{db_name}.json").write_text(json.dumps(summary, indent=2))
    lines = [f"# /s/<code> on {db_name}: gunicorn 4 workers, wrk {args.connections} connections, "
             f"{args.duration} s x {args.rounds} rounds", "",
             "| app | round | req/s | p50 ms | p99 ms | requests | clicks recorded | non-3xx |",
             "|---|---|---|---|---|---|---|---|"]
    for name, results in runs.items():
        for n, r in enumerate(results, 1):
            lines.append(f"| {name} | {n} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['requests']} "
                         f"| {r['clicks_recorded']} | {r['non_3xx']} |")
    lines += ["", f"Mean: bare {mean['bare']:.0f} req/s, Touchpoint {mean['touchpoint']:.0f} req/s, "
              f"ratio **{ratio:.2f}x**.", "",
              f"Exact check: {args.check_requests} requests, {redirects} answered 302, {recorded} clicks recorded.", "",
              "wrk counts requests completed within the run; requests still in flight when it stops are answered "
              "(and recorded) but not counted, so clicks may exceed wrk's count by up to the connection count."]
    (RESULTS / f"share-links-{db_name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
