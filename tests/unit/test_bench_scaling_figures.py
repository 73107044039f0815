"""docs/scaling.md's placeholders are filled from a run's JSON (issue 12), and refilled in place."""

from __future__ import annotations

from pathlib import Path

from bench.scaling_figures import fill, update_scaling

RUN = {
    "steps": [
        {
            "name": "concurrent",
            "status": "ok",
            "result": {"group_commit": {"cmd_s": 812.4}, "per_command": {"cmd_s": 301.0}},
        },
        {
            "name": "catchup.large",
            "status": "ok",
            "result": {
                "raw_events_per_s": 40000.0,
                "rebuild_events_per_s": 5000.0,
                "share": {"ledger": 0.3, "metrics": 0.4},
            },
        },
        {"name": "pages.large", "status": "failed", "result": None},
    ]
}


def test_known_keys_get_their_figure_and_unknown_or_failed_ones_stay_empty() -> None:
    text = (
        "a <!-- bench:concurrent.commands_per_s --> b <!-- bench:catchup.largest_share -->"
        " c <!-- bench:pages.queue_pages_per_s --> d <!-- bench:no.such.key -->"
    )
    filled = fill(text, RUN)
    assert "<!-- bench:concurrent.commands_per_s -->812 commands/s<!-- /bench -->" in filled
    assert (
        "<!-- bench:catchup.largest_share -->metrics, 40% of the rebuild<!-- /bench -->" in filled
    )
    assert "<!-- bench:pages.queue_pages_per_s --><!-- /bench -->" in filled
    assert "<!-- bench:no.such.key --><!-- /bench -->" in filled


def test_a_second_fill_replaces_the_first_figures(tmp_path: Path) -> None:
    docs = tmp_path / "scaling.md"
    docs.write_text("x <!-- bench:catchup.raw_events_per_s --> y\n", encoding="utf-8")
    assert update_scaling(RUN, docs)
    again = {"steps": [{**RUN["steps"][1], "result": {"raw_events_per_s": 12.0}}]}
    assert update_scaling(again, docs)
    assert docs.read_text(encoding="utf-8") == (
        "x <!-- bench:catchup.raw_events_per_s -->12 events/s<!-- /bench --> y\n"
    )
    assert not update_scaling(RUN, tmp_path / "missing.md")
