// node:crypto, loaded when first used: loading it costs each CLI call ~3 ms, and most calls (listing tasks,
// searching) never make a random id, a temp file name or a cipher.
import type * as Crypto from 'node:crypto';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const nodeCrypto = (): typeof Crypto => require('node:crypto');
