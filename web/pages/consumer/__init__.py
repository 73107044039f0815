"""consumer pages."""

from web.pages.consumer.routes import bp, init_app

__all__ = ["bp", "init_app"]
