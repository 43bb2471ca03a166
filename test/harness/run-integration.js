// Runs extension integration tests (mocha inside the real VS Code extension host) through the stock
// @vscode/test-electron runTests(), pointed at code-shim.js instead of a downloaded Electron VS Code.
//
// Why a fresh --user-data-dir/--extensions-dir per run: test-electron would otherwise default to
// <cwd>/.vscode-test/{user-data,extensions}, so global state (e.g. an extension's globalState) would leak between
// runs and two concurrent runs would share one profile.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { ensureHarness } = require('./ensure');

const SHIM = path.join(__dirname, 'code-shim.js');

/**
 * @param {{ extensionDevelopmentPath: string, extensionTestsPath: string, workspaceFolder?: string,
 *           env?: Record<string,string>, userDataDir?: string, extensionsDir?: string,
 *           log?: (msg: string) => void }} opts
 * @returns {Promise<number>} exit code of the test run (0 = all passed). Rejects only on harness/setup errors.
 */
async function runIntegration({ extensionDevelopmentPath, extensionTestsPath, workspaceFolder, env = {},
  userDataDir, extensionsDir, log = (m) => console.error(m) }) {
  await ensureHarness({ log });
  const { runTests, TestRunFailedError } = require('@vscode/test-electron');

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-it-'));
  const launchArgs = [
    ...(workspaceFolder ? [path.resolve(workspaceFolder)] : []),
    `--user-data-dir=${path.resolve(userDataDir || path.join(scratch, 'user-data'))}`,
    `--extensions-dir=${path.resolve(extensionsDir || path.join(scratch, 'extensions'))}`,
  ];
  // code-shim forwards CAIRN_* plus the variables named here into the extension host.
  const extensionTestsEnv = {
    ...env,
    CAIRN_TEST_ENV_KEYS: [...new Set([...(process.env.CAIRN_TEST_ENV_KEYS || '').split(','), ...Object.keys(env)])]
      .filter(Boolean).join(','),
  };
  try {
    return await runTests({
      vscodeExecutablePath: SHIM,
      extensionDevelopmentPath: path.resolve(extensionDevelopmentPath),
      extensionTestsPath: path.resolve(extensionTestsPath),
      launchArgs,
      extensionTestsEnv,
    });
  } catch (e) {
    // test failures (non-zero exit or signal) are a result, not an error
    if (e instanceof TestRunFailedError || (e && e.name === 'TestRunFailedError')) return e.code ?? 1;
    if (e && /^Test run (failed|terminated)/.test(e.message)) return e.code ?? 1;
    throw e;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

module.exports = { runIntegration, SHIM };
