// Builds the product bundles (dist/) and the test/bench bundles (out/) with esbuild.
// Product: dist/extension.js (vscode external), dist/cli.js, dist/core.js (+ dist/types, its declarations).
// Tests and benchmarks are bundled one file each so ESM-only dependencies (execa) load under CommonJS.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const minify = process.argv.includes('--minify');
const root = new URL('..', import.meta.url).pathname;

function walk(dir, match, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, match, out);
    else if (match(p)) out.push(p);
  }
  return out;
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !minify,
  define: { __VERSION__: JSON.stringify(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version) },
  logLevel: 'warning',
  absWorkingDir: root,
};

// The product bundles load execa from its own file, on first use (see src/core/execa.ts).
const execaApart = {
  name: 'execa-apart',
  setup(build) {
    build.onResolve({ filter: /^execa$/ }, () => ({ path: './execa.js', external: true }));
  },
};
const product = { ...common, minify, plugins: [execaApart] };
// The extension host runs every extension: the crash tests' pause hook (a process freeze) stays out
// of its bundle (see src/core/lifecycle/checkpointOff.ts).
const noPauseHook = {
  name: 'no-pause-hook',
  setup(build) {
    const lifecycle = join(root, 'src', 'core', 'lifecycle');
    build.onResolve({ filter: /^\.\/(lifecycle\/)?checkpoint$/ }, (args) => (join(args.resolveDir, args.path) === join(lifecycle, 'checkpoint') ? { path: join(lifecycle, 'checkpointOff.ts') } : undefined));
  },
};

// The command line's entry (dist/cli.js) holds only the dispatcher and the command table; each
// command module is a bundle of its own, required when that command runs (see src/cli/commands.ts)
// through src/cli/chunkLoader.ts, which compiles it with a V8 code cache.
const cliChunks = { create: 'src/cli/create.ts', discovery: 'src/cli/discovery.ts', lifecycle: 'src/cli/lifecycle.ts', packages: 'src/cli/packages.ts' };
const cliApart = {
  name: 'cli-apart',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^\\./(${Object.keys(cliChunks).join('|')})$`) }, (args) =>
      args.importer.endsWith(join('src', 'cli', 'commands.ts')) ? { path: args.path.slice(2), namespace: 'cli-chunk' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'cli-chunk' }, (args) => ({
      contents: `const { requireChunk } = require('./chunkLoader'); module.exports = requireChunk(require('node:path').join(__dirname, 'cli-${args.path}.js'));`,
      resolveDir: join(root, 'src', 'cli'),
      loader: 'js',
    }));
  },
};

rmSync(join(root, 'dist'), { recursive: true, force: true });
await Promise.all([
  esbuild.build({ ...product, plugins: [...product.plugins, noPauseHook], entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  esbuild.build({ ...product, plugins: [...product.plugins, cliApart], entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  ...Object.entries(cliChunks).map(([name, entry]) => esbuild.build({ ...product, entryPoints: [entry], outfile: `dist/cli-${name}.js` })),
  esbuild.build({ ...product, entryPoints: ['src/core/library.ts'], outfile: 'dist/core.js' }),
  esbuild.build({ ...common, minify, stdin: { contents: "export { execa } from 'execa';", resolveDir: root, loader: 'js' }, outfile: 'dist/execa.js' }),
]);

// The library's type declarations (dist/types/core/library.d.ts), generated from the same sources.
const declarations = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.library.json'], { cwd: root, stdio: 'inherit' });
if (declarations.status !== 0) process.exit(declarations.status ?? 1);

if (!minify) {
  const entries = [
    ...walk(join(root, 'test'), (p) => p.endsWith('.ts') && !p.includes(`${'/'}fixtures${'/'}`)),
    ...walk(join(root, 'bench'), (p) => p.endsWith('.ts')),
  ].map((p) => relative(root, p));
  rmSync(join(root, 'out'), { recursive: true, force: true });
  await esbuild.build({
    ...common,
    entryPoints: entries,
    outdir: 'out',
    outbase: '.',
    external: ['vscode', 'mocha', 'playwright-core', '@vscode/test-electron', 'esbuild'],
  });
}
