// Mark Task Secret: which of a task's fields (title, description) are stored encrypted. A store without
// encryption points to Set Up Encryption first; a locked one to Unlock. Given a task (or its id) and the fields,
// the command asks nothing.
import * as vscode from 'vscode';
import { SECRET_TASK_FIELDS, type Revealed, type SecretTaskField } from '../../store/crypto/fields';
import type { KeyStatus } from '../../store/crypto/keys';
import type { TaskRow } from '../../store/schema';
import type { TaskNode } from '../../views/nodes';
import type { BackendClient } from '../backendClient';
import type { Messages } from '../messages';
import { safeCommands } from '../safeCommand';

type Task = TaskRow & Revealed;

export function registerTaskSecrets({ backend, messages }: { backend: BackendClient; messages: Messages }): vscode.Disposable[] {
  const command = safeCommands(messages);

  async function taskOf(target: TaskNode | string | undefined): Promise<Task | undefined> {
    if (typeof target === 'string') return backend.request<'tasks.get', Task>('tasks.get', { id: target });
    if (target?.kind === 'task') return backend.request<'tasks.get', Task>('tasks.get', { id: target.task.id });
    const tasks = await backend.request<'tasks.list', Task[]>('tasks.list', {});
    const picked = await vscode.window.showQuickPick(
      tasks.map((t) => ({ label: t.title, description: t.secretFields?.length ? `encrypted: ${t.secretFields.join(', ')}` : '', detail: t.id, task: t })),
      { placeHolder: 'Task whose fields to encrypt', matchOnDetail: true },
    );
    return picked?.task;
  }

  return [
    command('cairn.markTaskSecret', async (target?: TaskNode | string, fields?: SecretTaskField[]) => {
      const status = await backend.request<'crypto.status', KeyStatus>('crypto.status', {});
      if (!status.initialised || !status.unlocked) {
        const [text, action, next] = !status.initialised
          ? ['encryption is not set up for this store yet: set it up (choose a passphrase), then mark the task secret.', 'Set Up Encryption', 'cairn.setUpEncryption']
          : ['the store is locked on this machine: unlock it, then mark the task secret.', 'Unlock', 'cairn.unlockEncryption'];
        void messages.info(`Cairn: ${text}`, action).then((c) => c && vscode.commands.executeCommand(next));
        return undefined;
      }
      const task = await taskOf(target);
      if (!task) return undefined;
      if (fields === undefined) {
        const current = new Set(task.secretFields ?? []);
        const picked = await vscode.window.showQuickPick(
          SECRET_TASK_FIELDS.map((f) => ({ label: f, picked: current.has(f), field: f })),
          { canPickMany: true, title: `Encrypt fields of "${task.title}"`, placeHolder: 'Ticked fields are stored encrypted (and are not searchable); unticked ones in plain text' },
        );
        if (!picked) return undefined;
        fields = picked.map((p) => p.field);
      }
      const updated = await backend.request<'tasks.update', Task>('tasks.update', { id: task.id, expectedVersion: task.version, secretFields: fields });
      // The event log is append-only: a value written in plain text before stays so in the task's history.
      const newlySecret = fields.filter((f) => !task.secretFields?.includes(f) && task[f] !== '');
      const history = newlySecret.length ? ` Its earlier plain-text ${newlySecret.join(' and ')} stays in the task's history and in earlier backups (erase the project to remove it).` : '';
      void messages.info(fields.length ? `Cairn: "${updated.title}": ${fields.join(' and ')} stored encrypted (not searchable).${history}` : `Cairn: "${updated.title}": no field is encrypted.`);
      return updated;
    }),
  ];
}
