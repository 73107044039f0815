"""Platform agents' pages (``/agent``): work queues, case handling and merchant monitoring.

``base``        the blueprint and the helpers its pages share
``queues``      ``/agent/``: the platform's queues, new cases and their triage (R9.a, R3, R20)
``case``        ``/agent/cases/<no>`` and the agent's moves on it; ``case_view`` its view model
``complaints``  ``/agent/complaints/new``: a complaint taken by customer service (R9)
``monitoring``  ``/agent/monitoring`` (R15, R18, R22, R24); ``monitoring_view`` its texts

Importing the package registers every route on ``bp``.
"""

from web.pages.agent import case, complaints, monitoring, queues
from web.pages.agent.base import bp

__all__ = ["bp", "case", "complaints", "monitoring", "queues"]
