// Rewrites docs/protocol.md's method index from the method table (npm run docs:protocol).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withMethodIndex } from '../src/backend/protocolDoc';

const file = path.join(__dirname, '..', 'docs', 'protocol.md');
const before = fs.readFileSync(file, 'utf8');
const after = withMethodIndex(before);
if (after !== before) fs.writeFileSync(file, after);
console.log(after === before ? 'docs/protocol.md: the method index is up to date' : 'docs/protocol.md: method index rewritten');
