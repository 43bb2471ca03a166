// Events written per bucket, by actor: people (source cli or extension, the UI) against agents (source agent), from
// the rollup of the whole event log (series event:<source>:<actor>, kept by a trigger on events).
import { cumulative, perBucket, SERIES, type MetricsDb } from './rollup';
import { bucketsOf, type RangeParams } from './time';

export interface ActivityReport {
  timeZone: string;
  bucket: string;
  from: string;
  to: string;
  /** Actors with events in the range, most events first; `humans` and `agents` split each by source. */
  actors: { actor: string; total: number; humans: number; agents: number }[];
  buckets: { start: string; total: number; humans: number; agents: number; byActor: Record<string, number> }[];
}

const PREFIX = 'event:';

export async function activity(db: MetricsDb, p: RangeParams, now?: number): Promise<ActivityReport> {
  const b = bucketsOf(p, now);
  const sums = await cumulative(db, SERIES, { keysFrom: PREFIX, keysBefore: 'event;', bounds: b.bounds, differencesOnly: true });
  const buckets = b.starts.map((start) => ({ start, total: 0, humans: 0, agents: 0, byActor: {} as Record<string, number> }));
  const actors = new Map<string, { actor: string; total: number; humans: number; agents: number }>();
  for (const [series, [cum]] of sums) {
    // event:<source>:<actor> (sources have no colon; actors may).
    const rest = series.slice(PREFIX.length);
    const source = rest.slice(0, rest.indexOf(':'));
    const actor = rest.slice(rest.indexOf(':') + 1);
    const side = source === 'agent' ? 'agents' : 'humans';
    perBucket(cum!).forEach((n, i) => {
      if (!n) return;
      const bucket = buckets[i]!;
      bucket.total += n;
      bucket[side] += n;
      bucket.byActor[actor] = (bucket.byActor[actor] ?? 0) + n;
      let a = actors.get(actor);
      if (!a) actors.set(actor, (a = { actor, total: 0, humans: 0, agents: 0 }));
      a.total += n;
      a[side] += n;
    });
  }
  return {
    timeZone: b.timeZone,
    bucket: b.bucket,
    from: b.from,
    to: b.to,
    actors: [...actors.values()].sort((x, y) => y.total - x.total || (x.actor < y.actor ? -1 : 1)),
    buckets,
  };
}
