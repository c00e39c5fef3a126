"""The wait estimators a site may choose (``SiteConfig.wait_estimator``).

All answer the same question from the same ``Line``; docs/estimates.md compares them on
simulated days of the demo centre and says why the default is the default.
"""

from collections.abc import Mapping

from server.engine.estimate import (
    Estimator,
    head_of_line,
    last_to_enter_service,
    queue_length,
)
from server.engine.lookahead import look_ahead
from server.engine.model import SiteConfig

ESTIMATORS: Mapping[str, Estimator] = {
    "queue-length": queue_length,
    "last-to-enter-service": last_to_enter_service,
    "head-of-line": head_of_line,
    "look-ahead": look_ahead,
}
DEFAULT_ESTIMATOR = "look-ahead"


def estimator_for(site: SiteConfig) -> Estimator:
    """The site's estimator; a name this server does not know gives the default."""
    return ESTIMATORS.get(site.wait_estimator, ESTIMATORS[DEFAULT_ESTIMATOR])
