// The pieces the webviews' message schemas (src/views/taskBoard/messages.ts, src/views/taskEditor/messages.ts) are
// built from, with zod/mini's English messages (it loads none by itself), so a refused message is answered with what
// was wrong. Imported by both sides of each webview: no vscode, no Node.
import * as z from 'zod/mini';
import { en } from 'zod/locales';

z.config(en());

/** A string trimmed, then between `min` and `max` characters. */
export const trimmed = (min: number, max: number) => z.string().check(z.trim(), z.minLength(min), z.maxLength(max));
/** A task's, project's or sprint's id. */
export const entityId = trimmed(1, 100);
export const whole = (min: number, max = Number.MAX_SAFE_INTEGER) => z.int().check(z.minimum(min), z.maximum(max));
/** A request's or a move's id, made by the page. */
export const token = z.string().check(z.minLength(1), z.maxLength(64));

/** A zod failure as one readable line (which field, what is wrong), never the raw input. */
export function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string; keys?: readonly string[] }[] }): string {
  return error.issues
    .slice(0, 3)
    .map((i) => {
      const where = i.path.length ? i.path.map(String).join('.') : 'message';
      if (i.keys?.length) return `${where}: unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.slice(0, 5).map((k) => `"${k.slice(0, 40)}"`).join(', ')}`;
      return `${where}: ${i.message}`;
    })
    .join('; ');
}
