"""The demo installation: the city's main centre and one ward point."""

from dataclasses import replace

from server.seed.common import ALWAYS_OPEN
from server.seed.hcm_main import hcm_main
from server.seed.types import SiteSeed
from server.seed.ward import ward_thu_duc


def demo_sites(*, always_open: bool = False) -> list[SiteSeed]:
    """The demo's sites (their configuration read from ``sites/*.toml``). ``always_open``
    lifts opening hours, holidays and the cut-off before closing (a demo run at night or
    on a Sunday would otherwise refuse every ticket); quotas stay."""
    sites = [hcm_main(), ward_thu_duc()]
    if not always_open:
        return sites
    return [
        replace(
            seed,
            site=replace(
                seed.site,
                hours=ALWAYS_OPEN,
                holidays=(),
                special_days=(),
                stop_issuing_before_close_min=0,
            ),
            services=tuple(replace(s, hours=None) for s in seed.services),
        )
        for seed in sites
    ]
