// Named points where the failure tests kill a backup or restore (CAIRN_TEST_CRASH_AT=<name>: SIGKILL there), to
// prove that every step can die and the next run recovers. Unset, a crash point does nothing.
export function crashPoint(name: string): void {
  if (process.env.CAIRN_TEST_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
