// Defect: removeTree checked a folder with lstat, then listed and unlinked by path, so a folder
// swapped for a symbolic link in between was walked through and the link's target emptied.
// Another process swaps the tree's folders for links to a "precious" folder, over and over, while
// removeTree runs; the precious folder must keep every file, every time.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const CORE = path.resolve(__dirname, '../../../../dist/core.js');

// Swaps every folder of the tree for a link to the precious folder and back, until told to stop.
const SWAPPER = `
const fs = require('fs'), path = require('path');
const [tree, precious] = process.argv.slice(1);
const dirs = [];
for (let i = 0; i < 40; i++) dirs.push(path.join(tree, 'd' + i), path.join(tree, 'd' + i, 'sub'));
let stop = false;
process.stdin.on('data', () => { stop = true; });
process.stdin.on('end', () => { stop = true; });
process.stdout.write('ready\\n');
(function loop() {
  for (let round = 0; round < 200; round++) {
    for (const d of dirs) {
      try {
        fs.renameSync(d, d + '.real');
        fs.symlinkSync(precious, d);
        fs.unlinkSync(d);
        fs.renameSync(d + '.real', d);
      } catch {}
    }
  }
  if (!stop && fs.existsSync(tree)) setImmediate(loop); else process.exit(0);
})();
`;

test('removeTree never empties a folder a link swapped in during the removal points to', { timeout: 600_000 }, async () => {
  assert.ok(existsSync(CORE), `${CORE} is missing: run npm run build first`);
  const { removeTree } = require(CORE) as { removeTree: (dir: string) => Promise<void> };
  const root = mkdtempSync(path.join(os.tmpdir(), 'vm-rmswap-'));
  const precious = path.join(root, 'precious');
  mkdirSync(precious);
  const PRECIOUS_FILES = 50;
  try {
    for (let run = 0; run < 12; run++) {
      for (let i = 0; i < PRECIOUS_FILES; i++) writeFileSync(path.join(precious, `keep${i}.txt`), 'keep\n');
      const tree = path.join(root, `tree${run}`);
      for (let i = 0; i < 40; i++) {
        const d = path.join(tree, `d${i}`);
        mkdirSync(path.join(d, 'sub'), { recursive: true });
        for (let j = 0; j < 30; j++) {
          writeFileSync(path.join(d, `f${j}`), 'x');
          writeFileSync(path.join(d, 'sub', `g${j}`), 'y');
        }
      }
      const child = spawn(process.execPath, ['-e', SWAPPER, tree, precious], { stdio: ['pipe', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // Errors are allowed (the tree changes under the removal); emptying the precious folder is not.
      for (let attempt = 0; attempt < 3 && existsSync(tree); attempt++) await removeTree(tree).catch(() => undefined);
      child.stdin.end();
      await exited;
      const left = readdirSync(precious).filter((n) => n.startsWith('keep')).length;
      assert.equal(left, PRECIOUS_FILES, `run ${run}: the precious folder lost ${PRECIOUS_FILES - left} files`);
      rmSync(tree, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
