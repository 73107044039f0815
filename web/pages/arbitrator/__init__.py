"""arbitrator pages."""

from web.pages.arbitrator.routes import bp

__all__ = ["bp"]
