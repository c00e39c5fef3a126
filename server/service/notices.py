"""The notice shown on a site's hall displays."""

from server.contract.http import NoticeIn, NoticeOut
from server.contract.vocab import Role
from server.service import errors
from server.service.context import Actor, Ctx, Result
from server.service.core import ServiceCore
from server.storage.models import NoticeRow


class Notices:
    """A supervisor's notice to the hall: one command, then every board shows it."""

    def __init__(self, core: ServiceCore) -> None:
        self.core = core

    def set(
        self, site_id: str, body: NoticeIn, actor: Actor, key: str | None, request_hash: str
    ) -> Result:
        if not actor.is_user or actor.role not in (Role.SUPERVISOR.value, Role.ADMIN.value):
            raise errors.forbidden("đặt thông báo", "set the notice")
        if not actor.may_use_site(site_id):
            raise errors.forbidden("thao tác tại điểm này", "act at this site")

        def apply(ctx: Ctx) -> tuple[int, NoticeOut]:
            ctx.repo.s.add(
                NoticeRow(site_id=ctx.site.id, text=body.text, set_by=actor.name, at=ctx.now)
            )
            ctx.effects.areas.update(ctx.bundle.areas)
            return 200, NoticeOut(text=body.text)

        return self.core.command(site_id, actor, key, request_hash, apply)
