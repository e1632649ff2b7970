import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DiscoveredEnvironment } from '../../core';
import { affectsSetting, readSettings } from '../config';
import { PYTHON_ENVIRONMENTS_ID, PYTHON_EXTENSION_ID, PYTHON_LAST_SEEN_STATE_PREFIX, Settings } from '../constants';
import type { ActiveEnvironments } from '../environments/activeEnvironments';
import type { EnvironmentStore } from '../environments/environmentStore';
import { PythonEnvironmentsTool, PythonExtensionTool, type PythonTool } from './pythonTools';
import { decideAtStartup, EchoGuard, environmentFolderOf, samePath } from './reconcile';

/** What each Python tool uses for one folder, as last seen (for the status bar and the report). */
export interface ToolChoice {
  id: PythonTool['id'];
  label: string;
  /** 'missing': not installed; 'connecting': installed, API not ready yet. */
  state: 'missing' | 'connecting' | 'connected';
  interpreter?: string;
}

/**
 * Keeps the active environment of each workspace folder the same in Venv Manager, the Python extension
 * and Python Environments (setting `venvManager.python.shareActiveEnvironment`). Ours to theirs: a
 * change of our active env is validated by each tool and set there. Theirs to ours: a listed env chosen
 * there becomes our active env; a non-venv interpreter is recorded as the folder's external interpreter.
 * Each folder's work runs in order; paths we send are expected back (EchoGuard) and equal paths are
 * never re-sent, so the two sides cannot bounce a change between them. Nothing here runs during
 * activate(): `start()` is called once discovery is in.
 */
export class InterpreterSync implements vscode.Disposable {
  private readonly tools = new Map<PythonTool['id'], PythonTool>();
  private readonly connecting = new Set<PythonTool['id']>();
  private readonly echoes = new EchoGuard();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly seen = new Map<string, string | undefined>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** The tools' choices changed (for the status bar and the report). */
  readonly onDidChange = this.changed.event;
  private readonly pushed = new Map<string, { interpreter: string; version?: string }>();
  private started = false;

  constructor(
    private readonly active: ActiveEnvironments,
    private readonly store: EnvironmentStore,
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Connects to the tools that are installed and reconciles every folder; later installs are picked up too. */
  async start(): Promise<void> {
    if (this.started) return this.idle();
    this.started = true;
    this.subscriptions.push(
      this.active.onDidChange(() => this.forEachFolder((f) => this.pushIfChanged(f))),
      vscode.extensions.onDidChange(() => void this.connectAll()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.forEachFolder((f) => this.reconcile(f))),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!affectsSetting(e, Settings.shareActiveEnvironment)) return;
        this.forEachFolder(async (f) => {
          if (readSettings(f).shareActiveEnvironment !== 'bothWays' && this.active.external(f)) await this.active.set(f, undefined);
          await this.reconcile(f);
        });
      }),
    );
    await this.connectAll();
    return this.idle();
  }

  /** Resolves when no folder has sharing work queued (tests and the report wait for it). */
  async idle(): Promise<void> {
    for (;;) {
      const pending = [...this.queues.values()];
      await Promise.all(pending);
      if ([...this.queues.values()].every((q) => pending.includes(q))) return;
    }
  }

  /** What every tool uses for the folder, as last seen. */
  choices(folder: vscode.WorkspaceFolder): ToolChoice[] {
    const describe = (id: PythonTool['id'], label: string): ToolChoice => {
      const tool = this.tools.get(id);
      if (tool) return { id, label, state: 'connected', interpreter: this.seen.get(seenKey(id, folder)) };
      return { id, label, state: vscode.extensions.getExtension(id) ? 'connecting' : 'missing' };
    };
    return [describe(PYTHON_EXTENSION_ID, vscode.l10n.t('Python extension')), describe(PYTHON_ENVIRONMENTS_ID, vscode.l10n.t('Python Environments'))];
  }

  /** The listed environment an interpreter path of another tool belongs to, inspecting it when it is not listed yet. */
  async environmentFor(interpreter: string): Promise<DiscoveredEnvironment | undefined> {
    const folder = environmentFolderOf(interpreter);
    if (!folder) return undefined;
    const byPath = this.store.find(folder) ?? this.store.all().find((e) => samePath(e.interpreterPath, interpreter));
    if (byPath) return byPath;
    if (!fs.existsSync(path.join(folder, 'pyvenv.cfg')) && !fs.existsSync(path.join(folder, 'conda-meta'))) return undefined;
    await this.store.update([folder]);
    return this.store.find(folder);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    for (const t of this.tools.values()) t.dispose();
    this.changed.dispose();
  }

  private async connectAll(): Promise<void> {
    await Promise.all([this.connect(PYTHON_EXTENSION_ID, () => PythonExtensionTool.connect()), this.connect(PYTHON_ENVIRONMENTS_ID, () => PythonEnvironmentsTool.connect())]);
  }

  private async connect(id: PythonTool['id'], open: () => Promise<PythonTool | undefined>): Promise<void> {
    if (this.tools.has(id) || this.connecting.has(id) || !vscode.extensions.getExtension(id)) return;
    this.connecting.add(id);
    try {
      const tool = await open();
      if (!tool) return;
      this.tools.set(id, tool);
      this.subscriptions.push(tool.onDidChange((folder) => (folder ? this.enqueue(folder, () => this.follow(tool, folder)) : this.forEachFolder((f) => this.follow(tool, f)))));
      this.log.debug(`Sharing the active environment with the ${tool.label}`);
      this.forEachFolder((f) => this.reconcile(f));
    } catch (err) {
      this.log.warn(`The ${id} API is not available, so the active environment is not shared with it: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.connecting.delete(id);
      this.changed.fire();
    }
  }

  private forEachFolder(work: (folder: vscode.WorkspaceFolder) => Promise<void>): void {
    for (const folder of vscode.workspace.workspaceFolders ?? []) this.enqueue(folder, () => work(folder));
  }

  /** Runs the folder's sharing work one piece at a time; a failure is logged and ends only that piece. */
  private enqueue(folder: vscode.WorkspaceFolder, work: () => Promise<void>): void {
    const key = folder.uri.toString();
    const next = (this.queues.get(key) ?? Promise.resolve())
      .then(work)
      .catch((err) => this.log.warn(`Sharing the active environment of ${folder.name}: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        if (this.queues.get(key) === next) this.queues.delete(key);
      });
    this.queues.set(key, next);
  }

  private async refreshSeen(tool: PythonTool, folder: vscode.WorkspaceFolder): Promise<string | undefined> {
    const interpreter = await tool.get(folder);
    const key = seenKey(tool.id, folder);
    if (this.seen.get(key) !== interpreter || !this.seen.has(key)) {
      this.seen.set(key, interpreter);
      this.changed.fire();
    }
    return interpreter;
  }

  /** Start-up (or a tool arriving, or the setting changing): decide per folder which side wins. */
  private async reconcile(folder: vscode.WorkspaceFolder): Promise<void> {
    const mode = readSettings(folder).shareActiveEnvironment;
    const primary = this.primary();
    for (const tool of this.tools.values()) await this.refreshSeen(tool, folder);
    if (!primary) return;
    const theirs = this.seen.get(seenKey(primary.id, folder));
    const ours = this.active.get(folder);
    const decision = decideAtStartup({
      mode,
      ours: ours?.interpreterPath,
      oursChosen: this.active.isChosen(folder),
      theirs,
      lastSeen: this.state.get<string>(lastSeenKey(primary, folder)),
      theirsListed: theirs !== undefined && (await this.environmentFor(theirs)) !== undefined,
    });
    this.log.info(`Active environment of ${folder.name}: Venv Manager ${ours?.interpreterPath ?? 'none'}, ${primary.label} ${theirs ?? 'none'} -> ${decision}`);
    // 'none' still pushes, and writes even an equal path: the Python extension may only have
    // auto-selected it, and a later auto-selection of its own would then replace it.
    if (decision === 'follow' && theirs !== undefined) await this.adopt(primary, folder, theirs);
    else if (mode !== 'off') await this.push(folder, true);
    await this.rememberSeen(folder);
  }

  /** Our active env changed (or was rebuilt): tell the tools that differ. */
  private async pushIfChanged(folder: vscode.WorkspaceFolder): Promise<void> {
    if (readSettings(folder).shareActiveEnvironment === 'off' || this.tools.size === 0) return;
    await this.push(folder);
    await this.rememberSeen(folder);
  }

  /** The tool that decides at start-up: the Python extension, else Python Environments. */
  private primary(): PythonTool | undefined {
    return this.tools.get(PYTHON_EXTENSION_ID) ?? this.tools.get(PYTHON_ENVIRONMENTS_ID);
  }

  /** Remembers the primary tool's choice across windows, so the next start knows who changed last. */
  private async rememberSeen(folder: vscode.WorkspaceFolder): Promise<void> {
    const primary = this.primary();
    if (primary) await this.state.update(lastSeenKey(primary, folder), this.seen.get(seenKey(primary.id, folder)));
  }

  /**
   * Sends our active env to every tool whose choice differs. An env rebuilt in place (same path, new
   * version: Recreate, Upgrade) is sent again so the tool reads it anew; `pin` sends an equal path too.
   */
  private async push(folder: vscode.WorkspaceFolder, pin = false): Promise<void> {
    const env = this.active.get(folder);
    if (!env) return;
    const interpreter = env.interpreterPath;
    const previous = this.pushed.get(folder.uri.toString());
    const rebuilt = previous !== undefined && samePath(previous.interpreter, interpreter) && previous.version !== env.version;
    this.pushed.set(folder.uri.toString(), { interpreter, version: env.version });
    for (const tool of this.tools.values()) {
      const current = await this.refreshSeen(tool, folder);
      this.log.debug(`Sharing ${interpreter} of ${folder.name} with the ${tool.label}, which has ${current ?? 'none'}${rebuilt ? ' (env rebuilt)' : ''}`);
      if (samePath(current, interpreter) && !rebuilt && !pin) continue;
      this.echoes.expect(seenKey(tool.id, folder), interpreter);
      const result = await tool.set(folder, interpreter);
      // Nothing comes back for a path it refused or already had; a later pick of it is the user's.
      if (result === 'unresolved' || result === 'kept') this.echoes.consume(seenKey(tool.id, folder), interpreter);
      if (result === 'unresolved') {
        this.log.warn(`The ${tool.label} cannot resolve ${interpreter}; its interpreter for ${folder.name} stays ${current ?? 'unset'}`);
      } else if (result === 'unconfirmed') {
        this.log.warn(`The ${tool.label} did not confirm ${interpreter} for ${folder.name}`);
      } else {
        this.log.info(`The ${tool.label} now uses ${interpreter} for ${folder.name}`);
      }
      await this.refreshSeen(tool, folder);
    }
  }

  /** A tool's choice changed: unless it is the echo of our own push, make it ours. */
  private async follow(tool: PythonTool, folder: vscode.WorkspaceFolder): Promise<void> {
    const before = this.seen.get(seenKey(tool.id, folder));
    const theirs = await this.refreshSeen(tool, folder);
    this.log.debug(`The ${tool.label} changed ${folder.name}: ${before ?? 'none'} -> ${theirs ?? 'none'}`);
    if (theirs === undefined) return;
    if (this.echoes.consume(seenKey(tool.id, folder), theirs)) return;
    if (samePath(before, theirs) && this.echoes.pending(seenKey(tool.id, folder))) return;
    if (readSettings(folder).shareActiveEnvironment !== 'bothWays') return;
    if (samePath(this.active.get(folder)?.interpreterPath, theirs)) return;
    await this.adopt(tool, folder, theirs);
    await this.rememberSeen(folder);
  }

  private async adopt(tool: PythonTool, folder: vscode.WorkspaceFolder, interpreter: string): Promise<void> {
    const env = await this.environmentFor(interpreter);
    if (env) {
      if (this.active.get(folder)?.path === env.path) return;
      this.log.info(`The ${tool.label} chose ${interpreter} for ${folder.name}: it becomes the active environment`);
      await this.active.set(folder, env.path);
      return;
    }
    const external = this.active.external(folder);
    if (external && samePath(external.path, interpreter)) return;
    this.log.info(`The ${tool.label} chose ${interpreter} for ${folder.name}, which is not a virtual environment: terminals there are no longer activated by Venv Manager`);
    await this.active.setExternal(folder, { path: interpreter, tool: tool.label });
  }
}

function seenKey(id: string, folder: vscode.WorkspaceFolder): string {
  return `${id}|${folder.uri.toString()}`;
}

function lastSeenKey(tool: PythonTool, folder: vscode.WorkspaceFolder): string {
  return `${PYTHON_LAST_SEEN_STATE_PREFIX}${tool.id}:${folder.uri.toString()}`;
}
