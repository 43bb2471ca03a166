// Days and weeks in a time zone (IANA, through Intl), as the dashboard's buckets: a bucket is a run of local days,
// from the first instant of its first day to the first instant of the day after its last. Instants are UTC ISO
// strings, as the event log's created_at; a store written in several time zones reads the same in each.
import { StoreError } from '../errors';

export type Bucket = 'day' | 'week';
export const BUCKETS: readonly Bucket[] = ['day', 'week'];

/** At most this many buckets (days of a burndown) per answer: ten years of days. */
export const MAX_BUCKETS = 3660;

/** The dates a range may name (the days around them must be dates too). */
export const FIRST_DAY = '1970-01-01';
export const LAST_DAY = '9998-12-31';

export const isDayInRange = (date: string) => /^\d{4}-\d{2}-\d{2}$/.test(date) && date >= FIRST_DAY && date <= LAST_DAY;

function checkDay(what: string, date: string): string {
  if (!isDayInRange(date)) throw new StoreError('invalid', `${what} (${date}) must be a date from ${FIRST_DAY} to ${LAST_DAY}.`);
  return date;
}

const DAY_MS = 86_400_000;
const QUARTER_MS = 900_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether Intl knows the time zone (an IANA name such as Europe/Paris, or UTC). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function checkTimeZone(timeZone: string): string {
  if (!isTimeZone(timeZone)) throw new StoreError('invalid', `timeZone "${timeZone}" is not a time zone this system knows: use an IANA name such as Europe/Paris, America/New_York or UTC.`);
  return timeZone;
}

/** The local wall-clock fields of instant t. */
function wallClock(t: number, timeZone: string): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const out = { y: 0, m: 0, d: 0, h: 0, min: 0, s: 0 };
  for (const p of formatter(timeZone).formatToParts(new Date(t))) {
    if (p.type === 'year') out.y = Number(p.value);
    else if (p.type === 'month') out.m = Number(p.value);
    else if (p.type === 'day') out.d = Number(p.value);
    else if (p.type === 'hour') out.h = Number(p.value);
    else if (p.type === 'minute') out.min = Number(p.value);
    else if (p.type === 'second') out.s = Number(p.value);
  }
  return out;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The local date (YYYY-MM-DD) of instant t. */
export function localDate(t: number, timeZone: string): string {
  if (timeZone === 'UTC') return new Date(t).toISOString().slice(0, 10);
  const w = wallClock(t, timeZone);
  return `${pad(w.y, 4)}-${pad(w.m)}-${pad(w.d)}`;
}

/** Midnight UTC of a date, in ms. */
const utcMidnight = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));

/** The date `days` after (or before) a date. */
export function addDays(date: string, days: number): string {
  return new Date(utcMidnight(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The Monday of the ISO week of a date. */
function mondayOf(date: string): string {
  const weekday = new Date(utcMidnight(date)).getUTCDay(); // 0 = Sunday
  return addDays(date, -((weekday + 6) % 7));
}

/** Whole days from a to b (b − a). */
const daysBetween = (a: string, b: string) => Math.round((utcMidnight(b) - utcMidnight(a)) / DAY_MS);

/**
 * The first instant (ms) of a local date: local midnight, or the end of the gap when the clocks skipped it. Floored
 * to a quarter hour, the grain of the rollups (every offset in use since the 1970s is a whole quarter hour).
 */
export function startOfDay(date: string, timeZone: string): number {
  const midnight = utcMidnight(date);
  if (timeZone === 'UTC') return midnight;
  const quarter = (t: number) => Math.floor(t / QUARTER_MS) * QUARTER_MS;
  // The offset at the guess, then at the result: right unless midnight falls in or beside a transition.
  let t = midnight - offsetAt(midnight, timeZone);
  t = midnight - offsetAt(t, timeZone);
  if (localDate(t, timeZone) === date && localDate(t - 60_000, timeZone) < date) return quarter(t);
  // The first minute whose local date is `date` (offsets are within ±14 h).
  let lo = midnight - 15 * 3_600_000;
  let hi = midnight + 15 * 3_600_000;
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
    if (localDate(mid, timeZone) >= date) hi = mid;
    else lo = mid;
  }
  return quarter(hi);
}

/** Local wall-clock time minus UTC at instant t, in ms. */
function offsetAt(t: number, timeZone: string): number {
  const w = wallClock(t, timeZone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s) - Math.floor(t / 1000) * 1000;
}

const isoOf = (t: number) => new Date(t).toISOString();

export interface RangeParams {
  /** First local date (YYYY-MM-DD); a week bucket starts on its Monday. */
  from?: string;
  /** Last local date, included; default today. */
  to?: string;
  bucket?: Bucket;
  /** IANA time zone of the dates; default UTC. */
  timeZone?: string;
}

export interface Buckets {
  timeZone: string;
  bucket: Bucket;
  from: string;
  to: string;
  /** Each bucket's first local date. */
  starts: string[];
  /** Each bucket's first instant, then the end of the last one: starts.length + 1 UTC ISO instants. */
  bounds: string[];
}

/** How many buckets from..to makes (a week bucket starts on the Monday of `from`). */
export function bucketCount(from: string, to: string, bucket: Bucket): number {
  return bucket === 'week' ? Math.floor(daysBetween(mondayOf(from), to) / 7) + 1 : daysBetween(from, to) + 1;
}

/** Default span when `from` is not given: the last 30 days, or the last 12 weeks. */
const DEFAULT_SPAN: Record<Bucket, number> = { day: 30, week: 12 };

export interface Range {
  timeZone: string;
  from: string;
  to: string;
  /** The first instant of `from` and of the day after `to` (UTC ISO). */
  start: string;
  end: string;
}

/** A range of local days (default: the last 30 days up to today), without buckets. */
export function rangeOf(p: Omit<RangeParams, 'bucket'>, now: number = Date.now()): Range {
  const timeZone = checkTimeZone(p.timeZone ?? 'UTC');
  const to = checkDay('to', p.to ?? localDate(now, timeZone));
  const from = checkDay('from', p.from ?? addDays(to, -(DEFAULT_SPAN.day - 1)));
  if (from > to) throw new StoreError('invalid', `from (${from}) is after to (${to}).`);
  return { timeZone, from, to, start: isoOf(startOfDay(from, timeZone)), end: isoOf(startOfDay(addDays(to, 1), timeZone)) };
}

/** The buckets of a range: from..to (default: the last 30 days or 12 weeks up to today) in the time zone. */
export function bucketsOf(p: RangeParams, now: number = Date.now()): Buckets {
  const timeZone = checkTimeZone(p.timeZone ?? 'UTC');
  const bucket = p.bucket ?? 'day';
  const to = checkDay('to', p.to ?? localDate(now, timeZone));
  const step = bucket === 'week' ? 7 : 1;
  const from = checkDay('from', p.from ?? (bucket === 'week' ? addDays(mondayOf(to), -7 * (DEFAULT_SPAN.week - 1)) : addDays(to, -(DEFAULT_SPAN.day - 1))));
  if (from > to) throw new StoreError('invalid', `from (${from}) is after to (${to}).`);
  const first = bucket === 'week' ? mondayOf(from) : from;
  const count = bucketCount(from, to, bucket);
  if (count > MAX_BUCKETS) {
    throw new StoreError('invalid', `${from}..${to} makes ${count} ${bucket} buckets; at most ${MAX_BUCKETS} fit one answer: choose a shorter range${bucket === 'day' ? ' or bucket week' : ''}.`);
  }
  const starts = Array.from({ length: count }, (_, i) => addDays(first, i * step));
  const bounds = [...starts, addDays(starts[starts.length - 1]!, step)].map((d) => isoOf(startOfDay(d, timeZone)));
  return { timeZone, bucket, from, to, starts, bounds };
}

/** A sprint's local days from..to (both included) and their ends (the first instant of the next day). */
export function daysOf(from: string, to: string, timeZone: string): { dates: string[]; ends: string[] } {
  checkDay("the sprint's first day", from);
  checkDay("the sprint's last day", to);
  if (from > to) throw new StoreError('invalid', `The sprint's last day (${to}) is before its first (${from}).`);
  const count = daysBetween(from, to) + 1;
  if (count > MAX_BUCKETS) throw new StoreError('invalid', `${from}..${to} spans ${count} days; at most ${MAX_BUCKETS} fit one answer.`);
  const dates = Array.from({ length: count }, (_, i) => addDays(from, i));
  return { dates, ends: dates.map((d) => isoOf(startOfDay(addDays(d, 1), timeZone))) };
}
