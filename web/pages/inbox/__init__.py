"""The site inbox and notification settings (issue 9), for every audience: ``/inbox`` (the
notices of one's party, mark read), ``/inbox/settings`` (channels per kind of notice, email
address and phone number), ``/inbox/webhook`` (merchant staff: the store's endpoint, its
deliveries and their attempts, "send again"). The header's unread count is
``templates/inbox/_unread.html``, included by ``base.html``."""

from web.pages.inbox import routes, settings_page, webhook_page
from web.pages.inbox.base import bp, init_app

__all__ = ["bp", "init_app", "routes", "settings_page", "webhook_page"]
