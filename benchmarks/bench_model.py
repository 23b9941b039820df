"""Speed and memory of the full model against a plain Mesa loop, in one run.

    python benchmarks/bench_model.py --seekers 100000 --months 180

Prints, for the full model on the baseline scenario with ``--seekers`` structurally
unemployed people, the agent-months simulated per second (an agent-month is one person
still in the labour force, or one enterprise or employer, for one month) and the peak
memory of the process; then the same for a plain Mesa model of ``--seekers`` agents
whose ``step()`` only increments a counter, stepped with ``shuffle_do``; then their ratio.
Each model runs in a fresh process, so peak memory is its own, ``--repeat`` times in turn
(default 3); the fastest run of each counts (as ``timeit`` does: on a shared machine the
fastest is the one least slowed by other work; one run moves by 10-20%).

Then the budget behind the ratio. The same model with ``--small-seekers`` (default 30,000)
runs as often, and the two sizes split a month into a fixed cost (the enterprises', the
employers' and the books' work, paid whatever the number of people) and a cost per
person-month (the passes over the people's rows). From these it prints the most the ratio
could be were every person-month free, and what a person-month may cost at most for the
ratio ``--target`` (default 25, issue 22's floor). The smaller world must still fill its
enterprises: the baseline's 2,500 LDE workers are replaced from the pool, and with fewer
than about 30,000 seekers the pool cannot do it, so most enterprises close (at 1,000 seekers
13 of about 220 are open at month 180) and the firms' work is not the full world's.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import platform
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def full_model(seekers: int, months: int, seed: int) -> dict[str, float]:
    from simulation import LabourMarketModel, Scenario, Status

    scenario = Scenario.load(ROOT / "scenarios" / "baseline.toml", {"world.pool_size": seekers, "months": months})
    start = time.perf_counter()
    model = LabourMarketModel(scenario, seed=seed)
    for _ in range(months):
        model.step()
    seconds = time.perf_counter() - start
    metrics = model.recorder.metrics()
    working_age = [s.name for s in Status if s.name != "inactive"]
    people = metrics.loc[metrics["month"] > 0, working_age].to_numpy().sum()
    firms = metrics.loc[metrics["month"] > 0, "enterprises_open"].sum() + months * model.employer_table.n
    return {"seconds": seconds, "agent_months": float(people + firms), "people_months": float(people), "peak_mb": peak_mb()}


def plain_mesa(agents: int, months: int, seed: int) -> dict[str, float]:
    import mesa

    class Counter(mesa.Agent):
        def __init__(self, model: mesa.Model) -> None:
            super().__init__(model)
            self.count = 0

        def step(self) -> None:
            self.count += 1

    class Plain(mesa.Model):
        def __init__(self, n: int, seed: int) -> None:
            super().__init__(seed=seed)
            Counter.create_agents(self, n)

        def step(self) -> None:
            self.agents.shuffle_do("step")

    start = time.perf_counter()
    model = Plain(agents, seed)
    for _ in range(months):
        model.step()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "agent_months": float(agents * months), "peak_mb": peak_mb()}


def peak_mb() -> float:
    """Peak resident memory of this process, MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_fresh_process(function, *args) -> dict[str, float]:
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def per_second(run: dict[str, float]) -> float:
    """Agent-months a second of a run."""
    return run["agent_months"] / run["seconds"]


def budget(full: dict[str, float], small: dict[str, float], plain_ns: float, months: int, target: float) -> list[str]:
    """The fixed cost of a month and the cost of a person-month, from a large and a small run of
    ``months`` months (``plain_ns``: the plain loop's nanoseconds an agent-month); what they allow."""
    per_person = (full["seconds"] - small["seconds"]) / (full["people_months"] - small["people_months"])
    fixed = small["seconds"] - per_person * small["people_months"]  # seconds, over all the months
    if fixed <= 0 or per_person <= 0:
        return ["fixed cost: the two sizes do not split a month (runs too short or too noisy): run more months or seekers"]
    ceiling = plain_ns / (fixed * 1e9 / full["agent_months"])
    allowed = (plain_ns / target * full["agent_months"] - fixed * 1e9) / full["people_months"]
    return [
        f"fixed cost: {fixed / months * 1e3:.2f} ms a month; a person-month beyond it: {per_person * 1e9:.1f} ns",
        f"were every person-month free, the full model would be {ceiling:.1f} times faster than the plain Mesa loop",
        f"for {target:g} times, a person-month may cost at most {allowed:.1f} ns beyond the fixed cost"
        + ("" if allowed > 0 else ": out of reach with this fixed cost"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seekers", type=int, default=100_000, help="structurally unemployed at month 0")
    parser.add_argument("--months", type=int, default=180)
    parser.add_argument(
        "--plain-months",
        type=int,
        help="months for the plain Mesa model (default: --months); fewer weigh its set-up more and raise the ratio",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each model, in turn; the fastest counts")
    parser.add_argument("--small-seekers", type=int, default=30_000, help="structurally unemployed in the run for the fixed cost")
    parser.add_argument("--target", type=float, default=25.0, help="the ratio the budget is worked out for")
    args = parser.parse_args()
    if not 100 <= args.small_seekers < args.seekers:
        parser.error(f"--small-seekers must be at least 100 and below --seekers ({args.seekers}), got {args.small_seekers}")

    print(f"machine: {platform.processor() or platform.machine()}, {mp.cpu_count()} cores, Python {platform.python_version()}")
    fulls, smalls, plains = [], [], []
    for _ in range(max(args.repeat, 1)):
        fulls.append(in_fresh_process(full_model, args.seekers, args.months, args.seed))
        smalls.append(in_fresh_process(full_model, args.small_seekers, args.months, args.seed))
        plains.append(in_fresh_process(plain_mesa, args.seekers, args.plain_months or args.months, args.seed))
    for name, runs in (("full model", fulls), (f"{args.small_seekers:,} seekers", smalls), ("plain Mesa loop", plains)):
        print(f"{name}: seconds of each run {', '.join(format(r['seconds'], '.2f') for r in runs)}")
    full, small, plain = (min(runs, key=lambda r: r["seconds"]) for runs in (fulls, smalls, plains))
    rows = [("full model", full), ("plain Mesa loop", plain)]
    print(f"{'':18}{'seconds':>10}{'agent-months':>16}{'agent-months/s':>17}{'ns/agent-month':>16}{'peak MB':>10}")
    for name, r in rows:
        rate = per_second(r)
        print(f"{name:18}{r['seconds']:10.2f}{r['agent_months']:16,.0f}{rate:17,.0f}{1e9 / rate:16.1f}{r['peak_mb']:10.0f}")
    print(f"full model is {per_second(full) / per_second(plain):.1f} times faster per agent-month than the plain Mesa loop")
    print("\n".join(budget(full, small, 1e9 / per_second(plain), args.months, args.target)))


if __name__ == "__main__":
    main()
