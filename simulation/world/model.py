"""The labour-market model: a Mesa model whose monthly step follows the ODD schedule."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from ..errors import LDEError
from ..rules.parameter_docs import dotted
from ..rules.scenario import NO_LIMIT_MONTHS, Scenario
from ..rules.timeline import Timeline
from ..submodels import (
    benefits,
    demography,
    development,
    doorstroom,
    employer_decisions,
    enterprise_decisions,
    enterprise_finances,
    follow_up,
    job_search_and_matching,
    labour_demand,
    maatwerk,
    new_initiatives,
    public_finances,
    referral,
    retention,
    time_limit,
    work_care,
)
from ..submodels.end_of_trajectory import route_counts
from ..submodels.referral import Referrals
from .agents import EmployerTable, EnterpriseTable, LDEEnterprise, NECEmployer, pressed
from .allocator import keep_freed_memory
from .indicators import indicators
from .initialisation import build_world, sign_covenants
from .people import EDUCATION, INACTIVE, Person, Population, Status, Step
from .records import Recorder
from .resources import people_capacity
from .streams import RandomStreams, replication_seed
from .ties import Ties

#: What the model's DataCollector records each month: the base seed (so ``mesa.batch_run``'s rows
#: say which run they come from), the stocks and the month's main measures.
REPORTERS: dict[str, Callable[[LabourMarketModel], float]] = {
    "seed": lambda m: m.seed,
    **{status.name: (lambda m, s=status.name: m.latest(s)) for status in Status},
    **{
        name: (lambda m, n=name: m.latest(n))
        for name in (
            "flow_lde_to_nec",
            "lde_occupancy",
            "waiting_list",
            "enterprises_open",
            "service_quality",
            "ledger_total",
        )
    },
}


#: Amounts summed over each group of open enterprises at the end of the month (:meth:`LabourMarketModel.enterprise_totals`):
#: for the reserves, the service quality, the decisions' means and the enterprises' books.
SUMMED = ("reserve", "quality", "coaches", "price", "push", "selection", "market_share", "income", "costs")
#: Whole numbers summed over each group: slots and workers, and the enterprises in each counted state
#: (solvent, under pressure, hiring frozen, converted), each a column of the enterprise table or a rule on it.
COUNTED: dict[str, Callable[[EnterpriseTable], np.ndarray]] = {
    "slots": lambda ent: ent.view("slots"),
    "workers": lambda ent: ent.view("workers"),
    "solvent": lambda ent: ent.view("reserve") >= 0,
    "under_pressure": pressed,
    "hiring_frozen": lambda ent: ent.view("fill_target") < ent.view("slots"),
    "converted": lambda ent: ent.view("converted"),
}


def choices(sums: dict[str, float]) -> dict[str, float]:
    """The decision metrics of a group of open enterprises, from its sums (:meth:`LabourMarketModel.enterprise_totals`)."""
    count = sums["open"]

    def mean(column: str) -> float:
        return sums[column] / count if count else 0.0

    return {
        "enterprises_open": count,
        "coaches_per_worker": sums["coaches"] / sums["workers"] if sums["workers"] else 0.0,
        "price_mean": mean("price"),
        "push_mean": mean("push"),
        "enterprises_under_pressure": sums["under_pressure"],
        "enterprises_hiring_frozen": sums["hiring_frozen"],
        "enterprises_converted": sums["converted"],
        "selection_strength_mean": mean("selection"),
        "market_share_mean": mean("market_share"),
    }


def resolve(scenario: Scenario | str | Path | None, parameters: dict[str, Any]) -> Scenario:
    """The scenario a model is built from: given, read from a file, or the defaults; with
    keyword ``parameters`` applied (see :func:`simulation.rules.parameter_docs.dotted`)."""
    if scenario is None:
        scenario = Scenario()
    elif not isinstance(scenario, Scenario):
        scenario = Scenario.load(scenario)
    if not parameters:
        return scenario
    return scenario.with_overrides({dotted(name): value for name, value in parameters.items()}, coerce=True)


def choose_seed(seed: int | None, rng: Any) -> int:
    """The base seed: ``seed``, else one from Mesa's ``rng``, else fresh entropy (kept in ``model.seed``).

    ``rng`` takes every form Mesa documents: an int (the seed itself), a ``SeedSequence``, a
    ``BitGenerator``, a ``Generator`` (one draw is taken from it) or a list of ints; the same
    ``rng`` gives the same seed, so the same run. ``seed`` and ``rng`` together are refused, as
    Mesa refuses them.
    """
    if seed is not None and rng is not None:
        raise LDEError("give seed or rng, not both (Mesa's rule): seed=... is this package's base seed")
    if seed is None and isinstance(rng, (int, np.integer)):
        seed = rng
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63:
            raise LDEError(f"seed must be a whole number from 0 to 2**63 - 1, got {seed!r}")
        return int(seed)
    try:
        return int(np.random.default_rng(np.random.SeedSequence() if rng is None else rng).integers(2**62))
    except (TypeError, ValueError) as err:
        raise LDEError(
            f"rng must be a whole number, a SeedSequence, a BitGenerator, a Generator or a list of whole numbers "
            f"(Mesa's forms), got {rng!r} ({err})"
        ) from None


class LabourMarketModel(mesa.Model):
    """Job seekers, LDE enterprises and regular employers in Flanders, one step per month.

    People are many and live in arrays (``model.people``, a
    :class:`~simulation.world.people.Population`); ask ``model.person(i)`` for one of them as
    an object. Enterprises and employers are Mesa agents (``model.enterprises``,
    ``model.employers``). ``model.recorder`` holds the monthly metrics and events.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        *,
        seed: int | None = None,
        rng: Any = None,
        replication: int = 0,
        **parameters: Any,
    ) -> None:
        """A model of ``scenario`` (a :class:`Scenario`, a scenario file, or None: the defaults,
        which are the baseline rules).

        ``seed`` is the base seed, as in :func:`simulation.run` and ``lde-sim``: this model is
        replication ``replication`` of ``run(scenario, seed=seed)``. Without a seed (or Mesa's
        ``rng``) one is drawn and kept in ``model.seed``, as Mesa does, so that
        ``mesa.batch_run(..., iterations=2)`` gives two different runs. Keyword ``parameters``
        set scenario fields by name (``aftercare_months=12``), or dotted with double underscores
        where a name is ambiguous (``policy__aftercare_months=12``); whole-number fields accept
        the fractional values samplers produce (rounded).
        """
        scenario = resolve(scenario, parameters)
        seed = choose_seed(seed, rng)
        model_seed = replication_seed(seed, replication)
        super().__init__(seed=model_seed)
        keep_freed_memory()
        #: The base seed, the replication and the seed of this replication's streams.
        self.seed, self.replication, self.model_seed = seed, int(replication), model_seed
        #: The scenario as designed (with its timeline) and the rules in force this month.
        self.design = scenario
        self.timeline = Timeline(scenario)
        self.scenario = scenario
        self.month = 0
        self.sector_names = list(scenario.employers.sectors)
        self.streams = RandomStreams(model_seed)
        self.recorder = Recorder()
        self.referrals = Referrals()
        #: The state: people (many, in arrays), and the tables behind the Mesa agents.
        self.people = Population(capacity=people_capacity(scenario))
        self.enterprise_table = EnterpriseTable(scenario.world.enterprises)
        self.employer_table = EmployerTable(len(scenario.employers.sectors) * scenario.employers.employers_per_sector)
        #: This month's uniform draw per enterprise for its decisions (a lottery such as local support):
        #: None until an enterprise first asks in the month (see ``LDEEnterprise.lottery_draw``).
        self.enterprise_draws: np.ndarray | None = None
        build_world(self)
        #: Ties between enterprises and employers (the network doorstroom runs through).
        self.ties = Ties(self.enterprise_table.n, self.employer_table.n)
        self.ties.sign_covenants(self.employer_table.view("covenant"))
        self.record_month()
        #: Mesa conventions: ``running`` turns false at the horizon; the DataCollector holds the
        #: stocks and the month's main measures (:data:`REPORTERS`), for ``mesa.batch_run``.
        self.running = True
        self.datacollector = mesa.DataCollector(model_reporters=dict(REPORTERS))
        self.datacollector.collect(self)

    #: Archive inactive people when they are more than this share of the rows (speed only: at 0.1 the
    #: full baseline archives 8 times and carries 6% fewer rows than at 0.2; 0.05 archives too often).
    archive_share = 0.1

    def step(self) -> None:
        """One month, in the order of the ODD process overview."""
        self.month = self.steps
        self.follow_timeline()  # levers and context that change this month (dated changes)
        self.streams.start_month(self.month)
        self.recorder.start_month()
        self.archive_inactive()  # housekeeping, not a process: results do not depend on it
        demography(self)  # ageing, retirement, leaving the labour force, inflow
        referral(self)  # indicering queue and decisions; enterprises fill open slots
        development(self)  # work, guidance and training raise employability
        labour_demand(self)  # new vacancies; others filled from outside the pool
        employer_decisions(self)  # employers offer traineeship places
        job_search_and_matching(self)  # applications, acceptance, hiring; hiring bars adapt
        retention(self)  # separations from regular, LDE and maatwerk jobs (aftercare)
        time_limit(self)  # LDE months used, evaluation before the end, extensions, exits at the limit
        doorstroom(self)  # doorstroom trajectories: preparation, matching, traineeships, hires
        maatwerk(self)  # maatwerk reviews; free collective maatwerk places to those with an advice
        work_care(self)  # work-care reviews; free work-care places to those with an advice
        benefits(self)  # benefits paid; exhausted benefit -> social assistance
        follow_up(self)  # 12- and 24-month follow-ups; outcome bonuses earned
        enterprise_finances(self)  # cloverleaf income, costs, reserves, closures, quality
        enterprise_decisions(self)  # push, hiring; under pressure: slots, coaches, prices, local support
        new_initiatives(self)  # new recognitions while the rules allow them
        public_finances(self)  # the month's public ledger by level of government
        self.record_month()  # stocks and state of the month
        self.datacollector.collect(self)
        self.running = self.month < self.design.months

    def indicators(self) -> dict[str, float]:
        """The summary indicators of the months run so far (docs/indicators.md), as ``run()`` reports
        them for a finished replication."""
        return indicators(self.recorder.metrics())

    def latest(self, column: str) -> float:
        """This month's value of a metrics column (0 when the month did not measure it)."""
        return float(self.recorder.rows[-1].get(column, 0.0))

    def follow_timeline(self) -> None:
        """Put this month's dated changes in force; sign the covenants a changed coverage asks for."""
        changes = self.timeline.starting(self.month)
        if not changes:
            return
        self.scenario = self.scenario.with_overrides(changes, timeline_checked=True)
        if any(key.startswith("policy.covenant") for key in changes):
            sign_covenants(self)

    def rebase(self, scenario: Scenario) -> None:
        """Continue this model under ``scenario`` from the next month: a branch of a shared history.

        ``scenario`` must agree with the model's design up to this month (experiments check it);
        its rules in force now are then those the model has, so continuing gives exactly what a
        whole run of ``scenario`` gives (tested).
        """
        self.design = scenario
        self.timeline = Timeline(scenario)
        self.scenario = self.timeline.in_force(scenario, self.month)

    def archive_inactive(self) -> None:
        """Move people who left the labour force out of the working arrays, when worthwhile."""
        inactive = self.people.counts()[INACTIVE] - self.people.archived  # those in the rows: kept, no scan
        if inactive > self.archive_share * self.people.n:
            self.referrals.remap(self.people.archive_inactive())

    @property
    def enterprises(self) -> mesa.agent.AgentSet:
        """The LDE enterprises as Mesa agents."""
        return self.agents_by_type[LDEEnterprise]

    @property
    def employers(self) -> mesa.agent.AgentSet:
        """The regular employers as Mesa agents."""
        return self.agents_by_type[NECEmployer]

    def person(self, i: int) -> Person:
        """Person ``i`` (their id) as a readable snapshot, with the path of status changes so far.

        People who left the labour force are shown as they were when they were archived.
        """
        r = self.people.record(i)
        path = [Step(int(e["month"]), e["from"], e["to"], e["reason"]) for e in self.recorder.path(i).to_dict("records")]
        return Person(
            id=i,
            status=Status(r["status"]).name,
            age=round(r["age"], 2),
            education=EDUCATION[r["education"]],
            employability=round(r["employability"], 4),
            experience_months=r["experience"],
            months_in_status=r["months_in_status"],
            lde_months_used=r["lde_months"],
            benefit_months_left=None if r["benefit_left"] >= NO_LIMIT_MONTHS // 2 else r["benefit_left"],
            enterprise=None if r["enterprise"] < 0 else r["enterprise"],
            employer=None if r["employer"] < 0 else r["employer"],
            path=path,
        )

    def decision_metrics(self, totals: dict[str, dict[str, float]]) -> dict[str, float]:
        """What the open enterprises have chosen, summed or averaged over them: in total, and with
        ``_small`` and ``_large`` for each size class (the decisions plot draws both).

        ``totals`` maps each suffix to the sums over its open enterprises (:meth:`enterprise_totals`)."""
        metrics: dict[str, float] = {}
        for suffix, sums in totals.items():
            metrics.update({f"{name}{suffix}": value for name, value in choices(sums).items()})
        metrics["enterprise_income"] = totals[""]["income"]
        metrics["enterprise_costs"] = totals[""]["costs"]
        return metrics

    def enterprise(self, row: int) -> dict[str, object]:
        """Enterprise ``row`` as a readable record: its state now and every decision it made so far."""
        agent = next(a for a in self.enterprises if a.row == row)
        state = {name: getattr(agent, name) for name in ("size_class", "activity", *self.enterprise_table.columns)}
        state.pop("activity_code", None)
        return {**state, "decisions": self.recorder.enterprise_events(row).to_dict("records")}

    def record_month(self) -> None:
        """Close the month's row of metrics: stocks, flows and the state of firms."""
        self.recorder.end_month(self.month, self.scenario.date(self.month), self.people.counts(), self.state_metrics())

    def state_metrics(self) -> dict[str, float]:
        """The state at the end of the month, beyond the stocks of people."""
        p, emp = self.people, self.employer_table
        queue, tickets = self.referrals.current(p)
        totals = self.enterprise_totals()
        all_open = totals[""]
        state = {
            "lde_slots": all_open["slots"],
            "lde_occupancy": all_open["workers"] / all_open["slots"] if all_open["slots"] else 0.0,
            "waiting_list": queue.size,
            "tickets_unplaced": tickets.size,
        }
        vacancies = np.bincount(emp.view("sector"), weights=emp.view("vacancies"), minlength=len(self.sector_names))
        state.update({f"vacancies_open_{name}": v for name, v in zip(self.sector_names, vacancies.tolist())})
        state.update({f"enterprises_solvent{suffix}": sums["solvent"] for suffix, sums in totals.items()})
        state["enterprises_closed"] = self.enterprise_table.n - all_open["open"]
        state.update({f"reserves_{suffix[1:] or 'total'}": sums["reserve"] for suffix, sums in totals.items()})
        state["service_quality"] = all_open["quality"] / all_open["open"] if all_open["open"] else 0.0
        state.update(self.decision_metrics(totals))
        bars = emp.view("hiring_bar")
        state["hiring_bar_mean"] = float(bars.sum()) / bars.size  # what mean() gives, without its checks
        state.update(route_counts(self))
        return state

    def enterprise_totals(self) -> dict[str, dict[str, float]]:
        """Sums over the open enterprises, in total (``""``) and by size class (``"_small"``, ``"_large"``):
        their number (``open``), the amounts of :data:`SUMMED` and the whole numbers of :data:`COUNTED`.

        The columns of each kind are stacked in one block and each group is taken from it at once:
        a few NumPy calls a group rather than two a column (the month's fixed cost, paid on few
        firms). A row of a (C-ordered) block is added in the same pairwise order as the column
        alone, so the sums are the columns' own, to the bit."""
        ent = self.enterprise_table
        amounts = np.array([ent.view(name) for name in SUMMED])
        wholes = np.array([column(ent) for column in COUNTED.values()])
        is_open, large = ent.view("is_open"), ent.view("large")
        totals = {}
        for suffix, group in (("", is_open), ("_small", is_open & ~large), ("_large", is_open & large)):
            chosen = amounts.compress(group, axis=1)
            totals[suffix] = {
                "open": chosen.shape[1],
                **dict(zip(SUMMED, chosen.sum(axis=1).tolist())),
                **dict(zip(COUNTED, wholes.compress(group, axis=1).sum(axis=1).tolist())),
            }
        return totals
