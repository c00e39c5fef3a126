"""The demo sites' configuration: site files shipped as package data (``sites/*.toml``)."""

from importlib import resources

from server.siteconfig import SiteDefinition, parse


def site_file_text(site_id: str) -> str:
    return (resources.files("server.seed") / "sites" / f"{site_id}.toml").read_text("utf-8")


def site_file(site_id: str) -> SiteDefinition:
    """The definition in ``server/seed/sites/SITE.toml`` (refused like any imported file)."""
    return parse(site_file_text(site_id))[1]
