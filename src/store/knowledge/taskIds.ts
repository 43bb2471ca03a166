// What a task id looks like in free text (notes, code comments): a ULID, 26 characters of Crockford base32 in upper
// case, the first at most 7 (48-bit time). No imports, so the extension bundle can share it with the store.

/** A task id standing alone as a word. Global: reset lastIndex (or use matchAll) before reuse. */
export const TASK_ID_IN_TEXT = /\b[0-7][0-9A-HJKMNP-TV-Z]{25}\b/g;

const WHOLE_TASK_ID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export const isTaskId = (s: string): boolean => WHOLE_TASK_ID.test(s);
