// The branch's calendar day, for the lobby's daily counters. Days are told
// apart by their local date in the branch's IANA time zone (Intl), never by
// adding 24 h: a day with a daylight-saving change lasts 23 or 25 hours.

/** The machine's time zone (TZ, else /etc/localtime), as Node resolves it. */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** True when `tz` is an IANA time zone this Node knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** `YYYY-MM-DD` of the instant `ms` in time zone `tz`. */
export function localDay(ms: number, tz: string): string {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    formats.set(tz, f);
  }
  const parts = f.formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}
