// Reads .ics files as Mozilla's calendar stack does (ical.js: Thunderbird's web parts,
// Nextcloud Calendar), for the Python tests (tests/test_schedule_icaljs.py).
//
// stdin: a JSON list of {"ics": text, "after": ISO instant, "limit": n}
// stdout: a JSON list, for each file, of the event's session starts as UTC ISO instants.
// Only the file's own VTIMEZONE blocks are known: ical.js ships no zone database, so
// what it computes comes from the file alone. Overrides of single sessions
// (RECURRENCE-ID) are applied as calendar applications do (Event.relateException).
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const jobs = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const results = jobs.map(({ ics, after, limit }) => {
  const root = new ICAL.Component(ICAL.parse(ics));
  for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(vtimezone);
  }
  const vevents = root.getAllSubcomponents("vevent");
  const master = new ICAL.Event(vevents.find((v) => !v.hasProperty("recurrence-id")));
  for (const v of vevents) {
    if (v.hasProperty("recurrence-id")) master.relateException(new ICAL.Event(v));
  }
  const from = Date.parse(after);
  const starts = [];
  const it = master.iterator();
  for (let next = it.next(); next && starts.length < limit; next = it.next()) {
    const start = master.getOccurrenceDetails(next).startDate;
    const ms = start.toUnixTime() * 1000;
    if (ms >= from) starts.push(new Date(ms).toISOString());
  }
  for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.remove(vtimezone.getFirstPropertyValue("tzid"));
  }
  return starts.sort();
});
process.stdout.write(JSON.stringify(results));
