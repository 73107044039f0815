"""Notifications (issue 9): the channels (site inbox, email, SMS, merchant webhooks), people's
preferences and the delivery worker. The notices themselves come from the event log through the
outbox projection (:mod:`projections.outbox`); docs/notifications.md tells the whole story."""
