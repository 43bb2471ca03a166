// Named points where the failure tests kill a backup or restore (CAIRN_TEST_CRASH_AT=<name>: SIGKILL there), to
// prove that every step can die and the next run recovers; or interrupt it (CAIRN_TEST_INTERRUPT_AT=<name>: SIGINT,
// as Ctrl+C in a terminal). Unset, a crash point does nothing.
export function crashPoint(name: string): void {
  if (process.env.CAIRN_TEST_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
  if (process.env.CAIRN_TEST_INTERRUPT_AT === name) process.kill(process.pid, 'SIGINT');
}
