// The real-world fixtures in test/fixtures/ (see its README for sources and licences). Found by walking up from
// this file, so the same call works from test/ under tsx and from the bundles in out/test/.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The absolute path of test/fixtures/<name>; a missing fixture fails the test that needs it, never skips it. */
export function fixture(name: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'fixtures', name);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`The test fixture test/fixtures/${name} is missing from this checkout.`);
  }
}

/** The Foam project's documentation vault (86 notes, MIT). */
export const FOAM_VAULT = fixture('foam-docs-vault');
/** The Rust Programming Language book as a vault of chapter notes (MIT / Apache-2.0). */
export const RUST_BOOK_VAULT = fixture('rust-book-vault');
/** The VoltAgent collection of Claude Code subagent definitions (MIT). */
export const VOLTAGENT_AGENTS = fixture('voltagent-subagents');
