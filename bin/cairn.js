#!/usr/bin/env node
// The `cairn` command (package bin). The CLI itself is bundled into dist/cli.js by esbuild.
require('../dist/cli.js');
