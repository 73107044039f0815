"""The site's HTML pages, one package per audience: ``consumer`` (/my), ``merchant`` (/merchant),
``agent`` (/agent), ``arbitrator`` (/arbitration), ``finance`` (/finance) and ``public`` (no
log-in). An audience imports only ``web.common`` and the domain and read models, never another
audience's package."""
