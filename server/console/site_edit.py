"""What every configuration page needs: who may see or edit a site's configuration, the
site's definition as it stands, and the one path of every change
(``service.site_config.apply``: the checks of an imported file, one transaction with its
audit record, a new configuration version, snapshots republished)."""

from fastapi import Request

from server.console.forms import FormErrors
from server.console.session import Forbidden, Visitor, service_of, visitor
from server.console.texts import text
from server.service import ServiceError
from server.siteconfig import SiteDefinition, SiteFileError


def viewer(request: Request, site: str) -> Visitor:
    who = visitor(request)
    if not who.may_see(site):
        raise Forbidden(text("read_only", who.lang))
    return who


def editor(request: Request, site: str) -> Visitor:
    who = viewer(request, site)
    if not who.may_edit(site):
        raise Forbidden(text("read_only", who.lang))
    return who


def definition_of(request: Request, site: str) -> SiteDefinition:
    try:
        return service_of(request).site_config.definition(site)
    except ServiceError:
        raise Forbidden from None


def apply_change(
    request: Request, who: Visitor, definition: SiteDefinition, action: str, target: str
) -> FormErrors:
    """The one path of every change; the errors it found, empty when it was saved."""
    errors = FormErrors(who.lang)
    try:
        service_of(request).site_config.apply(
            definition, actor=who.actor.name, action=action, target=target
        )
    except SiteFileError as exc:
        errors.from_site_file(exc)
    return errors
