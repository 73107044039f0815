"""merchant pages."""

from web.pages.merchant.routes import bp

__all__ = ["bp"]
