// Formats a date with Moment.js format tokens (English), the syntax Obsidian's Templates and Daily notes plugins
// take in `{{date:YYYY-MM-DD}}` and in the daily-note format setting. Only formatting is needed, so this covers the
// tokens people write in those settings rather than pulling in a date library: years, quarters, months, days,
// weekdays, ISO and US weeks, hours, minutes, seconds, AM/PM, Unix time, and `[escaped text]`. Local time.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_MS = 86_400_000;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

/** Days since the epoch of a local calendar date (no DST surprises: computed in UTC). */
const dayNumber = (y: number, m: number, d: number) => Date.UTC(y, m, d) / DAY_MS;

/** ISO 8601 week and week-year: weeks start on Monday; week 1 holds the year's first Thursday. */
function isoWeek(date: Date): { week: number; year: number } {
  const weekday = (date.getDay() + 6) % 7; // Monday 0
  const thursday = dayNumber(date.getFullYear(), date.getMonth(), date.getDate()) - weekday + 3;
  const year = new Date(thursday * DAY_MS).getUTCFullYear();
  return { week: Math.floor((thursday - dayNumber(year, 0, 1)) / 7) + 1, year };
}

/** Moment's English locale weeks: start on Sunday; week 1 holds January 1st. */
function localeWeek(date: Date): { week: number; year: number } {
  const saturday = dayNumber(date.getFullYear(), date.getMonth(), date.getDate()) + (6 - date.getDay());
  const year = new Date(saturday * DAY_MS).getUTCFullYear();
  const jan1 = dayNumber(year, 0, 1);
  const firstSunday = jan1 - new Date(jan1 * DAY_MS).getUTCDay();
  return { week: Math.floor((saturday - firstSunday) / 7) + 1, year };
}

const DAY_OF_YEAR = (d: Date) => dayNumber(d.getFullYear(), d.getMonth(), d.getDate()) - dayNumber(d.getFullYear(), 0, 1) + 1;

const TOKENS: Record<string, (d: Date) => string> = {
  YYYY: (d) => pad(d.getFullYear(), 4),
  YY: (d) => pad(d.getFullYear() % 100, 2),
  Q: (d) => String(Math.floor(d.getMonth() / 3) + 1),
  MMMM: (d) => MONTHS[d.getMonth()]!,
  MMM: (d) => MONTHS[d.getMonth()]!.slice(0, 3),
  MM: (d) => pad(d.getMonth() + 1, 2),
  M: (d) => String(d.getMonth() + 1),
  Mo: (d) => ordinal(d.getMonth() + 1),
  DDDD: (d) => pad(DAY_OF_YEAR(d), 3),
  DDD: (d) => String(DAY_OF_YEAR(d)),
  DD: (d) => pad(d.getDate(), 2),
  Do: (d) => ordinal(d.getDate()),
  D: (d) => String(d.getDate()),
  dddd: (d) => WEEKDAYS[d.getDay()]!,
  ddd: (d) => WEEKDAYS[d.getDay()]!.slice(0, 3),
  dd: (d) => WEEKDAYS[d.getDay()]!.slice(0, 2),
  d: (d) => String(d.getDay()),
  E: (d) => String(((d.getDay() + 6) % 7) + 1),
  GGGG: (d) => pad(isoWeek(d).year, 4),
  WW: (d) => pad(isoWeek(d).week, 2),
  W: (d) => String(isoWeek(d).week),
  gggg: (d) => pad(localeWeek(d).year, 4),
  ww: (d) => pad(localeWeek(d).week, 2),
  w: (d) => String(localeWeek(d).week),
  HH: (d) => pad(d.getHours(), 2),
  H: (d) => String(d.getHours()),
  hh: (d) => pad(d.getHours() % 12 || 12, 2),
  h: (d) => String(d.getHours() % 12 || 12),
  mm: (d) => pad(d.getMinutes(), 2),
  m: (d) => String(d.getMinutes()),
  ss: (d) => pad(d.getSeconds(), 2),
  s: (d) => String(d.getSeconds()),
  A: (d) => (d.getHours() < 12 ? 'AM' : 'PM'),
  a: (d) => (d.getHours() < 12 ? 'am' : 'pm'),
  X: (d) => String(Math.floor(d.getTime() / 1000)),
  x: (d) => String(d.getTime()),
};

// Longest tokens first, so `YYYY` is not read as two `YY`; `[...]` is literal text.
const TOKEN_RE = new RegExp(`\\[[^\\]]*\\]|${Object.keys(TOKENS).sort((a, b) => b.length - a.length).join('|')}`, 'g');

export function formatDate(date: Date, format: string): string {
  return format.replace(TOKEN_RE, (token) => (token.startsWith('[') ? token.slice(1, -1) : TOKENS[token]!(date)));
}

/** A `YYYY-MM-DD` day as a local date at midnight, or null when it is not a real calendar day. */
export function parseDay(day: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return date.getMonth() === Number(m[2]) - 1 && date.getDate() === Number(m[3]) ? date : null;
}
