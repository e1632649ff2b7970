/**
 * Starts a real VS Code (code-server, whose extension host is a normal Node extension host) headless on
 * a free loopback port, and opens its workbench in Debian's chromium through playwright-core.
 * Everything started here is stopped by `stop()`/`close()`, and also when this process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { codeServerDir, repoRoot, screenshotDir } from './paths';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export class MissingPrerequisite extends Error {}

/** Throws a MissingPrerequisite that says what to install when the browser tiers cannot run here. */
export function checkPrerequisites(): void {
  if (!fs.existsSync(CHROMIUM)) throw new MissingPrerequisite(`chromium not found at ${CHROMIUM}: run \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  if (!fs.existsSync(path.join(codeServerDir(), '.complete'))) {
    throw new MissingPrerequisite(`code-server is not installed in ${codeServerDir()}: run \`bash scripts/install-code-server.sh\` (needs ripgrep and libkrb5-dev: \`apt-get install -y ripgrep libkrb5-dev\`)`);
  }
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) throw new MissingPrerequisite('dist/extension.js is missing: run `npm run build`');
}

const live = new Set<() => void>();
process.once('exit', () => { for (const kill of live) kill(); });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { for (const kill of live) kill(); process.exit(130); });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface CodeServerOptions {
  /** Folder or .code-workspace file to open. */
  workspace: string;
  /** false leaves workspace trust on, so the workbench starts in restricted mode. Default true. */
  trusted?: boolean;
  /** Extra environment for the server; its extension host inherits it. */
  env?: Record<string, string>;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Port to listen on; a free one when absent. */
  port?: number;
  /** .vsix files installed into the server's extensions folder before it starts (e.g. the Python extension). */
  vsix?: string[];
}

export interface CodeServer {
  readonly port: number;
  readonly baseUrl: string;
  readonly workspace: string;
  readonly stateDir: string;
  /** Workbench URL for the workspace; with `tests` it also carries the payload that loads our extension under development. */
  url(opts?: { extensionTestsPath?: string; withExtension?: boolean }): string;
  logs(): string;
  waitForLog(pattern: RegExp, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

const BASE_SETTINGS: Record<string, unknown> = {
  'terminal.integrated.gpuAcceleration': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'security.workspace.trust.startupPrompt': 'never',
  'window.commandCenter': false,
  'chat.commandCenter.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'git.enabled': false,
  'terminal.integrated.showTerminalConfigPrompt': false,
};

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  checkPrerequisites();
  const port = opts.port ?? await freePort();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-cs-'));
  const userDir = path.join(stateDir, 'user-data');
  fs.mkdirSync(path.join(userDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDir, 'User', 'settings.json'), JSON.stringify({ ...BASE_SETTINGS, ...opts.settings }, null, 2));
  const entry = path.join(codeServerDir(), 'package', 'out', 'node', 'entry.js');
  for (const vsix of opts.vsix ?? []) {
    await runToEnd(process.execPath, [entry, '--user-data-dir', userDir, '--extensions-dir', path.join(stateDir, 'extensions'), '--install-extension', vsix], 120_000);
  }
  const args = [
    entry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDir,
    '--extensions-dir', path.join(stateDir, 'extensions'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    ...(opts.trusted === false ? [] : ['--disable-workspace-trust']),
    opts.workspace,
  ];
  let output = '';
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, ...opts.env, VSCODE_PROXY_URI: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const kill = () => { try { if (child.pid) process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } };
  live.add(kill);
  const onData = (b: Buffer) => { output += b.toString(); };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const baseUrl = `http://127.0.0.1:${port}`;
  const server: CodeServer = {
    port,
    baseUrl,
    workspace: opts.workspace,
    stateDir,
    url({ extensionTestsPath, withExtension = true } = {}) {
      const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${p}`;
      const query = new URLSearchParams();
      query.set(opts.workspace.endsWith('.code-workspace') ? 'workspace' : 'folder', opts.workspace);
      const payload: [string, string][] = [];
      if (withExtension) payload.push(['extensionDevelopmentPath', remote(repoRoot)]);
      if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
      if (payload.length) query.set('payload', JSON.stringify(payload));
      return `${baseUrl}/?${query.toString()}`;
    },
    logs: () => output,
    async waitForLog(pattern, timeoutMs) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        if (pattern.test(output)) return true;
        if (child.exitCode !== null) return pattern.test(output);
        await sleep(100);
      }
      return false;
    },
    async stop() {
      if (child.exitCode === null && child.pid) {
        try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
        await Promise.race([exited, sleep(3000)]);
        kill();
      }
      live.delete(kill);
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      if (res.ok) return server;
    } catch { /* not listening yet */ }
    await sleep(200);
  }
  await server.stop();
  throw new Error(`code-server did not start on port ${port}:\n${output.slice(-4000)}`);
}

/** Runs a command to its end; throws with its output when it fails or outlives `timeoutMs`. */
function runToEnd(command: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (b: Buffer) => { output += b.toString(); });
    child.stderr!.on('data', (b: Buffer) => { output += b.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(args[args.length - 1] ?? command)}: exit ${code ?? signal}\n${output.slice(-2000)}`));
    });
  });
}

export interface Workbench {
  readonly browser: Browser;
  readonly page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Opens the workbench with our extension loaded and waits until the workbench is on screen. */
export async function openWorkbench(server: CodeServer, opts: { extensionTestsPath?: string; viewport?: { width: number; height: number } } = {}): Promise<Workbench> {
  const browser = await launchBrowser();
  const close = async () => { await browser.close().catch(() => undefined); live.delete(killBrowser); };
  const killBrowser = () => { void browser.close().catch(() => undefined); };
  live.add(killBrowser);
  try {
    const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
    await page.goto(server.url({ extensionTestsPath: opts.extensionTestsPath }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    if (!opts.extensionTestsPath) await page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 60_000 });
    return { browser, page, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file });
  return file;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
