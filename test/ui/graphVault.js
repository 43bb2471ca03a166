// The generated vault the knowledge graph's UI test and its benchmark (bench/vscode-graph.bench.mjs) draw: `count`
// notes in 20 folders, each linking LINKS others (mostly near neighbours, so clusters; some anywhere, so bridges; one
// in ten embedded) with two tags each. Deterministic: the same count gives the same vault.
'use strict';

const fs = require('fs');
const path = require('path');

const LINKS = 19;

function generateVault(dir, count) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < count; i++) {
    const folder = path.join(dir, `area-${i % 20}`);
    fs.mkdirSync(folder, { recursive: true });
    const links = Array.from({ length: LINKS }, (_, k) => {
      const j = k < 14 ? (i + 1 + Math.floor(rand() * 60)) % count : Math.floor(rand() * count);
      return k % 10 === 9 ? `![[note-${j}]]` : `[[note-${j}]]`;
    });
    fs.writeFileSync(path.join(folder, `note-${i}.md`), `# Note ${i}\n\n${links.join(' ')}\n\n#topic-${i % 12} #size-${count}\n`);
  }
}

module.exports = { LINKS, generateVault };
