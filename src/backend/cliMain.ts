// dist/cli.js entry: run the CLI with this process's arguments.
import { runCli } from './cli';

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
