"""Reports a centre sends upward: waits, service, SLA, no-shows, satisfaction.

``figures`` reads them out of the database (``visits`` defines a visit), ``export``
writes them as a table, CSV, XLSX or JSON, ``pages`` renders the HTML and the monthly
PDF. The definitions are in docs/reports.md.
"""
