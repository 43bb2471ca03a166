import * as vscode from 'vscode';
import { encryptionRemedy } from './encryption/remedy';
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
        // An error about encryption (not set up, locked) comes with the command that fixes it.
        const remedy = encryptionRemedy(err);
        void messages.error(`Cairn: ${(err as Error).message}`, ...(remedy ? [remedy.label] : [])).then((c) => c && remedy && vscode.commands.executeCommand(remedy.command));
        return undefined;
      }
    });
}

/**
 * Whether a command was run from a view's title bar with a row selected: VS Code then passes (the focused row, the
 * selected rows), and our rows are `{ kind, … }` nodes. A command that takes no row treats this as no argument.
 */
export function isViewRowCall(args: readonly unknown[]): boolean {
  const [row, selected] = args;
  return typeof row === 'object' && row !== null && typeof (row as { kind?: unknown }).kind === 'string' && (selected === undefined || Array.isArray(selected)) && args.length <= 2;
}

/** A command's options argument: a plain object (not null, not an array). */
export const isOptions = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
