"""public pages."""

from web.pages.public.routes import bp

__all__ = ["bp"]
