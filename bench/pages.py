"""Pages under load (issue 12 §4): the consumer's case timeline and the merchant's queue (50
rows), served by gunicorn (2 sync workers, 127.0.0.1, a free port) from an already loaded
PostgreSQL store, logged in with a session cookie from a real log-in POST; against a bare Flask
page under gunicorn doing one indexed SELECT of the same rows (``bench.bare_app``), in the same
run.

Per page: the saturation rate (wrk, closed loop, 50 connections, ``duration`` s), then a fixed
arrival rate of half that (``bench.open_loop``, ``duration / 2`` s) with p50/p99 measured from the
scheduled send time; non-2xx answers and socket errors; the peak RSS (VmHWM) of a web worker.

    .venv/bin/python -m bench.pages --url postgresql://postgres@127.0.0.1:5432/db [--duration 60]
    .venv/bin/python -m bench.pages --url ... --fill 10000      # fill an EMPTY store first

``bench_pages(url, progress, duration, sample=None)`` is what ``python -m bench`` calls: ``sample``
is what ``bench.load.load_store`` returned (``{"merchant_id", "consumer_id", "case_no", ...}``);
without it the sample of ``bench.page_store`` is used.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from bench.open_loop import open_loop
from bench.page_accounts import ensure_accounts, log_in

WORKERS = 2
CONNECTIONS = 50
Progress = Callable[[int, int], None]
ROOT = Path(__file__).resolve().parent.parent
_WRK_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("NON2XX %d\\n", total))
  io.write(string.format("P50US %d\\nP99US %d\\n", latency:percentile(50), latency:percentile(99)))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _gunicorn() -> str:
    found = Path(sys.executable).parent / "gunicorn"
    if found.exists():
        return str(found)
    which = shutil.which("gunicorn")
    if which is None:
        raise RuntimeError("gunicorn is not installed: pip install -e '.[bench]'")
    return which


@contextmanager
def _served(
    app: str, env: dict[str, str], log: Path, code: Path = ROOT
) -> Iterator[tuple[str, int]]:
    """gunicorn serving ``app`` (imported from ``code``) on 127.0.0.1:<free port>; yields (base
    URL, master pid). Always stopped (TERM, then KILL) when the block ends."""
    port = _free_port()
    env = {**env, "PYTHONPATH": str(code)}
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [_gunicorn(), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--timeout", "60", app],
            env={**os.environ, **env},
            cwd=code,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn {app} exited: see {log}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn {app} did not listen: see {log}") from None
                time.sleep(0.2)
        yield base, proc.pid
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    try:
        return [int(p) for p in children.read_text().split()]
    except OSError:
        return []


def _peak_rss_mb(master: int) -> float | None:
    peaks = []
    for pid in _workers(master):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        if found:
            peaks.append(int(found.group(1)) / 1024)
    return round(max(peaks), 1) if peaks else None


def _wrk(url: str, cookie: str, seconds: int, script: Path) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")
    cmd = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "10s"]
    cmd += ["-s", str(script)]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*cmd, url], capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    non2xx = re.search(r"NON2XX (\d+)", out)
    p50, p99 = re.search(r"P50US (\d+)", out), re.search(r"P99US (\d+)", out)
    return {
        "req_per_s": float(rate.group(1)) if rate else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "non_2xx": int(non2xx.group(1)) if non2xx else None,
        # read errors are gunicorn's sync workers closing each connection: wrk reconnects
        "socket_errors": {
            k: int(v)
            for k, v in zip(
                ("connect", "read", "write", "timeout"),
                sockets.groups() if sockets else (0, 0, 0, 0),
                strict=True,
            )
        },
        "p50_ms": int(p50.group(1)) / 1000 if p50 else None,
        "p99_ms": int(p99.group(1)) / 1000 if p99 else None,
    }


def _check(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
        if response.status != 200 or response.geturl() != url:
            raise RuntimeError(f"{url} answered {response.status} at {response.geturl()}")
    return len(body)


def _measure(url: str, cookie: str, duration: int, script: Path) -> dict[str, Any]:
    size = _check(url, cookie)
    for _ in range(20):  # warm the workers (imports, templates, pools)
        _check(url, cookie)
    closed = _wrk(url, cookie, duration, script)
    rate = max(1.0, closed["req_per_s"] / 2)
    opened = open_loop(url, cookie=cookie, rate=rate, seconds=max(5, duration // 2)).summary()
    return {"bytes": size, "closed": closed, "open": opened}


def _default_sample() -> dict[str, Any]:
    from bench.page_store import SAMPLE_CONSUMER, SAMPLE_MERCHANT

    return {
        "merchant_id": SAMPLE_MERCHANT,
        "consumer_id": SAMPLE_CONSUMER,
        "case_no": "PG-C-000000",
    }


def _machine(url: str) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(url) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        events = conn.execute("SELECT COUNT(*) FROM aftersales_events").fetchone()
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "postgresql": version[0] if version else None,
        "events": int(events[0]) if events else None,
        "gunicorn_workers": WORKERS,
    }


def bench_pages(
    url: str,
    progress: Progress | None = None,
    duration: int = 60,
    sample: dict[str, Any] | None = None,
    code: Path = ROOT,
) -> dict[str, Any]:
    """Run the page benchmark on the loaded store at ``url``; see the module docstring.
    ``code``: where the served app is imported from (another checkout, for before/after)."""
    sample = sample or _default_sample()
    users = ensure_accounts(url, sample)
    steps, done = 4, 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, steps)

    result: dict[str, Any] = {
        "machine": _machine(url),
        "duration_s": duration,
        "code": str(code),
        "pages": {},
    }
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-pages-")))
        script = tmp / "count.lua"
        script.write_text(_WRK_LUA)
        bare_env = {"BENCH_BARE_URL": url}
        app_env = {
            "AFTERSALES_DATABASE_URL": url,
            "AFTERSALES_SECRET_KEY": "bench-pages-secret",
            "AFTERSALES_DATA_DIR": str(tmp / "var"),
            # the library's pool, sized for a sync worker (one request at a time): the shared
            # server's max_connections is 100 (eventsourcing reads these from the environment)
            "POSTGRES_POOL_SIZE": "2",
            "POSTGRES_MAX_OVERFLOW": "2",
        }
        with _served("bench.bare_app:create_app()", bare_env, tmp / "bare.log") as (bare, pid):
            baseline = {
                "timeline": _measure(f"{bare}/timeline/{sample['case_no']}", "", duration, script)
            }
            tick()
            queue_url = f"{bare}/queue/{sample['merchant_id']}"
            baseline["queue"] = _measure(queue_url, "", duration, script)
            baseline["peak_rss_mb"] = _peak_rss_mb(pid)
            tick()
        served = _served("web:create_app()", app_env, tmp / "app.log", code)
        app, app_pid = stack.enter_context(served)
        pages = {
            "consumer_timeline": (
                users["consumer"],
                f"{app}/my/cases/{sample['case_no']}",
                baseline["timeline"],
            ),
            "merchant_queue": (users["merchant"], f"{app}/merchant/queue", baseline["queue"]),
        }
        for name, (user, page_url, base) in pages.items():
            cookie = log_in(app, user)
            measured = _measure(page_url, cookie, duration, script)
            ratio = measured["closed"]["req_per_s"] / max(base["closed"]["req_per_s"], 1e-9)
            result["pages"][name] = {
                **measured,
                "baseline": base,
                "ratio_to_baseline": round(ratio, 3),
                "peak_rss_mb": _peak_rss_mb(app_pid),
            }
            tick()
        result["baseline_peak_rss_mb"] = baseline["peak_rss_mb"]
    return result


def _errors(measured: dict[str, Any]) -> int:
    closed, opened = measured["closed"], measured["open"]
    sockets = closed["socket_errors"]
    return (
        (closed["non_2xx"] or 0)
        + sockets["connect"]
        + sockets["timeout"]
        + opened["non_2xx"]
        + opened["socket_errors"]
        + opened["timeouts"]
    )


def pages_markdown(result: dict[str, Any]) -> str:
    """The figures of :func:`bench_pages` as a markdown table (targets: ratio ≥0.6, p99 ≤50 ms
    at the fixed rate, no errors)."""
    machine = result["machine"]
    lines = [
        f"Pages: {machine['events']} events, {machine['cpus']} CPUs, Python {machine['python']}, "
        f"PostgreSQL {machine['postgresql']}, gunicorn {machine['gunicorn_workers']} sync "
        f"workers, {result['duration_s']} s closed loop (50 connections) + "
        f"{max(5, result['duration_s'] // 2)} s open loop at half the saturation rate",
        "",
        "| page | req/s | baseline req/s | ratio | fixed rate/s | p50 ms | p99 ms | errors "
        "| worker peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, page in result["pages"].items():
        closed, opened, base = page["closed"], page["open"], page["baseline"]
        lines.append(
            f"| {name} | {closed['req_per_s']:.1f} | {base['closed']['req_per_s']:.1f} "
            f"| {page['ratio_to_baseline']:.2f} | {opened['rate_per_s']} | {opened['p50_ms']} "
            f"| {opened['p99_ms']} | {_errors(page)} | {page['peak_rss_mb']} |"
        )
    for name in ("timeline", "queue"):
        base = next((p["baseline"] for n, p in result["pages"].items() if name in n), None)
        if base is not None:
            lines.append(
                f"| bare {name} (baseline) | {base['closed']['req_per_s']:.1f} | | | "
                f"{base['open']['rate_per_s']} | {base['open']['p50_ms']} "
                f"| {base['open']['p99_ms']} | {_errors(base)} | "
                f"{result.get('baseline_peak_rss_mb')} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="postgresql://... of a loaded store")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--fill", type=int, default=0, help="fill an EMPTY store with ~N events")
    parser.add_argument("--code", type=Path, default=ROOT, help="serve the app from this checkout")
    args = parser.parse_args()
    sample = None
    if args.fill:
        from bench.page_store import fill_page_store

        sample = fill_page_store(args.url, args.fill)["sample"]

    def show(done: int, total: int) -> None:
        print(f"pages: {done}/{total}", file=sys.stderr, flush=True)

    result = bench_pages(args.url, show, args.duration, sample, args.code)
    print(json.dumps(result, indent=2))
    print(pages_markdown(result))


if __name__ == "__main__":
    main()
