// A row's record of its encrypted fields (sealed_fields) through a real sync (two stores, a local bare remote): when
// a merge takes a field's value from one side, it takes that side's mark for the field too, so concurrent changes
// never leave plain text in a field marked encrypted (which reads as tampering) or a mark cut from a ciphertext.
import * as assert from 'node:assert/strict';
import { revealTask } from '../../../src/store/crypto/fields';
import { initKeys, unlock } from '../../../src/store/crypto/keys';
import { getTask, updateTask } from '../../../src/store/tasks';
import { resolveConflict } from '../../../src/sync/resolve';
import { runSync } from '../../../src/sync/sync';
import { human } from '../../helpers';
import { closeClones, syncedPair } from '../../sync/fixtures';

const PASS = 'correct horse battery';

describe('encryption marks through sync', function () {
  this.timeout(300_000);
  afterEach(closeClones);

  async function pair() {
    const p = await syncedPair(4);
    await p.a.store.write((orm) => initKeys(orm, human, PASS));
    await runSync(p.a.env, {});
    await runSync(p.b.env, {});
    await p.b.store.write((orm) => unlock(orm, human, { passphrase: PASS }));
    return p;
  }
  type Side = Awaited<ReturnType<typeof pair>>['a'];
  const read = (s: Side, id: string) => s.store.read(async (orm) => revealTask(orm, await getTask(orm, id), true));
  const edit = (s: Side, id: string, changes: Parameters<typeof updateTask>[4]) => s.store.write(async (orm) => updateTask(orm, human, id, (await getTask(orm, id)).version, changes));

  it('A encrypts a description B edits in plain text: each keeps its own value with its own mark; "theirs" brings the mark along', async () => {
    const { a, b, ids } = await pair();
    const id = ids[1]!;
    await edit(a, id, { description: 'the secret', secretFields: ['description'] });
    await edit(b, id, { description: 'a plain edit' });
    await runSync(a.env, {});
    const merged = await runSync(b.env, {});
    assert.deepEqual(
      merged.conflicts.map((c) => [c.rowKey, c.fields]),
      [[id, ['description']]],
    );
    const onB = await read(b, id);
    assert.deepEqual([onB.description, onB.secretFields], ['a plain edit', undefined], "B's plain value stays, unmarked");

    await resolveConflict(b.env, {}, merged.conflicts[0]!.id, 'theirs', undefined);
    const resolved = await read(b, id);
    assert.deepEqual([resolved.description, resolved.secretFields], ['the secret', ['description']]);
  });

  it('A encrypts the title while B encrypts the description: both end encrypted and marked, on both machines', async () => {
    const { a, b, ids } = await pair();
    const id = ids[2]!;
    await edit(a, id, { secretFields: ['title'] });
    await edit(b, id, { secretFields: ['description'] });
    await runSync(a.env, {});
    await runSync(b.env, {});
    await runSync(a.env, {});
    for (const side of [a, b]) {
      const t = await side.store.read((orm) => getTask(orm, id));
      assert.deepEqual([t.sealedFields, /^enc:v1:/.test(t.title), /^enc:v1:/.test(t.description)], [['description', 'title'], true, true]);
    }
    await a.store.write((orm) => unlock(orm, human, { passphrase: PASS }));
    const t = await read(a, id);
    assert.deepEqual(t.secretFields, ['title', 'description']);
  });
});
