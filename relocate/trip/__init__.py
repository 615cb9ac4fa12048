"""The advisor's scouting trip: a day-by-day visit plan of shortlisted villages, and its brief.

>>> from relocate.trip import Appointment, Itinerary, TripSettings, plan_trip  # doctest: +SKIP
>>> plan = plan_trip(                                                          # doctest: +SKIP
...     territory,
...     base=Itinerary(base="Auch", arrive="TLS", leave="AGF"),
...     villages=["Pavie", "Gimont", "Mauvezin"],
...     start=date(2027, 3, 1),
...     days=2,
...     appointments=[Appointment(title="Notaire", place="Gimont",
...                               start=datetime(2027, 3, 2, 15), end=datetime(2027, 3, 2, 16))],
... )
"""

from relocate.trip.brief import build_brief, write_brief
from relocate.trip.exports import (
    left_out_frame,
    schedule_csv,
    schedule_frame,
    schedule_ics,
    write_schedule_csv,
    write_schedule_ics,
)
from relocate.trip.model import (
    Appointment,
    DayPlan,
    Lunch,
    Place,
    Reason,
    Stop,
    TripPlan,
    TripSettings,
)
from relocate.trip.places import resolve_place
from relocate.trip.plan import Itinerary, check_trip, plan_trip

__all__ = [
    "Appointment",
    "DayPlan",
    "Itinerary",
    "Lunch",
    "Place",
    "Reason",
    "Stop",
    "TripPlan",
    "TripSettings",
    "build_brief",
    "check_trip",
    "left_out_frame",
    "plan_trip",
    "resolve_place",
    "schedule_csv",
    "schedule_frame",
    "schedule_ics",
    "write_brief",
    "write_schedule_csv",
    "write_schedule_ics",
]
