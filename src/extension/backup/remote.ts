// The backup remote from VS Code: the input box's validation, and keeping the repository's remote equal to the
// cairn.backup.remote setting (the setting is what the user edits; git's config is what sync reads). The backend
// checks the remote again (backup.remote.set), so these rules only save a round trip for the obvious mistakes.
import * as fs from 'node:fs';
import type { RemoteInfo } from '../../sync/remote';
import type { BackendClient } from '../backendClient';
import { backupRepository, remoteSetting } from './settings';
import { resolveFolderSetting } from '../storePath';

const URL_FORMS = [/^(https?|ssh|git|file):\/\/\S+$/i, /^[\w.-]+@[\w.-]+:\S+$/];

const isUrl = (value: string) => URL_FORMS.some((r) => r.test(value));

/** A URL as given, or a folder made absolute (relative to the workspace folder, `~/` expanded). */
export function remoteTarget(value: string): string {
  const v = value.trim();
  return isUrl(v) ? v : resolveFolderSetting(v);
}

/** The input box's check: undefined when acceptable, else what is wrong and how to fix it. */
export function validateRemote(value: string): string | undefined {
  const v = value.trim();
  if (!v) return 'Give a git URL (https://…, ssh://…, git@host:path) or the path of a repository.';
  if (v.startsWith('-')) return `A remote must not start with "-" (git would read it as an option); for a folder of that name write ./${v}`;
  if (isUrl(v)) return undefined;
  if (/^[a-z][\w+.-]*:\/\//i.test(v)) return 'Use https://, ssh://, git://, file:// or git@host:path.';
  const folder = resolveFolderSetting(v);
  if (!fs.existsSync(folder)) return `No folder ${folder}: create the repository first (git init --bare ${folder}).`;
  if (!fs.statSync(folder).isDirectory()) return `${folder} is a file, not a repository.`;
  return undefined;
}

/** Makes the repository's remote the one in the settings (no-op when the setting is empty or already applied). */
export async function applyRemoteSetting(backend: BackendClient): Promise<RemoteInfo | undefined> {
  const setting = remoteSetting();
  if (!setting) return undefined;
  const repo = backupRepository();
  const url = remoteTarget(setting);
  const current = await backend.request<'backup.remote.get', RemoteInfo>('backup.remote.get', { repo });
  if (current.url === url) return current;
  return backend.request<'backup.remote.set', RemoteInfo>('backup.remote.set', { url, check: false, repo });
}
