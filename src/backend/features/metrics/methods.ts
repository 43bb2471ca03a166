// The dashboard's figures (src/store/metrics/): burndown, throughput, cumulative flow, cycle and lead time, agents,
// activity and the lists, each computed in the store from the event log's rollups and the tables.
import { z } from 'zod';
import { activity } from '../../../store/metrics/activity';
import { agentMetrics } from '../../../store/metrics/agents';
import { burndown } from '../../../store/metrics/burndown';
import { cycleTime } from '../../../store/metrics/cycleTime';
import { cumulativeFlow, throughput } from '../../../store/metrics/flow';
import { lists } from '../../../store/metrics/lists';
import { BUCKETS, bucketCount, FIRST_DAY, isDayInRange, isTimeZone, LAST_DAY, MAX_BUCKETS } from '../../../store/metrics/time';
import { day, id, person } from '../../../store/valueRules';
import { method } from '../define';

const timeZone = z
  .string({ error: 'timeZone must be an IANA time zone name, such as Europe/Paris' })
  .trim()
  .min(1, 'timeZone must not be empty')
  .max(100, 'timeZone is too long')
  .refine(isTimeZone, { message: 'timeZone is not a time zone this system knows: use an IANA name such as Europe/Paris, America/New_York or UTC' });
const date = (what: string) =>
  z
    .string({ error: `${what} must be a date, YYYY-MM-DD` })
    .pipe(day)
    .refine(isDayInRange, `${what} must be a date from ${FIRST_DAY} to ${LAST_DAY}`);
const fromBeforeTo: [(p: { from?: string; to?: string }) => boolean, { message: string; path: string[] }] = [
  (p) => !p.from || !p.to || p.from <= p.to,
  { message: 'from must not be after to', path: ['to'] },
];

/** A range too long for one answer is bad input, said before anything is read. */
const fitsOneAnswer: [(p: { from?: string; to?: string; bucket?: 'day' | 'week' }) => boolean, { message: string; path: string[] }] = [
  (p) => !p.from || !p.to || p.from > p.to || bucketCount(p.from, p.to, p.bucket ?? 'day') <= MAX_BUCKETS,
  { message: `from..to makes more than ${MAX_BUCKETS} buckets, more than fit one answer: choose a shorter range or bucket week`, path: ['from'] },
];

const range = {
  from: date('from').optional(),
  to: date('to').optional(),
  timeZone: timeZone.optional(),
};
const bucket = z.enum(BUCKETS, { error: `bucket must be one of ${BUCKETS.join(', ')}` }).default('day');
const projectId = id('projectId').optional();
const wholeNumber = (what: string, min: number, max: number) => {
  const error = `${what} must be a whole number from ${min} to ${max}`;
  return z.number({ error }).int(error).min(min, error).max(max, error);
};
const limit = (max: number, byDefault: number) => wholeNumber('limit', 1, max).default(byDefault);

export const metricsMethods = {
  'metrics.burndown': method({
    doc: "A sprint's burndown: per day from its start to its end (or today), the tasks still open in it at the end of the day and their estimate, against the ideal line.",
    result: 'BurndownReport',
    vectorless: true,
    params: () => z.strictObject({ sprintId: id('sprintId'), timeZone: timeZone.optional() }),
    handler: (store, p) => store.read(() => burndown(store, p)),
  }),
  'metrics.throughput': method({
    doc: 'Tasks done per day or week (each task once, at the last time it became done, while it is done).',
    result: 'ThroughputReport',
    vectorless: true,
    params: () => z.strictObject({ projectId, ...range, bucket }).refine(...fromBeforeTo).refine(...fitsOneAnswer),
    handler: (store, p) => store.read(() => throughput(store, p)),
  }),
  'metrics.cumulativeFlow': method({
    doc: 'Tasks by status at the end of each day or week.',
    result: 'CumulativeFlowReport',
    vectorless: true,
    params: () => z.strictObject({ projectId, ...range, bucket }).refine(...fromBeforeTo).refine(...fitsOneAnswer),
    handler: (store, p) => store.read(() => cumulativeFlow(store, p)),
  }),
  'metrics.cycleTime': method({
    doc: 'Cycle time (first in progress → done) and lead time (created → done) of the tasks done in a range: percentiles, a histogram and the tasks, most recently done first.',
    result: 'CycleTimeReport',
    vectorless: true,
    params: () => z.strictObject({ projectId, ...range, limit: limit(10_000, 100) }).refine(...fromBeforeTo),
    handler: (store, p) => store.read(() => cycleTime(store, p)),
  }),
  'metrics.agents': method({
    doc: 'Per agent: runs, success rate, tokens in and out, mean quality, mean duration and errors of the runs started in a range, in total and per day or week.',
    result: 'AgentsReport',
    vectorless: true,
    params: () => z.strictObject({ projectId, agent: person('agent').optional(), ...range, bucket }).refine(...fromBeforeTo).refine(...fitsOneAnswer),
    handler: (store, p) => store.read(() => agentMetrics(store, p)),
  }),
  'metrics.activity': method({
    doc: 'Events written per day or week by actor: people (cli, extension) against agents.',
    result: 'ActivityReport',
    vectorless: true,
    params: () => z.strictObject({ ...range, bucket }).refine(...fromBeforeTo).refine(...fitsOneAnswer),
    handler: (store, p) => store.read(() => activity(store, p)),
  }),
  'metrics.lists': method({
    doc: 'Blocked tasks (longest blocked first), stale tasks (open and untouched for staleDays, default 30) and the most-linked notes.',
    result: 'ListsReport',
    vectorless: true,
    params: () => z.strictObject({
      projectId,
      limit: limit(500, 20),
      staleDays: wholeNumber('staleDays', 1, 3650).default(30),
    }),
    handler: (store, p) => store.read(() => lists(store, p)),
  }),
};
