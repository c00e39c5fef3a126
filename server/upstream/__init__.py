"""A branch server and the city: its events and tickets go up, configuration comes down.

A branch (a district centre, a ward point) runs its own server, database and broker, so
its hall never waits on the city's link. ``uplink.Uplink`` runs in the branch's server
and pushes its append-only event log, with the tickets the events changed, to the
central server over HTTP (an outbox read in event-id order), and pulls the site files,
staff accounts and devices of the sites it owns. ``central.Branches`` is the central
server's side: per-branch tokens scoped to the branch's sites, each event stored once
by its branch and its id there, and what each branch was last heard saying
(docs/branches.md).
"""
