"""``qms branch add|list|revoke`` at the central server, and ``qms server``'s
``--upstream``/``--upstream-token`` for a branch. Only argparse at import time."""

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from server.service import QueueService

Handler = Callable[[argparse.Namespace], int]


def register_server_options(server: argparse.ArgumentParser) -> None:
    server.add_argument(
        "--upstream",
        metavar="URL",
        help="run as a branch of this central server (its base URL; env QMS_UPSTREAM)",
    )
    server.add_argument(
        "--upstream-token",
        metavar="TOKEN",
        help="this branch's token from `qms branch add` centrally (env QMS_UPSTREAM_TOKEN)",
    )


def register(
    sub: "argparse._SubParsersAction[argparse.ArgumentParser]",
    storage_options: Callable[[argparse.ArgumentParser], None],
    guarded: Callable[[Handler], Handler],
    admin: "Callable[[argparse.Namespace], QueueService]",
) -> None:
    """Add ``qms branch``; ``guarded`` wraps each handler as the other commands are, and
    ``admin`` opens the service over the (migrated) database."""
    branch = sub.add_parser("branch", help="branch servers that own sites (central side)")
    branch_sub = branch.add_subparsers(dest="branch_command", metavar="ACTION")
    branch_sub.required = True

    add = branch_sub.add_parser(
        "add", help="register a branch and the sites it owns (or renew its token); prints it last"
    )
    add.add_argument("name", help="branch id (letters, digits, - _ .)")
    add.add_argument(
        "--site", action="append", required=True, help="a site it owns (repeat for more)"
    )
    add.add_argument("--label", default="", help="a human-readable name")
    storage_options(add)

    def run_add(args: argparse.Namespace) -> int:
        from server.upstream.central import Branches

        service = admin(args)
        try:
            token = Branches(service.core).add(args.name, args.site, args.label)
        finally:
            service.db.dispose()
        print(f"branch {args.name} owns {', '.join(args.site)}; its token:")
        print(token)  # last, for scripts
        return 0

    add.set_defaults(func=guarded(run_add))

    listed = branch_sub.add_parser("list", help="the branches' sites and when each was heard")
    storage_options(listed)

    def run_list(args: argparse.Namespace) -> int:
        from server.upstream.central import Branches

        service = admin(args)
        try:
            statuses = Branches(service.core).statuses()
        finally:
            service.db.dispose()
        for s in statuses:
            heard = s.last_heard_at.isoformat(timespec="seconds") if s.last_heard_at else "-"
            event = s.last_event_at.isoformat(timespec="seconds") if s.last_event_at else "-"
            state = "quiet" if s.quiet else "live"
            print(f"{s.branch}\t{s.site}\t{state}\theard {heard}\tlast event {event}")
        return 0

    listed.set_defaults(func=guarded(run_list))

    revoke = branch_sub.add_parser("revoke", help="end a branch's token at once")
    revoke.add_argument("name", help="branch id")
    storage_options(revoke)

    def run_revoke(args: argparse.Namespace) -> int:
        from server.upstream.central import Branches

        service = admin(args)
        try:
            Branches(service.core).revoke(args.name)
        finally:
            service.db.dispose()
        print(f"branch {args.name} revoked: its token no longer works")
        return 0

    revoke.set_defaults(func=guarded(run_revoke))
