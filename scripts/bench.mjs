// `npm run bench`: runs every benchmark (bench/*.bench.ts, built into out/bench/) one after another.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
const files = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.ts$/, '.js'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
let failed = 0;
for (const f of files) {
  const js = join(root, 'out', 'bench', f);
  if (!existsSync(js)) { console.error(`missing ${js}; run npm run build`); failed++; continue; }
  console.log(`\n### ${f}`);
  const r = spawnSync(process.execPath, ['--expose-gc', js], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
