"""finance pages."""

from web.pages.finance.routes import bp, init_app

__all__ = ["bp", "init_app"]
