/**
 * Local date-times in an IANA time zone, with Node's own Intl data (no time-zone library).
 *   zonedToEpoch('2020-10-15T21:00:00', 'Pacific/Auckland')   → the epoch ms of 21:00 NZDT
 *   zonedToEpoch('2020-10-15T21:00:00+13:00')                  → an explicit offset needs no zone
 *   localTime(ms, 'Pacific/Auckland')                          → '2020-10-15 21:00:00'
 */

const WITH_OFFSET = /(Z|[+-]\d\d:?\d\d)$/i;
const LOCAL = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(\.\d+)?)?$/;

function formatter(timeZone: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  } catch {
    throw new RangeError(`unknown time zone '${timeZone}' (an IANA name such as Europe/Berlin or Pacific/Auckland)`);
  }
}

/** Wall-clock fields of epoch ms in a zone, read back as if they were UTC. */
function wallAsUtc(ms: number, f: Intl.DateTimeFormat): number {
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) + (ms % 1000 + 1000) % 1000;
}

export function zonedToEpoch(text: string, timeZone?: string): number {
  if (WITH_OFFSET.test(text.trim())) {
    const ms = Date.parse(text);
    if (!Number.isFinite(ms)) throw new RangeError(`'${text}' is not an ISO 8601 date-time`);
    if (timeZone) formatter(timeZone);
    return ms;
  }
  const m = LOCAL.exec(text.trim());
  if (!m) throw new RangeError(`'${text}' is not an ISO 8601 date-time (e.g. 2020-10-15T21:00:00+13:00, or a local time with timeZone)`);
  if (!timeZone) throw new RangeError(`'${text}' has no UTC offset: add one (e.g. +13:00) or give timeZone`);
  const f = formatter(timeZone);
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0)) + Math.round(Number(m[7] ?? 0) * 1000);
  // Two rounds of "guess, see what the wall clock says, correct" settle on the offset in force at that time.
  let guess = wall;
  for (let i = 0; i < 2; i++) guess = wall - (wallAsUtc(guess, f) - guess);
  return guess;
}

export function localTime(ms: number, timeZone: string): string {
  return new Date(wallAsUtc(ms, formatter(timeZone))).toISOString().replace('T', ' ').replace(/\.000Z$/, '').replace(/Z$/, '');
}
