"""The submodels of the monthly schedule, one module each, in the order they run.

See :meth:`simulation.world.model.LabourMarketModel.step` and ``docs/ODD.md``.
"""

from .benefits import benefits
from .decisions import enterprise_decisions
from .demography import demography
from .development import development
from .doorstroom import doorstroom
from .entry import new_initiatives
from .finances import enterprise_finances
from .follow_up import follow_up
from .labour_demand import employer_decisions, labour_demand
from .maatwerk import maatwerk
from .matching import job_search_and_matching
from .public_finances import public_finances
from .referral import referral
from .retention import retention
from .time_limit import time_limit
from .work_care import work_care

__all__ = [
    "benefits",
    "demography",
    "development",
    "doorstroom",
    "employer_decisions",
    "enterprise_decisions",
    "enterprise_finances",
    "follow_up",
    "job_search_and_matching",
    "labour_demand",
    "maatwerk",
    "new_initiatives",
    "public_finances",
    "referral",
    "retention",
    "time_limit",
    "work_care",
]
