// Retention inside the real VS Code: cairn.retention.messagesDays (default 0: keep) removes agent session messages
// older than that many days when it changes, at start and once a day; expired memories go at the same times.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CairnApi } from '../../src/extension/extension';
import { waitFor } from '../waitFor';

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

describe('Retention in VS Code', function () {
  this.timeout(60_000);
  let api: CairnApi;
  const setDays = (days: number | undefined) => vscode.workspace.getConfiguration('cairn.retention').update('messagesDays', days, vscode.ConfigurationTarget.Workspace);

  before(async () => {
    api = await vscode.extensions.getExtension<CairnApi>('cairn.cairn')!.activate();
    await api.whenReady();
  });
  after(() => setDays(undefined));

  it('keeps messages by default, prunes those older than the setting once it is set, and removes expired memories', async () => {
    const session = (await api.request('sessions.start', { agent: 'retention-test' })) as { id: string };
    await api.request('sessions.append', { sessionId: session.id, messages: [{ role: 'user', content: 'forty days ago', createdAt: daysAgo(40) }, { role: 'assistant', content: 'just now' }] });
    const expired = (await api.request('memory.remember', { type: 'context', content: 'The retention test memory, expired', expiresAt: daysAgo(1) })) as { id: string };
    const contents = async () => ((await api.request('sessions.get', { id: session.id })) as { messages: { content: string }[] }).messages.map((m) => m.content);

    assert.ok(await api.runRetention(), 'retention ran');
    assert.deepEqual(await contents(), ['forty days ago', 'just now'], 'messagesDays 0 keeps every message');
    const memories = (await api.request('memory.list', { includeExpired: true, limit: 1000 })) as { id: string }[];
    assert.ok(!memories.some((m) => m.id === expired.id), 'the expired memory is removed');

    await setDays(30);
    await waitFor('the change of the setting to prune at once', async () => (await contents()).length === 1);
    assert.deepEqual(await contents(), ['just now']);
    assert.deepEqual(await api.runRetention(), { messages: 0, memories: 0 }, 'nothing more to remove');
    const log = (await api.request('events.list', { aggregateType: 'session', aggregateId: session.id, limit: 10 })) as { type: string }[];
    assert.equal(log[0]!.type, 'session.pruned', 'the removal is an event');
  });
});
