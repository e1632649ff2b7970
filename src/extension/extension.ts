import * as vscode from 'vscode';
import { DistributionCache } from '../core';
import type { VenvManagerApi } from './api';
import { registerCommands } from './commands/registerCommands';
import { ENVIRONMENTS_VIEW_ID } from './constants';
import { ActiveEnvironments } from './environments/activeEnvironments';
import { DriftMonitor } from './environments/driftMonitor';
import { EnvironmentStore } from './environments/environmentStore';
import { EnvironmentWatcher } from './environments/environmentWatcher';
import { PythonInterop } from './interop/pythonInterop';
import { PackageStore } from './packages/packageStore';
import { ActiveEnvironmentStatusBar } from './statusBar';
import { TerminalActivation } from './terminal/terminalActivation';
import { EnvironmentsTreeProvider } from './tree/environmentsTreeProvider';
import { PrompterHolder } from './ui/prompter';

/**
 * Composition root. Everything slow (discovery, file watching) starts after activate() returns;
 * the tree shows its progress bar until the first scan is in.
 */
export function activate(context: vscode.ExtensionContext): VenvManagerApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Venv Manager', { log: true });
  const store = new EnvironmentStore(log);
  const active = new ActiveEnvironments(context.workspaceState, store);
  const terminalActivation = new TerminalActivation(context.environmentVariableCollection, active, log);
  // What was read of each dist-info folder, shared by the drift check and the Packages node.
  const distributions = new DistributionCache();
  const drift = new DriftMonitor(store, log, distributions);
  const packages = new PackageStore(context.globalState, log, store.onDidChange, distributions);
  const tree = new EnvironmentsTreeProvider(store, active, vscode.Uri.joinPath(context.extensionUri, 'media'), drift, packages);
  const prompter = new PrompterHolder();
  const interop = new PythonInterop(active, store, context.workspaceState, log, prompter);
  context.subscriptions.push(
    log,
    store,
    drift,
    active,
    packages,
    terminalActivation,
    tree,
    vscode.window.createTreeView(ENVIRONMENTS_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true }),
    interop,
    new ActiveEnvironmentStatusBar(interop),
    ...registerCommands({ store, drift, active, packages, prompter, log, interop, showGlobalEnvironments: () => tree.showGlobalEnvironments() }),
  );

  const treeFilled = new Promise<number>((resolve) => {
    setImmediate(() => {
      void store.ready().then(() => resolve(performance.now() - started));
      context.subscriptions.push(new EnvironmentWatcher(store, log));
    });
  });
  void treeFilled.then(async (ms) => {
    terminalActivation.apply();
    log.info(`Environments listed ${ms.toFixed(1)} ms after activation started`);
    // The Python tools' APIs are fetched only now, never during activate().
    await Promise.all([terminalActivation.installShellStartup(context.globalStorageUri.fsPath), interop.start()]);
  });

  const activationMs = performance.now() - started;
  log.info(`Activated in ${activationMs.toFixed(1)} ms`);

  const api: VenvManagerApi = {
    environments: () => store.all(),
    activeEnvironment: (fsPath) => {
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(fsPath));
      return folder ? active.get(folder) : undefined;
    },
    onDidChangeEnvironments: store.onDidChange,
    ready: () => store.ready(),
  };
  // Tests run the extension in Test or Development mode; an installed extension never exposes this.
  if (context.extensionMode !== vscode.ExtensionMode.Production) {
    api.testing = {
      activationMs,
      treeFilledMs: () => treeFilled,
      environmentVariableCollection: context.environmentVariableCollection,
      usePrompter(next) {
        const previous = prompter.current;
        prompter.current = next;
        return () => {
          prompter.current = previous;
        };
      },
      treeChildren: (element) => Promise.resolve(tree.getChildren(element)),
      rescan: () => store.refreshWorkspace(),
      interopIdle: () => interop.idle(),
    };
  }
  return api;
}

export function deactivate(): void {}
