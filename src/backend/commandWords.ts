// The words that name a `cairn` command (its first ones), without the global options and their values: the launcher
// names its code cache by them (cliStart.ts), and the command line builds only the named command's subcommands (cli.ts).

/** The CLI's global options that take a value (the next argument). */
const VALUE_OPTIONS = new Set(['--store', '--vault', '--agents', '--actor', '--source']);

/** The first `count` words of the command that `args` (the arguments after the script) names. */
export function commandWords(args: readonly string[], count: number): string[] {
  const words: string[] = [];
  for (let i = 0; i < args.length && words.length < count; i++) {
    const a = args[i]!;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) words.push(a);
  }
  return words;
}
