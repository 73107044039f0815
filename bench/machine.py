"""What a benchmark ran on: CPU model and count, RAM, Python, the library and driver versions, the
PostgreSQL server's version, the git commit and the date (issue 12: every figure says where it
comes from)."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _proc_field(path: str, field: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            name, _, value = line.partition(":")
            if name.strip() == field:
                return value.strip()
    except OSError:
        return None
    return None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def postgresql_version(url: str) -> str | None:
    """The server's ``server_version``, or None when it cannot be reached."""
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
    except Exception:
        return None
    return str(row[0]) if row else None


def describe(pg_url: str | None) -> dict[str, object]:
    """The machine and software, as JSON-able figures."""
    mem_kb = _proc_field("/proc/meminfo", "MemTotal")
    ram_gib = round(int(mem_kb.split()[0]) / 1024**2, 1) if mem_kb else None
    commit = _git("rev-parse", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    return {
        "cpu_model": _proc_field("/proc/cpuinfo", "model name") or platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "ram_gib": ram_gib,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "eventsourcing": _version("eventsourcing"),
        "psycopg": _version("psycopg"),
        "flask": _version("flask"),
        "gunicorn": _version("gunicorn"),
        "postgresql": postgresql_version(pg_url) if pg_url else None,
        "git_commit": commit,
        "git_dirty": dirty if commit else None,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def summary(machine: dict[str, object]) -> str:
    """One line for the table's heading."""
    commit = str(machine.get("git_commit") or "?")[:10]
    dirty = " (uncommitted changes)" if machine.get("git_dirty") else ""
    return (
        f"{machine.get('cpu_model')}, {machine.get('cpu_count')} CPUs, "
        f"{machine.get('ram_gib')} GiB RAM; Python {machine.get('python')}, eventsourcing "
        f"{machine.get('eventsourcing')}, psycopg {machine.get('psycopg')}, PostgreSQL "
        f"{machine.get('postgresql')}, SQLite {machine.get('sqlite')}; commit {commit}{dirty}; "
        f"{machine.get('date')}"
    )
