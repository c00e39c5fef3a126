"""Site files: a site's whole configuration as a versioned TOML document.

Pure (no database): ``schema`` is the document's shape, ``definition`` the engine values
it stands for, ``checks`` the rules across its parts, ``text`` reading and writing it
with errors that name the line. ``server.storage.site_store`` reads and writes the rows.
"""

from server.siteconfig.definition import Display, SiteDefinition
from server.siteconfig.text import Problem, SiteFileError, parse, render

__all__ = ["Display", "Problem", "SiteDefinition", "SiteFileError", "parse", "render"]
