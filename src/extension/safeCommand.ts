import * as vscode from 'vscode';
import type { Messages } from './messages';

/**
 * A registrar for commands whose failures become one error notification (never a stack trace); a failed
 * command returns undefined.
 */
export function safeCommands(messages: Messages) {
  return <A extends unknown[], R>(id: string, body: (...args: A) => Promise<R | undefined>): vscode.Disposable =>
    vscode.commands.registerCommand(id, async (...args: A) => {
      try {
        return await body(...args);
      } catch (err) {
        void messages.error(`Cairn: ${(err as Error).message}`);
        return undefined;
      }
    });
}
