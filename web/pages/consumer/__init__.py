"""consumer pages."""

from web.pages.consumer.routes import bp

__all__ = ["bp"]
