"""``aftersales i18n extract / compile / check``: the translation catalogs (zh_CN, en).

Babel and the catalogs' module (``web.common.i18n``) are imported when a command runs, so that
``aftersales --help`` stays fast."""

from __future__ import annotations

import click


@click.group("i18n", help="Translation catalogs (zh_CN, en).")
def i18n_cli() -> None:
    pass


@i18n_cli.command("extract")
def extract_command() -> None:
    """Collect the texts of web/ and projections/labels.py and merge them into each messages.po."""
    from babel.messages.catalog import Catalog

    from web.common import i18n

    try:
        template = i18n.extract_catalog()
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    for language in i18n.LANGUAGES:
        path = i18n.po_path(language)
        if path.exists():
            catalog = i18n.read_catalog(language)
        else:
            catalog = Catalog(
                locale=language, domain=i18n.DOMAIN, project="aftersales", fuzzy=False
            )
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        i18n.write_catalog(path, catalog)
        todo = len(i18n.untranslated(catalog)) if language == i18n.DEFAULT_LOCALE else 0
        click.echo(f"{path}: {len(catalog)} messages" + (f", {todo} to translate" if todo else ""))


@i18n_cli.command("compile")
def compile_command() -> None:
    """Compile each messages.po into messages.mo."""
    from babel.messages.mofile import write_mo

    from web.common import i18n

    for language in i18n.LANGUAGES:
        catalog = i18n.read_catalog(language)
        with i18n.mo_path(language).open("wb") as handle:
            write_mo(handle, catalog)
        click.echo(f"{i18n.mo_path(language)}: compiled")


@i18n_cli.command("check")
def check_command() -> None:
    """Fail if a text is missing from a catalog, untranslated in zh_CN, or a .mo is stale."""
    from web.common import i18n

    found = list(i18n.problems())
    for problem in found:
        click.echo(problem, err=True)
    if found:
        raise click.ClickException(f"{len(found)} translation problem(s)")
    click.echo("translations complete")
