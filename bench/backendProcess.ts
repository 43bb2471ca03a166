// A bench's own dist/backend.js process, stopped as the extension stops it: its input closed (the backend shuts down
// when stdin ends), killed only if it has not exited 5 s later.
import type { ChildProcess } from 'node:child_process';
import type { MessageConnection } from 'vscode-jsonrpc/node';

export async function stopBackend(child: ChildProcess, connection: MessageConnection): Promise<void> {
  connection.dispose();
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
