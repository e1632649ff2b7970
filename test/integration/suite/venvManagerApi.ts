// Shared by our integration suites (not a suite itself: no .test.ts). Types only from src/extension,
// so the objects the suites handle are the extension's own (instanceof checks inside it still hold).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { VenvManagerApi, VenvManagerTestApi } from '../../../src/extension/api';
import type { Prompter } from '../../../src/extension/ui/prompter';
import { ourExtensionId } from './extensionId';

export async function venvManager(): Promise<VenvManagerApi & { testing: VenvManagerTestApi }> {
  const ext = vscode.extensions.getExtension<VenvManagerApi>(ourExtensionId());
  if (!ext) throw new Error('extension not loaded');
  const api = await ext.activate();
  if (!api.testing) throw new Error('test API missing (extension host not in test mode?)');
  await api.ready();
  return api as VenvManagerApi & { testing: VenvManagerTestApi };
}

export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder');
  return folder;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Facts the run's prepare() wrote for the suites (interpreters found, env paths). */
export interface PreparedFacts {
  python: string;
  pythonVersion: string;
  otherPython?: string;
  /** Folders of test wheels (PIP_FIND_LINKS): the first versions, and newer ones to upgrade to. */
  wheels: string;
  newerWheels: string;
  [key: string]: unknown;
}

export function preparedFacts(): PreparedFacts {
  const tmp = process.env.VENV_MANAGER_TEST_TMP;
  if (!tmp) throw new Error('VENV_MANAGER_TEST_TMP not set');
  return JSON.parse(fs.readFileSync(path.join(tmp, 'facts.json'), 'utf8')) as PreparedFacts;
}

export interface Question {
  id: string;
  kind: 'pick' | 'pickMany' | 'input' | 'ask' | 'notify';
  message: string;
  items?: vscode.QuickPickItem[];
  actions?: string[];
}

type Answer = (q: Question) => unknown;

/**
 * A Prompter that answers by question id from a script and records every question. An unexpected
 * pick/input/ask fails the command (it resolves undefined, i.e. "cancelled") and is recorded.
 */
export class ScriptedPrompter implements Prompter {
  readonly asked: Question[] = [];
  constructor(private readonly answers: Record<string, Answer> = {}) {}

  async pick<T extends vscode.QuickPickItem>(id: string, items: T[], options: { title: string; placeHolder?: string }): Promise<T | undefined> {
    const q: Question = { id, kind: 'pick', message: options.placeHolder ?? options.title, items };
    this.asked.push(q);
    return this.answers[id]?.(q) as T | undefined;
  }
  async pickMany<T extends vscode.QuickPickItem>(id: string, items: T[], options: { title: string; placeHolder?: string }): Promise<T[] | undefined> {
    const q: Question = { id, kind: 'pickMany', message: options.placeHolder ?? options.title, items };
    this.asked.push(q);
    return this.answers[id]?.(q) as T[] | undefined;
  }
  async input(id: string, options: { title: string; prompt?: string; value?: string }): Promise<string | undefined> {
    const q: Question = { id, kind: 'input', message: `${options.prompt ?? options.title}|${options.value ?? ''}` };
    this.asked.push(q);
    return this.answers[id]?.(q) as string | undefined;
  }
  async ask(id: string, message: string, options: { detail?: string; actions: string[] }): Promise<string | undefined> {
    const q: Question = { id, kind: 'ask', message: `${message}\n${options.detail ?? ''}`, actions: options.actions };
    this.asked.push(q);
    return this.answers[id]?.(q) as string | undefined;
  }
  async notify(id: string, _kind: 'info' | 'warning' | 'error', message: string, actions: string[] = []): Promise<string | undefined> {
    const q: Question = { id, kind: 'notify', message, actions };
    this.asked.push(q);
    return this.answers[id]?.(q) as string | undefined;
  }

  question(id: string): Question | undefined {
    return this.asked.find((q) => q.id === id);
  }
}

/** Installs a ScriptedPrompter for the duration of `body`. */
export async function withPrompter<T>(api: { testing: VenvManagerTestApi }, prompter: ScriptedPrompter, body: () => Thenable<T>): Promise<T> {
  const restore = api.testing.usePrompter(prompter);
  try {
    return await body();
  } finally {
    restore();
  }
}

/** Measured figures (never asserted): appended to test-results/extension-figures.log and printed. */
export function recordFigure(line: string): void {
  const file = path.resolve(__dirname, '..', '..', '..', '..', 'test-results', 'extension-figures.log');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${new Date().toISOString()} ${line}\n`);
  console.log(`[figures] ${line}`);
}

export function treeLabel(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : item.label?.label ?? '';
}

/** A file listing with sizes, to show that an operation left an env as it was. */
export function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      out.push(`${path.relative(dir, p)} ${st.isDirectory() ? 'dir' : st.isSymbolicLink() ? `-> ${fs.readlinkSync(p)}` : st.size}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}
