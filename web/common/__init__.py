"""What every audience's pages and the API share: who is asking (``auth``, ``accounts``,
``csrf``), languages and times (``i18n``, ``timefmt``), error answers (``errors``), one path from a
form to a command (``actions``), evidence files (``evidence``), charts, CSV downloads, store names
and the shared case view (``casepage``). Nothing here imports an audience's pages."""
