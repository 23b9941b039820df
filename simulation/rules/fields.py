"""The building blocks of the scenario schema: numbers that refuse booleans and infinities,
month counts and calendar months, documented fields (:func:`param`), the base of every
section, step schedules, and :class:`ScenarioError`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ..errors import LDEError

UNLIMITED = "unlimited"
NEVER = "never"
#: Internal stand-in for "no limit" in month arithmetic (far beyond any horizon).
NO_LIMIT_MONTHS = 1_000_000


def refuse_non_numbers(value: Any) -> Any:
    """``true``/``false`` and text are not numbers (pydantic would read ``true`` as 1 and ``"5000"`` as 5000)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()}")
    if isinstance(value, str):
        hint = " (write the number without quotes)" if _looks_numeric(value) else ""
        raise ValueError(f"expected a number, got the text {value!r}{hint}")
    return value


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


#: Numbers in scenario files: never a boolean or text, and a float is never infinite or NaN
#: (``allow_inf_nan=False`` on every section).
Int = Annotated[int, BeforeValidator(refuse_non_numbers)]
Float = Annotated[float, BeforeValidator(refuse_non_numbers)]
#: Longest horizon, limit or duration in months: 100 years. Keeps every month count
#: far inside the int16 arrays that hold months (at most 32,767).
MAX_MONTHS = 1200
Months = Annotated[Int, Field(ge=1, le=MAX_MONTHS)] | Literal["unlimited"]
StartMonth = Annotated[Int, Field(ge=0, le=MAX_MONTHS)] | Literal["never"]


_MONTH = r"(199\d|20\d\d|2100)-(0[1-9]|1[0-2])"
#: A calendar month, ``YYYY-MM`` (years 1990 to 2100).
YearMonth = Annotated[str, Field(pattern=rf"^{_MONTH}$")]
#: A calendar window ``YYYY-MM:YYYY-MM`` (both months included), or ``all``: the whole run.
Window = Annotated[str, Field(pattern=rf"^(all|{_MONTH}:{_MONTH})$")]
#: What each pattern above allows, in words, for error messages (pydantic would show the pattern).
PATTERN_WORDS = {
    rf"^{_MONTH}$": "expected a calendar month YYYY-MM, years 1990–2100 (e.g. 2026-07)",
    rf"^(all|{_MONTH}:{_MONTH})$": "expected YYYY-MM:YYYY-MM, years 1990–2100 (e.g. 2026-07:2036-12), or all",
}


def months_between(start: str, date: str) -> int:
    """Months from calendar month ``start`` to ``date`` (both ``YYYY-MM``): 0 for the same month."""
    (y0, m0), (y1, m1) = (map(int, d.split("-")) for d in (start, date))
    return (y1 - y0) * 12 + (m1 - m0)


def date_of(start: str, month: int) -> str:
    """The calendar month ``month`` months after ``start`` (``YYYY-MM``)."""
    y0, m0 = map(int, start.split("-"))
    total = y0 * 12 + (m0 - 1) + month
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


class ScenarioError(LDEError):
    """A scenario file or override that cannot be used; the message says where and why."""


def param(default: Any, unit: str, source: str, description: str, **bounds: Any) -> Any:
    """A documented parameter: pydantic field with unit and source kept for the docs."""
    return Field(default, description=description, json_schema_extra={"unit": unit, "source": source}, **bounds)


class Section(BaseModel):
    """Base of every scenario section: unknown keys are errors, values are immutable, numbers finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)


Schedule = list[tuple[Int, Float]]
#: Largest value of a step schedule (a share of the wage or euros a month).
MAX_SCHEDULE_VALUE = 1_000_000


def check_schedule(steps: Schedule) -> Schedule:
    """A step schedule: ``[[from_month, value], ...]`` starting at month 0, increasing."""
    if not steps:
        raise ValueError("needs at least one step [0, value]")
    months = [m for m, _ in steps]
    if months[0] != 0:
        raise ValueError(f"the first step must start at month 0, not {months[0]}")
    if any(b <= a for a, b in zip(months, months[1:])):
        raise ValueError(f"step months must increase strictly, got {months}")
    if months[-1] > MAX_MONTHS or len(steps) > MAX_MONTHS:
        raise ValueError(f"step months must be at most {MAX_MONTHS}, with at most {MAX_MONTHS} steps")
    if any(not 0 <= v <= MAX_SCHEDULE_VALUE for _, v in steps):
        raise ValueError(f"step values must be between 0 and {MAX_SCHEDULE_VALUE:,}")
    return steps


def schedule_values(steps: Schedule, months: np.ndarray) -> np.ndarray:
    """Value of a step schedule for each element of ``months`` (months into the trajectory).

    A schedule of one step (most rules) has that value at every month: no search."""
    if len(steps) == 1:
        return np.full(np.shape(months), float(steps[0][1]))
    starts = np.array([m for m, _ in steps])
    values = np.array([v for _, v in steps], dtype=np.float64)
    return values[np.searchsorted(starts, months, side="right") - 1]
