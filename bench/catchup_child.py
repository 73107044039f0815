"""Section 3 in a process of its own, so that section 5 can report the projection runner's peak
resident memory (issue 12: "peak RSS ... of the projection runner during 3").

The child (``python -m bench.catchup_child URL``) runs ``bench.catchup.bench_catchup`` and writes
on stdout one ``progress DONE TOTAL`` line as it advances and one ``result {json}`` line at the
end, with its own ``VmHWM`` (the kernel's high-water mark of its resident set) added. The parent
(``run_catchup``) relays the progress and kills the child when it overruns its time budget.
(``wait4``'s ``ru_maxrss`` is no substitute: a forked child starts with its parent's high-water
mark, so it reports the harness's own size when that is larger.)
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent

ProgressFn = Callable[[int, int], None]


class ChildFailed(RuntimeError):
    """The child exited without a result (its error and the tail of its stderr are the message)."""


def vm_hwm_kb(pid: int | str = "self") -> int | None:
    """The peak resident set size in KiB from ``/proc/<pid>/status`` (Linux), else None."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def run_catchup(
    url: str,
    progress: ProgressFn | None = None,
    budget_s: float | None = None,
    *,
    module: str = "bench.catchup_child",
) -> dict[str, Any]:
    """Run section 3 on ``url`` in a child process; its figures plus ``runner_peak_rss_kb``
    (the child's own VmHWM, read as it ends)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    with tempfile.TemporaryFile("w+") as errors:
        child = subprocess.Popen(
            [sys.executable, "-m", module, url],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        assert child.stdout is not None
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_pump, args=(child.stdout, lines), daemon=True).start()
        deadline = time.monotonic() + budget_s if budget_s else None
        result: dict[str, Any] | None = None
        overran = False
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                line = lines.get(timeout=wait)
            except queue.Empty:
                overran = True
                child.kill()
                break
            if line is None:
                break
            kind, _, rest = line.rstrip("\n").partition(" ")
            if kind == "progress" and progress is not None:
                done, total = rest.split()
                progress(int(done), int(total))
            elif kind == "result":
                result = json.loads(rest)
        child.wait()
        child.stdout.close()
        errors.seek(0)
        tail = errors.read()[-2000:].strip()
    if overran:
        raise ChildFailed(f"catch-up overran its budget of {budget_s:.0f} s and was stopped")
    if result is None or child.returncode != 0:
        last = tail.splitlines()[-1] if tail else "no output"
        raise ChildFailed(f"catch-up process exited {child.returncode}: {last}\n{tail}")
    return result


def child_main(argv: list[str]) -> int:
    """The child: section 3 on ``argv[0]``, reporting progress and the result on stdout."""
    (url,) = argv
    out = sys.stdout

    def progress(done: int, total: int) -> None:
        out.write(f"progress {done} {total}\n")
        out.flush()

    from bench.catchup import bench_catchup

    result = dict(bench_catchup(url, progress))
    result["runner_peak_rss_kb"] = vm_hwm_kb()
    out.write("result " + json.dumps(result, default=str) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(child_main(sys.argv[1:]))
