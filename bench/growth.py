"""Compare the small and the large company: how much more each page costs at the large size.

    python -m bench.growth [--database postgresql|sqlite ...]

Reads bench/results/<db>-small.json and <db>-large.json (written by bench.run) and prints,
per page, the requests per second and p50 at both sizes and the cost ratio (small req/s ÷
large req/s: 1.0 means the page costs the same with 100× the data), checked against the
targets: 1.5× for employee pages, 3× for dashboards. Also checks every page against half the
bare "ok" floor at the small size. Writes bench/results/growth.md.
"""

from __future__ import annotations

import argparse
import json

from bench.run import RESULTS

EMPLOYEE_GROWTH, DASHBOARD_GROWTH, FLOOR_SHARE, TRACKED_LINK_SHARE = 1.5, 3.0, 0.5, 0.9
DASHBOARDS = {"desk queue", "desk metrics", "sharing analytics", "compliance"}


def _load(database: str, size: str) -> dict | None:
    path = RESULTS / f"{database}-{size}.json"
    return json.loads(path.read_text()) if path.exists() else None


def growth_table(database: str) -> str:
    """A Markdown table of the growth from small to large for one database ("" if a run is missing)."""
    small, large = _load(database, "small"), _load(database, "large")
    if not small or not large:
        return ""
    floor_ok = small["floors"]["floor: ok"]["requests_per_second"]
    large_pages = {p["name"]: p for p in large["pages"]}
    lines = [f"## {database}: small → large", "",
             f"bare ok floor at the small size: {floor_ok:,.0f} req/s", "",
             "| page | small req/s | × ok floor | large req/s | small p50 ms | large p50 ms | cost ratio | target | "
             "errors (s/l) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for page in small["pages"]:
        other = large_pages.get(page["name"])
        if other is None:
            continue
        ratio = page["requests_per_second"] / other["requests_per_second"] if other["requests_per_second"] else 0
        target = DASHBOARD_GROWTH if page["name"] in DASHBOARDS else EMPLOYEE_GROWTH
        verdict = "✓" if ratio <= target else "✗"
        floor_share = page["requests_per_second"] / floor_ok if floor_ok else 0
        floor_mark = "" if page["name"] in DASHBOARDS or page["name"] == "tracked link" else (
            " ✓" if floor_share >= FLOOR_SHARE else " ✗")
        lines.append(f"| {page['name']} | {page['requests_per_second']:,.0f} | {floor_share:.2f}{floor_mark} | "
                     f"{other['requests_per_second']:,.0f} | {page['p50_ms']:.1f} | {other['p50_ms']:.1f} | "
                     f"{ratio:.2f}× {verdict} | ≤{target:g}× | {page['errors']}/{other['errors']} |")
    lines.append("")
    for label, run in (("small", small), ("large", large)):
        floor = run["floors"]["floor: lookup-insert-302"]["requests_per_second"]
        link = next((p for p in run["pages"] if p["name"] == "tracked link"), None)
        if link and floor:
            ratio = link["requests_per_second"] / floor
            lines.append(f"- tracked link at the {label} size: {link['requests_per_second']:,.0f} req/s against the "
                         f"lookup-insert-302 floor's {floor:,.0f}: {ratio:.2f}× "
                         f"{'✓' if ratio >= TRACKED_LINK_SHARE else '✗'} (target ≥{TRACKED_LINK_SHARE:g}×)")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", action="append", choices=["postgresql", "sqlite"])
    args = parser.parse_args(argv)
    tables = [t for t in (growth_table(d) for d in args.database or ["postgresql", "sqlite"]) if t]
    if not tables:
        print("no pair of small and large results in bench/results/; run bench.run at both sizes first")
        return 1
    text = "\n".join(tables)
    (RESULTS / "growth.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
