"""Where events are stored: ``AFTERSALES_DATABASE_URL`` (SQLAlchemy's URL convention) mapped onto
the eventsourcing library's settings (the default URL is the web settings' business)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from domain.errors import InvalidInput


def event_store_env(url: str) -> dict[str, str]:
    """Map ``AFTERSALES_DATABASE_URL`` (SQLAlchemy convention) onto the library's settings."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("/"):
            path = path[1:]  # sqlite:////abs -> /abs ; sqlite:///rel -> rel
        if not path or path == ":memory:":
            raise InvalidInput(f"give the SQLite file a path: {url!r}", field="database_url")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path}
    if scheme in ("postgresql", "postgres"):
        query = parse_qs(parts.query)
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")) or "postgres",
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
        }
        schema = query.get("schema", [""])[0]
        for option in query.get("options", []):  # libpq style: options=-csearch_path=NAME
            for word in option.split():
                if word.startswith("-csearch_path="):
                    schema = word.split("=", 1)[1].split(",")[0]
        if schema:
            env["POSTGRES_SCHEMA"] = schema
        return env
    raise InvalidInput(
        f"unsupported database URL {url!r}: use sqlite:////abs/path.db or "
        "postgresql://user@host:5432/dbname",
        field="database_url",
    )
