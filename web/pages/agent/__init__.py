"""agent pages."""

from web.pages.agent.routes import bp

__all__ = ["bp"]
