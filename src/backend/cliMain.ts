// dist/cliMain.js (loaded by dist/cli.js, src/backend/cliStart.ts): run the CLI with this process's arguments.
import { config } from 'zod';
import { runCli } from './cli';

// The launcher (cliStart.ts) names the code cache it takes by the command that ran.
export { commandRun } from './cli';

// One call validates each params object once: compiling zod's fast parser for an object schema (new Function) costs
// more than it saves then. Set before any schema is made (the backend and `cairn mcp`, long-lived, keep it).
config({ jitless: true });

// A reader that stops early (`cairn … | head`) closes the pipe: not an error. Writes there go nowhere from then on;
// the command finishes what it was doing (a write stays whole) and exits with its usual code.
const closedPipe = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (!closedPipe.has(err.code ?? '')) throw err;
  });
}

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
