"""Working-day calendars per country: weekends and public holidays as data.

Durations on the roadmap are counted in working days of the country doing the work; the plan's
arithmetic runs in working-day numbers (0, 1, 2, …) from the roadmap's start, and this module
turns them into dates and back with numpy's business-day functions (vectorised: a 10,000-task
plan converts in one call).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

WEEKDAYS = "1111100"  # Monday to Friday


@dataclass(frozen=True)
class WorkCalendar:
    """One country's working days: a weekly mask and public holidays (dates)."""

    country: str
    holidays: tuple[date, ...] = ()
    weekmask: str = WEEKDAYS
    _busday: np.busdaycalendar = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        calendar = np.busdaycalendar(
            weekmask=self.weekmask,
            holidays=np.array(sorted(self.holidays), dtype="datetime64[D]"),
        )
        object.__setattr__(self, "_busday", calendar)

    def is_working(self, day: date) -> bool:
        return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=self._busday))

    def next_working(self, day: date) -> date:
        """The day itself if it is a working day, else the next working day."""
        return self.add(day, 0)

    def add(self, day: date, working_days: int) -> date:
        """The working day `working_days` after `day` (rolled forward to a working day first)."""
        moved = np.busday_offset(
            np.datetime64(day, "D"), working_days, roll="forward", busdaycal=self._busday
        )
        return moved.astype(object)  # type: ignore[no-any-return]

    def between(self, start: date, end: date) -> int:
        """Working days in [start, end): a duration from one date to another."""
        return int(
            np.busday_count(
                np.datetime64(start, "D"), np.datetime64(end, "D"), busdaycal=self._busday
            )
        )

    def dates(self, origin: date, offsets: Sequence[int] | npt.NDArray[np.int64]) -> list[date]:
        """Working-day numbers counted from `origin` as dates, all at once."""
        moved = np.busday_offset(
            np.datetime64(origin, "D"),
            np.asarray(offsets, dtype=np.int64),
            roll="forward",
            busdaycal=self._busday,
        )
        return [d.astype(object) for d in moved]

    def offsets(self, origin: date, days: Iterable[date]) -> npt.NDArray[np.int64]:
        """Dates as working-day numbers from `origin` (a holiday counts as the next working day)."""
        start = np.datetime64(self.next_working(origin), "D")
        found = np.array([np.datetime64(d, "D") for d in days], dtype="datetime64[D]")
        rolled = np.busday_offset(found, 0, roll="forward", busdaycal=self._busday)
        return np.busday_count(start, rolled, busdaycal=self._busday).astype(np.int64)
