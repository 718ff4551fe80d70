"""The report: the learner scenarios as one markdown table (a column each), every other scenario as a
table of its own with one row per figure.
"""
from __future__ import annotations

import json


def _fmt(v, unit: str = "") -> str:
    return "-" if v is None else f"{v:,}{unit}" if isinstance(v, int) else f"{v:.2f}{unit}"


def learner_rows(results: list[dict]) -> list[tuple[str, list[str]]]:
    rows = []
    for name, get in (
        ("page opened, p50 / p95", lambda r: f"{_fmt(r['open_s']['p50'], ' s')} / {_fmt(r['open_s']['p95'], ' s')}"),
        ("Step click to script finished, p50 / p95", lambda r: " / ".join(
            _fmt(r["click_latency_s"][k], " s") for k in ("p50", "p95"))),
        ("p99 / max", lambda r: " / ".join(_fmt(r["click_latency_s"][k], " s") for k in ("p99", "max"))),
        ("clicks sent / answered / timed out", lambda r: "{sent} / {answered} / {timed_out}".format(**r["clicks"])),
        ("counter moved by exactly one / violations", lambda r: "{moved_by_one} / {violations}".format(**r["counter"])),
        ("bytes per Step click (mean)", lambda r: ", ".join(f"{p}: {b['mean'] / 1000:.1f} KB"
                                                          for p, b in r["bytes_per_click"].items()) or "-"),
        ("exception elements / dropped sockets / failed learners", lambda r: "{exception_elements} / "
         "{dropped_by_server} / {learners_failed}".format(**r["errors"])),
        ("Run to end: seconds (steps)", lambda r: ", ".join(
            f"{_fmt(x['seconds'], ' s') if x['seconds'] is not None else 'not done'} ({x['steps']})"
            for x in r["run_to_end"]) or "-"),
        ("server CPU mean / p95", lambda r: "{mean} % / {p95} %".format(**r["server"]["cpu_pct"])
         if "cpu_pct" in r["server"] else "-"),
        ("server RSS start / peak / end", lambda r: "{start} / {peak} / {end} MB".format(**r["server"]["rss_mb"])
         if "rss_mb" in r["server"] else "-"),
        ("client CPU mean (this script)", lambda r: f"{r['server'].get('client_cpu_pct', '-')} %"),
    ):
        rows.append((name, [get(r) for r in results]))
    return rows


def flat(d: dict, prefix: str = "") -> list[tuple[str, str]]:
    """(dotted name, value) for every leaf of a nested result."""
    rows = []
    for key, value in d.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += flat(value, name + ".")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for i, item in enumerate(value):
                rows += flat(item, f"{name}[{i}].")
        else:
            rows.append((name, value if isinstance(value, str) else json.dumps(value)))
    return rows


def markdown(results: list[dict]) -> str:
    """The learner scenarios as one table (a column each); every other scenario as a table of its own."""
    out = []
    learners = [r for r in results if r["scenario"] == "learners"]
    if learners:
        head = [f"{r['learners']} learners" for r in learners]
        pages = ", ".join(learners[0]["pages"])
        out.append(f"| {pages}, Step every 2-4 s, {learners[0]['duration_s']:g} s | " + " | ".join(head) + " |")
        out.append("| --- |" + " --- |" * len(head))
        out += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in learner_rows(learners)]
    for r in results:
        if r["scenario"] != "learners":
            out += ["", f"| {r['scenario']} | |", "| --- | --- |"]
            out += [f"| {k} | {v.replace('|', '/')} |" for k, v in flat(r) if k not in ("scenario", "rss_timeline_mb")]
    return "\n".join(out)
