import * as os from 'node:os';
import { StoreError } from '../store/errors';
import { EVENT_SOURCES, type EventSource } from '../store/schema';
import type { Actor } from '../store/events';

/** The person (or agent) recorded on events when a write names no actor: $CAIRN_ACTOR, else the OS user. */
export function defaultActorName(): string {
  if (process.env.CAIRN_ACTOR?.trim()) return process.env.CAIRN_ACTOR.trim();
  try {
    return os.userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

export function makeActor(source: string, actor?: string): Actor {
  if (!(EVENT_SOURCES as readonly string[]).includes(source)) {
    throw new StoreError('invalid', `Unknown source "${source}": use one of ${EVENT_SOURCES.join(', ')}.`);
  }
  return { actor: actor?.trim() || defaultActorName(), source: source as EventSource };
}
