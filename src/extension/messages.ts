// Notifications shown to the user, also kept in a short history that the extension's API exposes (the
// integration tests read it to check that bad input produced an error message).
import * as vscode from 'vscode';

export interface ShownMessage {
  level: 'info' | 'warning' | 'error';
  message: string;
}

const HISTORY_LIMIT = 1000;

export class Messages {
  readonly history: ShownMessage[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {}

  error(message: string, ...actions: string[]): Thenable<string | undefined> {
    this.remember('error', message);
    this.log.error(message);
    return vscode.window.showErrorMessage(message, ...actions);
  }

  warning(message: string, ...actions: string[]): Thenable<string | undefined> {
    this.remember('warning', message);
    this.log.warn(message);
    return vscode.window.showWarningMessage(message, ...actions);
  }

  /**
   * A modal question (the workbench waits for the answer); `detail` is its second paragraph. `answer`: the caller's
   * choice (a script, a test), recorded like a question asked, without asking.
   */
  ask(message: string, detail: string, actions: string[], answer?: { given: string | undefined }): Thenable<string | undefined> {
    this.remember('warning', `${message} ${detail}`);
    this.log.warn(`${message} ${detail}`);
    return answer ? Promise.resolve(answer.given) : vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions);
  }

  info(message: string, ...actions: string[]): Thenable<string | undefined> {
    this.remember('info', message);
    this.log.info(message);
    return vscode.window.showInformationMessage(message, ...actions);
  }

  private remember(level: ShownMessage['level'], message: string): void {
    this.history.push({ level, message });
    // Bounded, but far above what a session shows: readers count and slice it by position (the tests do).
    if (this.history.length > HISTORY_LIMIT) this.history.shift();
  }
}
