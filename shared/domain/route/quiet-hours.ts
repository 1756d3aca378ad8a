/** Quiet hours in the on-call team's time zone: when a page waits until morning. */
import type { QuietHours } from './settings.js';

function minutesOf(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/** Minutes since local midnight in `timeZone` (Intl does the DST arithmetic). */
function localMinutes(now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .formatToParts(now)
    .reduce<Record<string, string>>((acc, part) => ({ ...acc, [part.type]: part.value }), {});
  return Number(parts.hour) * 60 + Number(parts.minute);
}

export function inQuietHours(now: Date, quiet: QuietHours): boolean {
  const local = localMinutes(now, quiet.timeZone);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  return start < end ? local >= start && local < end : local >= start || local < end;
}

/**
 * The instant quiet hours end, or undefined when `now` is outside them. Counted in local
 * minutes from now, so a DST change inside the quiet period shifts the end by up to an hour.
 */
export function quietHoursEnd(now: Date, quiet: QuietHours): string | undefined {
  if (!inQuietHours(now, quiet)) return undefined;
  const local = localMinutes(now, quiet.timeZone);
  const wait = (minutesOf(quiet.end) - local + 1440) % 1440;
  const end = new Date(now.getTime() + wait * 60_000);
  end.setUTCSeconds(0, 0);
  return end.toISOString();
}
