"""The advisor's scouting trip: a day-by-day visit plan of shortlisted villages, and its brief."""

from relocate.trip.brief import build_brief, write_brief
from relocate.trip.exports import (
    left_out_frame,
    schedule_frame,
    write_schedule_csv,
    write_schedule_ics,
)
from relocate.trip.model import DayPlan, Stop, TripPlan, TripSettings
from relocate.trip.plan import plan_trip

__all__ = [
    "DayPlan",
    "Stop",
    "TripPlan",
    "TripSettings",
    "build_brief",
    "left_out_frame",
    "plan_trip",
    "schedule_frame",
    "write_brief",
    "write_schedule_csv",
    "write_schedule_ics",
]
