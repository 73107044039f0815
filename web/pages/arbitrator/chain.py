"""The event store's side of the replay: each stored event's hash as the store gives it back, and
whether the case's hash chain verifies (R21)."""

from __future__ import annotations

from dataclasses import dataclass

from domain import ids
from domain.chain import ChainReport
from web.services import get_service

# --- the event store: stored hashes ---------------------------------------------------------


def stored_hashes(case_no: str) -> dict[int, str | None]:
    """``{version: event_hash}`` of every stored event of the case, as the store gives them back
    (None where the stored bytes cannot be decoded)."""
    service = get_service()
    mapper = service.mapper
    out: dict[int, str | None] = {}
    for stored in service.recorder.select_events(ids.case_id(case_no)):
        digest: str | None = None
        try:
            data = stored.state
            if mapper.cipher:
                data = mapper.cipher.decrypt(data)
            if mapper.compressor:
                data = mapper.compressor.decompress(data)
            attributes = mapper.transcoder.decode(data)
            if isinstance(attributes, dict) and isinstance(attributes.get("event_hash"), str):
                digest = attributes["event_hash"]
        except Exception:  # an altered byte may make the state unreadable: that is the finding
            digest = None
        out[int(stored.originator_version)] = digest
    return out


@dataclass(frozen=True)
class ChainView:
    ok: bool
    events_checked: int
    head: str
    break_version: int | None
    break_problem: str


def chain_view(report: ChainReport) -> ChainView:
    brk = report.first_break
    return ChainView(
        ok=report.ok,
        events_checked=report.events_checked,
        head=report.head,
        break_version=brk.version if brk else None,
        break_problem=brk.problem if brk else "",
    )
