import { PythonEnvironments } from '@vscode/python-environments';
import { PythonExtension } from '@vscode/python-extension';
import * as vscode from 'vscode';
import { PYTHON_ENVIRONMENTS_ID, PYTHON_EXTENSION_ID } from '../constants';
import { samePath } from './reconcile';

/**
 * One Python tool that chooses an interpreter per workspace folder: the Python extension
 * (ms-python.python) or Python Environments (ms-python.vscode-python-envs). Neither is a dependency;
 * each is reached through its published API once it is there.
 */
export interface PythonTool extends vscode.Disposable {
  readonly id: typeof PYTHON_EXTENSION_ID | typeof PYTHON_ENVIRONMENTS_ID;
  /** For the user: 'Python extension', 'Python Environments'. */
  readonly label: string;
  /** The interpreter the tool uses for the folder, or undefined while it has chosen none. */
  get(folder: vscode.WorkspaceFolder): Promise<string | undefined>;
  /**
   * Makes `interpreter` the tool's choice for the folder: validated first (a path the tool cannot
   * resolve is never written), then set, then confirmed by the tool's own change event.
   */
  set(folder: vscode.WorkspaceFolder, interpreter: string): Promise<SetResult>;
  /** The tool's choice changed, for one folder or (undefined) possibly for all. */
  readonly onDidChange: vscode.Event<vscode.WorkspaceFolder | undefined>;
}

/** 'kept': it already reported that path, so no change event follows. */
export type SetResult = 'set' | 'kept' | 'unresolved' | 'unconfirmed';

/** How long a tool may take to confirm a change it accepted (its event), generous for busy machines. */
const CONFIRM_MS = 20_000;
/** How long the Python extension's start-up auto-selection may take to settle after `ready`. */
const SETTLE_MS = 8_000;

export function folderOf(resource: vscode.Uri | vscode.WorkspaceFolder | undefined): vscode.WorkspaceFolder | undefined {
  if (!resource) return undefined;
  const uri = resource instanceof vscode.Uri ? resource : resource.uri;
  return vscode.workspace.getWorkspaceFolder(uri);
}

/** Resolves true when `event` fires with a value `matches` accepts, false after `ms`. */
function waitForEvent<T>(event: vscode.Event<T>, matches: (e: T) => boolean, ms: number): { done: Promise<boolean>; cancel(): void } {
  let cancel = () => undefined as void;
  const done = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => finish(false), ms);
    const subscription = event((e) => { if (matches(e)) finish(true); });
    function finish(value: boolean) {
      clearTimeout(timer);
      subscription.dispose();
      resolve(value);
    }
    cancel = () => finish(false);
  });
  return { done, cancel };
}

/** What both tools share: the change event, and "apply, then wait for the tool's own confirmation". */
abstract class ToolBase implements vscode.Disposable {
  protected readonly changed = new vscode.EventEmitter<vscode.WorkspaceFolder | undefined>();
  readonly onDidChange = this.changed.event;
  protected abstract readonly subscription: vscode.Disposable;

  abstract get(folder: vscode.WorkspaceFolder): Promise<string | undefined>;

  /**
   * Runs `apply` with a listener for the tool's event already in place; 'set' once the event
   * confirms, else when the tool reports `expected` anyway after the wait.
   */
  protected async applyAndConfirm<E>(folder: vscode.WorkspaceFolder, expected: string | undefined, event: vscode.Event<E>, confirms: (e: E) => boolean, apply: () => Promise<void>): Promise<SetResult> {
    const confirmed = waitForEvent(event, confirms, CONFIRM_MS);
    try {
      await apply();
    } catch (err) {
      confirmed.cancel();
      throw err;
    }
    if (await confirmed.done) return 'set';
    return samePath(await this.get(folder), expected) ? 'set' : 'unconfirmed';
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function sameFolder(resource: vscode.Uri | vscode.WorkspaceFolder | undefined, folder: vscode.WorkspaceFolder): boolean {
  return folderOf(resource)?.uri.toString() === folder.uri.toString();
}

type PythonExtensionApi = Awaited<ReturnType<typeof PythonExtension.api>>;

export class PythonExtensionTool extends ToolBase implements PythonTool {
  readonly id = PYTHON_EXTENSION_ID;
  readonly label = vscode.l10n.t('Python extension');
  protected readonly subscription: vscode.Disposable;

  /** Connects once the extension is installed, activated and `ready`, and its start-up auto-selection has settled. */
  static async connect(): Promise<PythonExtensionTool | undefined> {
    if (!vscode.extensions.getExtension(PYTHON_EXTENSION_ID)) return undefined;
    const api = await PythonExtension.api();
    const settled = waitForEvent(api.environments.onDidChangeActiveEnvironmentPath, (e) => e.resource === undefined, SETTLE_MS);
    await api.ready;
    const tool = new PythonExtensionTool(api);
    // Its own auto-selection runs after `ready` and may replace what it reports until then: wait for
    // the event (for no folder) that ends it, so that it is not taken for the user's choice.
    await settled.done;
    return tool;
  }

  private constructor(private readonly api: PythonExtensionApi) {
    super();
    this.subscription = api.environments.onDidChangeActiveEnvironmentPath((e) => this.changed.fire(folderOf(e.resource)));
  }

  async get(folder: vscode.WorkspaceFolder): Promise<string | undefined> {
    const p = this.api.environments.getActiveEnvironmentPath(folder.uri).path;
    // 'python' (a bare command) is what it reports before it has chosen.
    return p && p !== 'python' ? p : undefined;
  }

  async set(folder: vscode.WorkspaceFolder, interpreter: string): Promise<SetResult> {
    const resolved = await this.api.environments.resolveEnvironment(interpreter).catch(() => undefined);
    if (!resolved) return 'unresolved';
    if (samePath(await this.get(folder), interpreter)) {
      // Already what it reports (perhaps only auto-selected): stored now, so its auto-selection keeps
      // it; no change event comes for an unchanged path.
      await this.api.environments.updateActiveEnvironmentPath(interpreter, folder);
      return 'kept';
    }
    const environments = this.api.environments;
    return this.applyAndConfirm(folder, interpreter, environments.onDidChangeActiveEnvironmentPath, (e) => samePath(e.path, interpreter) && sameFolder(e.resource, folder), () => environments.updateActiveEnvironmentPath(interpreter, folder));
  }
}

type PythonEnvironmentsApi = Awaited<ReturnType<typeof PythonEnvironments.api>>;
type PythonEnvironment = NonNullable<Awaited<ReturnType<PythonEnvironmentsApi['getEnvironment']>>>;

/** The interpreter of a Python Environments environment: how it runs it, else the path it reports. */
function interpreterOf(env: PythonEnvironment | undefined): string | undefined {
  return env?.execInfo?.run?.executable ?? env?.environmentPath?.fsPath;
}

export class PythonEnvironmentsTool extends ToolBase implements PythonTool {
  readonly id = PYTHON_ENVIRONMENTS_ID;
  readonly label = vscode.l10n.t('Python Environments');
  protected readonly subscription: vscode.Disposable;

  /** Connects when the extension is installed and exposes its API. */
  static async connect(): Promise<PythonEnvironmentsTool | undefined> {
    if (!vscode.extensions.getExtension(PYTHON_ENVIRONMENTS_ID)) return undefined;
    const api = await PythonEnvironments.api();
    if (!api || typeof api.setEnvironment !== 'function' || typeof api.resolveEnvironment !== 'function') return undefined;
    return new PythonEnvironmentsTool(api);
  }

  private constructor(private readonly api: PythonEnvironmentsApi) {
    super();
    this.subscription = api.onDidChangeEnvironment((e) => this.changed.fire(folderOf(e.uri)));
  }

  async get(folder: vscode.WorkspaceFolder): Promise<string | undefined> {
    return interpreterOf(await this.api.getEnvironment(folder.uri));
  }

  async set(folder: vscode.WorkspaceFolder, interpreter: string): Promise<SetResult> {
    const env = await this.api.resolveEnvironment(vscode.Uri.file(interpreter)).catch(() => undefined);
    if (!env) return 'unresolved';
    const expected = interpreterOf(env);
    return this.applyAndConfirm(folder, expected, this.api.onDidChangeEnvironment, (e) => sameFolder(e.uri, folder) && samePath(interpreterOf(e.new), expected), () => this.api.setEnvironment(folder.uri, env));
  }
}

/** Which Python tool will type an activation into new terminals of the folder, if any. */
export function otherTerminalActivator(folder: vscode.WorkspaceFolder): { label: string; section: string; key: string; off: unknown } | undefined {
  if (vscode.extensions.getExtension(PYTHON_ENVIRONMENTS_ID)) {
    // Python Environments takes terminal activation over from the Python extension when present.
    const type = vscode.workspace.getConfiguration('python-envs', folder).get<string>('terminal.autoActivationType', 'command');
    return type === 'off' ? undefined : { label: vscode.l10n.t('Python Environments'), section: 'python-envs', key: 'terminal.autoActivationType', off: 'off' };
  }
  if (vscode.extensions.getExtension(PYTHON_EXTENSION_ID)) {
    const on = vscode.workspace.getConfiguration('python', folder).get<boolean>('terminal.activateEnvironment', true);
    return on ? { label: vscode.l10n.t('Python extension'), section: 'python', key: 'terminal.activateEnvironment', off: false } : undefined;
  }
  return undefined;
}
