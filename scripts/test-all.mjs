// Runs every test tier and ends with one line `N passed, N failed, N skipped`; exits non-zero on any
// failure. Usage: node scripts/test-all.mjs [typecheck|unit|dist|python|conformance|integration|e2e ...]
// unit is pure (no real Python, no built dist/: out/test/harness/pureGuard.js makes a test that starts
// one fail); dist tests the built bundles without Python; python needs the real interpreters.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const all = ['typecheck', 'unit', 'dist', 'python', 'conformance', 'integration', 'e2e'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all;
const totals = { passed: 0, failed: 0, skipped: 0 };
const tierLines = [];

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: opts.capture ? ['ignore', 'pipe', 'pipe'] : 'inherit', encoding: 'utf8', env: { ...process.env, ...opts.env }, maxBuffer: 256 * 1024 * 1024 });
  if (opts.capture) { process.stdout.write(r.stdout ?? ''); process.stderr.write(r.stderr ?? ''); }
  return r;
}

function add(tier, passed, failed, skipped = 0) {
  totals.passed += passed; totals.failed += failed; totals.skipped += skipped;
  tierLines.push(`  ${tier.padEnd(12)} ${passed} passed, ${failed} failed, ${skipped} skipped`);
}

/** Test files of a tier come from the sources, so a stale file in out/ never runs. */
function compiledTests(dir) {
  const out = [];
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.test.ts')) out.push(join(root, 'out', relative(root, p)).replace(/\.ts$/, '.js'));
    }
  };
  walk(join(root, dir));
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** NODE_OPTIONS that load the purity guard into a tier's test processes and every Node process they start. */
function guarded(allow) {
  const guard = join(root, 'out', 'test', 'harness', 'pureGuard.js');
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require "${guard}"`.trim(), VENV_MANAGER_PURE_GUARD: 'throw', VENV_MANAGER_PURE_GUARD_ALLOW: allow };
}

function nodeTestTier(tier, dir, extra = [], env = {}) {
  const files = compiledTests(dir);
  if (files.length === 0) { console.log(`${tier}: no tests found in ${dir}`); add(tier, 0, 1); return; }
  const tap = join(mkdtempSync(join(tmpdir(), 'vm-tap-')), `${tier}.tap`);
  const r = run(process.execPath, ['--test', ...extra, '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files], { env });
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (k) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  const passed = count('pass');
  let failed = count('fail') + count('cancelled');
  if (r.status !== 0 && failed === 0) failed = 1; // the runner itself failed
  add(tier, passed, failed, count('skipped') + count('todo'));
}

console.log('building...');
const build = run('npm', ['run', '--silent', 'build']);
if (build.status !== 0) {
  add('build', 0, 1);
} else {
  for (const tier of wanted) {
    console.log(`\n=== ${tier} ===`);
    switch (tier) {
      case 'typecheck': {
        // Two checks, each one pass or one failure: the compiler, then oxlint with its type-aware
        // rules (.oxlintrc.json; typescript-go through oxlint-tsgolint, the same TypeScript 7).
        const tool = (name) => {
          const bin = join(root, 'node_modules', '.bin', name);
          if (!existsSync(bin)) console.log(`${bin} is missing: run npm ci (package-lock.json has it)`);
          return bin;
        };
        const checks = [
          run(tool('tsc'), ['--noEmit', '-p', '.']),
          run(tool('oxlint'), ['--type-aware', '--deny-warnings']),
        ];
        const ok = checks.filter((r) => r.status === 0).length;
        add(tier, ok, checks.length - ok);
        break;
      }
      case 'unit': nodeTestTier(tier, 'test/unit', [], guarded('')); break;
      case 'dist': nodeTestTier(tier, 'test/dist', [], guarded('dist')); break;
      case 'python': nodeTestTier(tier, 'test/python'); break;
      case 'conformance': nodeTestTier(tier, 'test/conformance'); break;
      case 'e2e': nodeTestTier(tier, 'test/e2e', ['--test-concurrency=1']); break;
      case 'integration': {
        const summary = join(mkdtempSync(join(tmpdir(), 'vm-int-')), 'summary.json');
        const r = run(process.execPath, [join(root, 'out/test/harness/runIntegration.js'), '--summary', summary]);
        if (existsSync(summary)) {
          const s = JSON.parse(readFileSync(summary, 'utf8'));
          add(tier, s.passed, s.failed || (r.status !== 0 ? 1 : 0), s.skipped);
        } else add(tier, 0, 1);
        break;
      }
      default:
        console.log(`unknown tier '${tier}' (tiers: ${all.join(', ')})`);
        add(tier, 0, 1);
    }
  }
}

console.log('\nsummary by tier:');
for (const l of tierLines) console.log(l);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exitCode = totals.failed ? 1 : 0;
