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
