// Loaded by VS Code as --extensionTestsPath: runs the integration tests with mocha inside the real extension
// host, and writes the counts to $CAIRN_TEST_RESULTS so the test runner can add them up.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function run(): Promise<void> {
  // mocha 12 is ESM; require() of it works in the Node 24 extension host and yields the module namespace.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const imported = require('mocha');
  const Mocha = imported.default ?? imported;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec',
    ...(process.env.CAIRN_TEST_GREP ? { grep: process.env.CAIRN_TEST_GREP } : {}) });
  for (const f of fs.readdirSync(__dirname).sort()) if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures: number) => {
      const stats = runner.stats ?? { passes: 0, failures, pending: 0 };
      if (process.env.CAIRN_TEST_RESULTS) {
        fs.writeFileSync(process.env.CAIRN_TEST_RESULTS, JSON.stringify({ passes: stats.passes, failures: stats.failures, pending: stats.pending }));
      }
      if (failures) reject(new Error(`${failures} integration tests failed.`));
      else resolve();
    });
  });
}
