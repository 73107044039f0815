"""Languages: Simplified Chinese (``zh_CN``, the default) and English (``en``), via Flask-Babel.

Which language a page is in, first match wins:

1. ``?lang=en`` / ``?lang=zh_CN`` on the URL: used now, kept in the ``lang`` cookie and, for a
   logged-in person, saved as the account's language (so the switch link "sticks");
2. the logged-in account's language;
3. the ``lang`` cookie;
4. ``Accept-Language``, but only to leave the default: English when the browser's *first* choice is
   English (``en``, ``en-US`` ...). Anything else, including no header, gets Chinese: the product is
   Chinese first, and a browser ranking, say, French first is not a request for English.

Message ids are English; ``web/translations/<lang>/LC_MESSAGES/messages.po`` hold the catalogs and
the compiled ``.mo`` files are committed next to them. After changing texts::

    aftersales i18n extract    # texts of templates + Python, merged into both .po files
    (translate the new zh_CN entries; English msgstr may stay empty: it falls back to the msgid)
    aftersales i18n compile    # .po -> .mo
    aftersales i18n check      # what the tests check: every text translated, every .mo current

Use ``_()`` / ``gettext`` in templates and views, ``lazy_gettext`` (``_l``) for module-level texts.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

import flask_babel
from babel import Locale, support
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po
from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask.globals import _cv_app
from flask.wrappers import Response
from flask_babel import Babel, Domain, get_locale
from flask_babel import get_translations as flask_babel_translations

DEFAULT_LOCALE = "zh_CN"
#: Each language named in itself, for the switch link.
LANGUAGES: dict[str, str] = {"zh_CN": "中文", "en": "English"}
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

WEB_DIR = Path(__file__).resolve().parent.parent
TRANSLATIONS_DIR = WEB_DIR / "translations"
PROJECT_DIR = WEB_DIR.parent
BABEL_CFG = PROJECT_DIR / "babel.cfg"
DOMAIN = "messages"
KEYWORDS: dict[str, Any] = {
    **DEFAULT_KEYWORDS,
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
    "N_": None,  # projections/labels.py: marked there, translated by the web at run time
}


def _requested() -> str | None:
    value = request.args.get("lang")
    return value if value in LANGUAGES else None


def _from_accept_language() -> str:
    for language, _quality in request.accept_languages:  # best first
        if language == "*":
            continue
        return "en" if language.lower().replace("_", "-").split("-")[0] == "en" else DEFAULT_LOCALE
    return DEFAULT_LOCALE


def select_locale() -> str:
    """Flask-Babel's locale selector (order in the module docstring)."""
    requested = _requested()
    if requested:
        return requested
    account = g.get("account")
    if account is not None and account.locale in LANGUAGES:
        return str(account.locale)
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return str(cookie)
    return _from_accept_language()


def catalog_code(locale: Locale | None) -> str:
    """Our name (``zh_CN``, ``en``) for a Babel locale: Babel reads ``zh_CN`` as ``zh_Hans_CN``."""
    if locale is not None and locale.language == "en":
        return "en"
    return DEFAULT_LOCALE


def current_language() -> str:
    """``zh_CN`` or ``en``: the language of this request."""
    return catalog_code(get_locale())


class _CatalogDomain(Domain):  # type: ignore[misc]
    """Flask-Babel's domain, finding catalogs by our folder names.

    Flask-Babel asks gettext for ``str(locale)``; for ``zh_CN`` that is ``zh_Hans_CN``, which
    gettext looks for as ``zh_Hans_CN`` or ``zh``, never ``zh_CN``.
    """

    def get_translations(self) -> support.NullTranslations:
        fast = _context_translations()
        if fast is not None:
            return fast
        if not has_request_context() and not has_app_context():
            return support.NullTranslations()
        return self._catalog_for(get_locale())

    def _catalog_for(self, locale: Locale | None) -> support.NullTranslations:
        code = catalog_code(locale)
        key = (code, self.domain[0])
        cached = self.cache.get(key)
        if cached is not None:
            return cast(support.NullTranslations, cached)
        translations = support.Translations()
        for index, dirname in enumerate(self.translation_directories):
            domain = self.domain[0] if len(self.domain) == 1 else self.domain[index]
            catalog = support.Translations.load(dirname, [code], domain)
            if isinstance(catalog, support.Translations):
                translations.merge(catalog)
                translations.plural = catalog.plural
        self.cache[key] = translations
        return translations


_CACHED = "aftersales_translations"


def _context_translations() -> support.NullTranslations | None:
    """The catalog of the current context's locale, found without Flask's proxies (issue 12: a
    page looks up hundreds of texts; each look-up through ``g`` and ``get_locale`` cost ~10 µs).
    Kept on Flask-Babel's per-context namespace beside the locale it is for, so a change of
    locale (``force_locale``) is seen; None when the locale is not chosen yet (the caller takes
    the slow path, which chooses it)."""
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        return None
    ns = app_ctx.g.__dict__.get("_flask_babel")
    if ns is None:
        return None
    found = ns.__dict__
    locale = found.get("babel_locale")
    if locale is None:
        return None
    cached = found.get(_CACHED)
    if cached is not None and cached[0] is locale:
        return cast(support.NullTranslations, cached[1])
    domain = app_ctx.app.extensions["babel"].instance.domain_instance
    translations: support.NullTranslations = domain._catalog_for(locale)
    found[_CACHED] = (locale, translations)
    return translations


def translations() -> support.NullTranslations:
    """The current language's catalog (Flask-Babel's ``get_translations``, faster)."""
    fast = _context_translations()
    if fast is not None:
        return fast
    return cast(support.NullTranslations, flask_babel_translations())


_library_get_domain = flask_babel.get_domain


def _context_domain() -> Domain:
    """Flask-Babel's ``get_domain`` answering from the context's namespace without going through
    the ``g`` proxy three times (issue 12: every ``gettext`` and lazy text starts here); the
    library's own function when the namespace has no domain yet (it sets one)."""
    app_ctx = _cv_app.get(None)
    if app_ctx is not None:
        ns = app_ctx.g.__dict__.get("_flask_babel")
        if ns is not None:
            domain = ns.__dict__.get("babel_domain")
            if domain is not None:
                return cast(Domain, domain)
    return cast(Domain, _library_get_domain())


def _install_jinja_callables(app: Flask) -> None:
    """The templates' ``_()``/``ngettext``: Flask-Babel's, with the catalog found fast."""
    if "jinja2.ext.InternationalizationExtension" not in app.jinja_env.extensions:
        return
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


class _Babel(Babel):  # type: ignore[misc]
    @cached_property
    def domain_instance(self) -> Domain:
        return _CatalogDomain(domain=self.domain)


def _remember_choice() -> None:
    requested = _requested()
    if requested is None:
        return
    g.lang_choice = requested
    account = g.get("account")
    if account is not None and account.locale != requested and g.get("auth_method") == "session":
        from web import get_db
        from web.common import accounts

        accounts.set_preferences(get_db(), account.username, locale=requested)


def _set_cookie(response: Response) -> Response:
    choice = g.get("lang_choice")
    if choice and request.cookies.get(COOKIE) != choice:
        response.set_cookie(
            COOKIE,
            choice,
            max_age=COOKIE_MAX_AGE,
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            httponly=True,
            samesite="Lax",
        )
    return response


def lang_url(code: str) -> str:
    """This page's URL in language ``code`` (the query string kept, ``lang`` replaced)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", code))
    return f"{request.path}?{urlencode(args)}"


def template_context() -> dict[str, Any]:
    language = current_language()
    return {
        "languages": LANGUAGES,
        "current_language": language,
        "html_lang": HTML_LANG.get(language, "zh-CN"),
        "lang_url": lang_url,
    }


def init_app(app: Flask) -> None:
    from web.common.timefmt import select_timezone

    _Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    _install_jinja_callables(app)
    # flask_babel.gettext, ngettext and the lazy texts look get_domain up in their module at each
    # call: the same answer, found faster (the function is set once, for every app).
    flask_babel.get_domain = _context_domain
    app.before_request(_remember_choice)
    app.after_request(_set_cookie)
    app.context_processor(template_context)


# --- catalogs -------------------------------------------------------------------------------


def po_path(language: str) -> Path:
    return TRANSLATIONS_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def extract_catalog() -> Catalog:
    """Every translatable text in ``web/`` (Python and templates) and ``projections/labels.py``,
    as babel.cfg maps them."""
    if not BABEL_CFG.exists():
        raise FileNotFoundError(f"{BABEL_CFG} is missing (extraction runs from a source checkout)")
    with BABEL_CFG.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(  # type: ignore[no-untyped-call]
            handle, str(BABEL_CFG)
        )
    template = Catalog(project="aftersales", charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PROJECT_DIR),
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def read_catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def compiled_messages(catalog: Catalog) -> dict[tuple[Any, Any], Any]:
    """What a .mo built from ``catalog`` holds: translated, non-fuzzy messages (no header)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _messages(read_mo(buffer))


def _hashable(value: Any) -> Any:
    # read_mo gives a plural message's id and strings as lists; read_po gives tuples
    return tuple(value) if isinstance(value, list) else value


def _messages(catalog: Catalog) -> dict[tuple[Any, Any], Any]:
    return {(_hashable(m.id), m.context): _hashable(m.string) for m in catalog if m.id}


def mo_messages(language: str) -> dict[tuple[Any, Any], Any]:
    with mo_path(language).open("rb") as handle:
        return _messages(read_mo(handle))


def untranslated(catalog: Catalog) -> list[str]:
    """Message ids with no (or a fuzzy) translation."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def problems() -> Iterator[str]:
    """Everything ``aftersales i18n check`` (and tests/web/test_i18n.py) complains about."""
    template = extract_catalog()
    wanted = {(m.id, m.context) for m in template if m.id}
    for language in LANGUAGES:
        catalog = read_catalog(language)
        have = {(m.id, m.context) for m in catalog if m.id and not m.fuzzy}
        for key in sorted(wanted - have, key=str):
            yield f"{language}: not in messages.po: {key[0]!r} (run `aftersales i18n extract`)"
        if language == DEFAULT_LOCALE:
            for msgid in untranslated(catalog):
                yield f"{language}: untranslated: {msgid!r}"
        if not mo_path(language).exists():
            yield f"{language}: messages.mo missing (run `aftersales i18n compile`)"
        elif compiled_messages(catalog) != mo_messages(language):
            yield f"{language}: messages.mo is stale (run `aftersales i18n compile`)"


def write_catalog(path: Path, catalog: Catalog) -> None:
    buffer = io.BytesIO()
    write_po(
        buffer, catalog, width=100, sort_output=True, ignore_obsolete=True, include_lineno=False
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
