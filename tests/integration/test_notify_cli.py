"""``aftersales notify ...`` (issue 9): a refused endpoint or an unknown person is one line and a
non-zero exit; a pass of the worker says what it did."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from web.cli import main


def test_help_lists_notify() -> None:
    result = CliRunner().invoke(main, ["notify", "--help"])
    assert result.exit_code == 0
    for command in ("run", "webhook", "contact", "send-again"):
        assert command in result.output


def test_notify_commands_refuse_bad_input_and_run_once(cli: CliRunner) -> None:
    assert cli.invoke(main, ["migrate"]).exit_code == 0
    refused = cli.invoke(main, ["notify", "webhook", "m1", "http://shop.example/h"])
    assert refused.exit_code == 2 and "url: not https" in refused.output
    loopback = cli.invoke(main, ["notify", "webhook", "m1", "http://127.0.0.1:9/h"])
    assert loopback.exit_code == 2, "loopback only when the setting allows it"
    ok = cli.invoke(main, ["notify", "webhook", "m1", "https://shop.example/h"])
    assert ok.exit_code == 0 and "secret: whsec_" in ok.output
    assert cli.invoke(main, ["notify", "webhook", "m1"]).output.strip() == "https://shop.example/h"
    unknown = cli.invoke(main, ["notify", "contact", "nobody", "--email", "a@b.example"])
    assert unknown.exit_code == 2 and "no account 'nobody'" in unknown.output
    again = cli.invoke(main, ["notify", "send-again", "0" * 32])
    assert again.exit_code == 2
    once = cli.invoke(main, ["notify", "run", "--once"])
    assert once.exit_code == 0, once.output
    assert "notify: 0 reminder(s), 0 notice(s) fanned out, 0 sent" in once.output


@pytest.mark.parametrize("value", ["-1", "soon"])
def test_a_bad_retry_setting_is_refused(value: str) -> None:
    from web.notify.settings import notify_settings
    from web.settings import SettingsError

    with pytest.raises(SettingsError, match="AFTERSALES_NOTIFY_RETRY_SECONDS"):
        notify_settings({}, {"AFTERSALES_NOTIFY_RETRY_SECONDS": value})
