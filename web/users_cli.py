"""``aftersales users ...``: create accounts, issue and revoke API tokens, list accounts.

The accounts module (and the database drivers under it) is imported when a command runs, so that
``aftersales --help`` stays fast."""

from __future__ import annotations

import sys
from typing import Any

import click
from flask.cli import AppGroup

from domain.values import Role
from web import get_db

#: ``--role``'s choices: every role but the system's, as ``web.common.accounts.ACCOUNT_ROLES``
#: (tests/integration/test_cli.py checks that the two agree).
ROLES: tuple[str, ...] = tuple(r.value for r in Role if r is not Role.SYSTEM)


def _accounts() -> Any:
    from web.common import accounts

    return accounts


@click.group("users", cls=AppGroup, help="Manage accounts and API tokens.")
def users_cli() -> None:
    pass


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise click.UsageError("--password-stdin: no password on standard input")
        return password
    typed: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return typed


@users_cli.command("create")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice(ROLES),
    help="What the person does here.",
)
@click.option("--party-id", required=True, help="Consumer id or staff id (actor id in events).")
@click.option("--merchant-id", default=None, help="The store of merchant staff (merchant only).")
@click.option("--display-name", default=None, help="Name shown on pages (default: username).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(
    username: str,
    role: str,
    party_id: str,
    merchant_id: str | None,
    display_name: str | None,
    password_stdin: bool,
) -> None:
    """Create an account that can log in."""
    accounts = _accounts()
    password = _read_password(password_stdin)
    try:
        account = accounts.create_account(
            get_db(), username, password, role, display_name or username, party_id, merchant_id
        )
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    store = f" of store {account.merchant_id}" if account.merchant_id else ""
    click.echo(f"created {account.role} {account.username} (party {account.party_id}{store})")


@users_cli.command("token")
@click.argument("username")
def token_command(username: str) -> None:
    """Issue an API token (printed once; keep it secret)."""
    accounts = _accounts()
    try:
        token = accounts.issue_token(get_db(), username)
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    click.echo(token)


@users_cli.command("revoke-tokens")
@click.argument("username")
def revoke_tokens_command(username: str) -> None:
    """Revoke every API token of USERNAME."""
    accounts = _accounts()
    if accounts.get_account(get_db(), username) is None:
        raise click.ClickException(f"no account {username!r}")
    count = accounts.revoke_tokens(get_db(), username)
    click.echo(f"revoked {count} token(s) of {username}")


@users_cli.command("list")
def list_users_command() -> None:
    """List accounts (never passwords or tokens)."""
    for account in _accounts().list_accounts(get_db()):
        store = account.merchant_id or "-"
        click.echo(f"{account.username}\t{account.role}\t{account.party_id}\t{store}")
