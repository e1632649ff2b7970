import type * as vscode from 'vscode';
import type { ActiveEnvironments } from '../environments/activeEnvironments';
import type { EnvironmentStore } from '../environments/environmentStore';
import type { PrompterHolder } from '../ui/prompter';
import { InterpreterSync } from './interpreterSync';
import { TerminalEnvironments } from './terminalEnvironments';
import { TerminalOwner } from './terminalOwner';

/**
 * Venv Manager next to the Python extension and Python Environments: one active environment shared
 * with them (InterpreterSync), each terminal activated once (TerminalOwner, and TerminalActivation
 * stepping back), and what each open terminal has (TerminalEnvironments) for the per-tool report.
 */
export class PythonInterop implements vscode.Disposable {
  readonly sync: InterpreterSync;
  readonly terminals = new TerminalEnvironments();
  private readonly owner: TerminalOwner;
  private markStarted!: () => void;
  private readonly started = new Promise<void>((resolve) => (this.markStarted = resolve));

  constructor(readonly active: ActiveEnvironments, store: EnvironmentStore, state: vscode.Memento, log: vscode.LogOutputChannel, prompter: PrompterHolder) {
    this.sync = new InterpreterSync(active, store, state, log);
    this.owner = new TerminalOwner(prompter, state);
  }

  /** After the first discovery: connect to the tools that are installed, reconcile, offer terminal activation. */
  async start(): Promise<void> {
    try {
      await this.sync.start();
      await this.owner.check();
    } finally {
      this.markStarted();
    }
  }

  /** Resolves once started and when no sharing work is left (the report and tests wait for it). */
  async idle(): Promise<void> {
    await this.started;
    await this.sync.idle();
  }

  dispose(): void {
    this.sync.dispose();
    this.terminals.dispose();
    this.owner.dispose();
  }
}
