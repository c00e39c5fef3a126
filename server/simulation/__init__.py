"""A centre's day simulated on the real engine: wait estimators compared, staffing tried.

``qms simulate`` runs it (``server.simulation.cli``); docs/estimates.md has the results.
"""
