"""``/api/v1/upstream/...``: where branch servers send their events and take their
configuration (``server.upstream``). A branch authenticates with its own token
(``qms branch add``), which reaches only the sites it owns. Plain functions: FastAPI runs
them on its thread pool, so a batch's writes never hold the event loop."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from server.api.deps import Service, bearer_token
from server.service import QueueService
from server.upstream.central import Branch, Branches
from server.upstream.wire import CONFIG_PATH, PUSH_PATH, ConfigDown, Push, PushAck

router = APIRouter(tags=["branches"])


def branches_of(service: QueueService) -> Branches:
    return Branches(service.core)


def current_branch(request: Request, service: Service) -> Branch:
    return branches_of(service).authenticate(bearer_token(request))


CurrentBranch = Annotated[Branch, Depends(current_branch)]


@router.post(PUSH_PATH)
def receive_events(body: Push, service: Service, branch: CurrentBranch) -> PushAck:
    """Keep the branch's events not kept yet (by their id at the branch) and the present
    state of the tickets they name; a batch sent again changes nothing."""
    return branches_of(service).receive(branch, body)


Known = Annotated[
    str,
    Query(description="the site versions the branch has, `site:version,...`", max_length=20000),
]


@router.get(CONFIG_PATH)
def branch_config(service: Service, branch: CurrentBranch, known: Known = "") -> ConfigDown:
    """The site files (those not at the version the branch has), staff accounts and
    devices of the branch's sites."""
    versions: dict[str, int] = {}
    for item in filter(None, known.split(",")):
        site, _, version = item.rpartition(":")
        if site and version.isdigit():
            versions[site] = int(version)
    return branches_of(service).config_for(branch, versions)
