"""The schedule's .ics file read by Mozilla's ical.js, as Thunderbird's and Nextcloud's web calendars do.

Every schedule below has its first session before or after a change of offset, in
five zones of the partners (and of a Québec and an Australian team); a few more
are at a typed time that falls in a spring gap or an autumn fold. Each file is
expanded three ways and all must agree: the bot's own recurrence, icalendar with
recurring-ical-events, and ical.js (tests/foreign/ics_expand.mjs, pinned in
tests/foreign/package.json). The zone is renamed to a name no library knows, so each
reader has only the file's VTIMEZONE to go by.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events as recurring

from bot.schedule import Recurrence
from bot.schedule.ics import calendar
from tests.helpers.paths import ROOT

FOREIGN_DIR = ROOT / "tests" / "foreign"
STAMP = datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc)
TUE, THU, SUN = 2, 4, 7

# (zone, the two changes of 2027 as local dates, a weekday, a local time)
ZONES = [
    ("Europe/Brussels", date(2027, 3, 28), date(2027, 10, 31), TUE, time(14)),
    ("Europe/Bucharest", date(2027, 3, 28), date(2027, 10, 31), TUE, time(14)),
    ("Europe/Athens", date(2027, 3, 28), date(2027, 10, 31), THU, time(18, 30)),
    ("America/Montreal", date(2027, 3, 14), date(2027, 11, 7), SUN, time(9, 30)),
    ("Australia/Sydney", date(2027, 4, 4), date(2027, 10, 3), THU, time(19)),
]


def schedules() -> list[Recurrence]:
    """For each zone and change: a first session the week before it and the week after it,
    weekly for a few weeks and every 8 weeks for a year; and the schedule of the report."""
    out = [Recurrence((TUE,), time(14), "Europe/Brussels", date(2027, 2, 23), interval=8)]
    for zone, spring, autumn, day, at in ZONES:
        for change in (spring, autumn):
            for start in (change - timedelta(days=7), change + timedelta(days=1)):
                out.append(Recurrence((day,), at, zone, start, count=4))
                out.append(Recurrence((day,), at, zone, start, interval=8, count=7))
    # North America moved its changes in 2007: a rule that stops (UNTIL), then another.
    out.append(Recurrence((SUN,), time(9, 30), "America/Montreal", date(2005, 10, 20), interval=3, count=70))
    # Endless: the zone's rules written for ten years must hold all along.
    out.append(Recurrence((TUE,), time(14), "Europe/Bucharest", date(2027, 3, 20)))
    out.append(Recurrence((THU,), time(19), "Australia/Sydney", date(2027, 9, 30), interval=4))
    return out


# Typed times in the spring gap or the autumn fold (the bot says at creation what it
# does: 02:30 becomes 03:30; a repeated time is the first one). Readers disagree on
# such a time, so the file gives each such session its instant (an override).
ODD = [
    Recurrence((SUN,), time(2, 30), "Europe/Paris", date(2027, 3, 21), count=3),
    Recurrence((SUN,), time(2, 30), "Europe/Brussels", date(2027, 3, 28), count=3),
    Recurrence((SUN,), time(3, 30), "Europe/Athens", date(2027, 10, 24), count=3),
    Recurrence((SUN,), time(1, 30), "America/Montreal", date(2027, 10, 31), count=3),
    Recurrence((SUN,), time(2, 30), "Australia/Sydney", date(2027, 3, 28), count=3),
    Recurrence((SUN,), time(3, 30), "Europe/Bucharest", date(2027, 3, 1)),  # endless: every year
]
SCHEDULES = schedules() + ODD
ENDLESS_SESSIONS = 80


def only_this_file(rule: Recurrence) -> str:
    text = calendar(rule, uid="s@reflextics", summary="Réflex'tics", description="-", duration_minutes=90,
                    stamp=STAMP)
    return text.replace(rule.zone, f"Reflextics/Only-This-File-{uuid.uuid4().hex}")


def expected(rule: Recurrence) -> list[datetime]:
    out = []
    for moment in rule.occurrences():
        out.append(moment.astimezone(timezone.utc))
        if len(out) == ENDLESS_SESSIONS:
            break
    return out


def near_a_change(rule: Recurrence) -> bool:
    """Whether the sessions straddle a change, or the first one comes in the week after one."""
    zone = ZoneInfo(rule.zone)
    sessions = [s.astimezone(zone) for s in expected(rule)]
    week_before = (sessions[0] - timedelta(days=8)).astimezone(zone)
    return len({s.utcoffset() for s in sessions}) == 2 or week_before.utcoffset() != sessions[0].utcoffset()


def read_with_icaljs(files: list[str], limit: int) -> list[list[datetime]]:
    if shutil.which("node") is None or not (FOREIGN_DIR / "node_modules" / "ical.js").is_dir():
        pytest.fail("ical.js is not installed: run `make tests/foreign/node_modules/.installed-stamp` "
                    "(npm ci --prefix tests/foreign)")
    jobs = [{"ics": text, "after": "1970-01-01T00:00:00Z", "limit": limit} for text in files]
    result = subprocess.run(["node", str(FOREIGN_DIR / "ics_expand.mjs")], input=json.dumps(jobs),
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return [[datetime.fromisoformat(s.replace("Z", "+00:00")) for s in starts]
            for starts in json.loads(result.stdout)]


def read_with_icalendar(text: str, rule: Recurrence) -> list[datetime]:
    cal = icalendar.Calendar.from_ical(text)
    sessions = expected(rule)
    found = recurring.of(cal).between(sessions[0] - timedelta(days=1), sessions[-1] + timedelta(days=1))
    return sorted(e.decoded("DTSTART").astimezone(timezone.utc) for e in found)


def test_the_odd_schedules_do_meet_a_gap_or_a_fold():
    for rule in ODD:
        assert any(rule.odd_time(o) for o in rule.occurrences() if o.year < 2029), rule


def test_every_schedule_starts_near_a_change():
    assert all(near_a_change(rule) for rule in SCHEDULES)
    assert {rule.zone for rule in SCHEDULES} >= {zone for zone, *_ in ZONES}


def test_icaljs_reads_every_session_at_the_typed_time():
    files = [only_this_file(rule) for rule in SCHEDULES]
    by_icaljs = read_with_icaljs(files, ENDLESS_SESSIONS)
    wrong = []
    for rule, text, got in zip(SCHEDULES, files, by_icaljs):
        want = expected(rule)
        assert read_with_icalendar(text, rule) == want, rule
        if got != want:
            local = [g.astimezone(ZoneInfo(rule.zone)).strftime("%Y-%m-%d %H:%M") for g in got if g not in want]
            wrong.append(f"{rule.zone} from {rule.start} every {rule.interval} week(s): {local}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("zone,rules", [
    ("Europe/Brussels", {("DAYLIGHT", 3, "-1SU", "20270328T020000"), ("STANDARD", 10, "-1SU", "20271031T030000")}),
    ("Europe/Bucharest", {("DAYLIGHT", 3, "-1SU", "20270328T030000"), ("STANDARD", 10, "-1SU", "20271031T040000")}),
    ("America/Montreal", {("DAYLIGHT", 3, "2SU", "20270314T020000"), ("STANDARD", 11, "1SU", "20271107T020000")}),
    ("Australia/Sydney", {("STANDARD", 4, "1SU", "20270404T030000"), ("DAYLIGHT", 10, "1SU", "20271003T020000")}),
])
def test_the_vtimezone_is_in_the_yearly_rule_form(zone, rules):
    rule = Recurrence((TUE,), time(14), zone, date(2027, 1, 5))  # endless: ten years of changes
    text = calendar(rule, uid="s@reflextics", summary="-", description="-", duration_minutes=90, stamp=STAMP)
    [vtimezone] = icalendar.Calendar.from_ical(text).walk("VTIMEZONE")
    assert "RDATE" not in text
    found = set()
    for block in vtimezone.subcomponents[1:]:
        assert "UNTIL" not in block["RRULE"], "a rule in force to the end of the span goes on"
        found.add((block.name, block["RRULE"]["BYMONTH"][0], block["RRULE"]["BYDAY"][0],
                   block["DTSTART"].to_ical().decode()))
    assert found == rules
