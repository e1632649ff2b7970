import { promises as fsp } from 'node:fs';
import * as vscode from 'vscode';
import { activationInCommand } from './reconcile';

/** What we know of one open terminal's environment. */
export interface TerminalEnvironment {
  terminal: vscode.Terminal;
  /** VIRTUAL_ENV now, as far as we can tell; undefined for none. */
  virtualEnv?: string;
  /** 'start': from the shell's own environment at its start; 'command': from an activate/deactivate it ran since; 'unknown'. */
  source: 'start' | 'command' | 'unknown';
}

/**
 * Tracks VIRTUAL_ENV of open terminals without typing anything into them: the environment the shell
 * process started with (`/proc/<pid>/environ` on Linux), then the `source .../activate` and
 * `deactivate` commands shell integration reports it ran (how the Python tools activate terminals).
 */
export class TerminalEnvironments implements vscode.Disposable {
  private readonly known = new Map<vscode.Terminal, TerminalEnvironment>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    for (const t of vscode.window.terminals) void this.opened(t);
    this.subscriptions.push(
      vscode.window.onDidOpenTerminal((t) => void this.opened(t)),
      vscode.window.onDidCloseTerminal((t) => this.known.delete(t)),
      vscode.window.onDidStartTerminalShellExecution((e) => {
        const activated = activationInCommand(e.execution.commandLine.value);
        if (activated === undefined) return;
        this.known.set(e.terminal, { terminal: e.terminal, virtualEnv: activated ?? undefined, source: 'command' });
      }),
    );
  }

  /** Every open terminal, in the order VS Code lists them. */
  all(): TerminalEnvironment[] {
    return vscode.window.terminals.map((t) => this.known.get(t) ?? { terminal: t, source: 'unknown' });
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  private async opened(terminal: vscode.Terminal): Promise<void> {
    const pid = await terminal.processId;
    const fromStart = pid === undefined ? undefined : await startEnvironment(pid);
    if (this.known.get(terminal)?.source === 'command') return;
    this.known.set(terminal, fromStart === undefined ? { terminal, source: 'unknown' } : { terminal, virtualEnv: fromStart.VIRTUAL_ENV || undefined, source: 'start' });
  }
}

/** The environment a process started with, where the OS shows it (Linux); undefined elsewhere. */
async function startEnvironment(pid: number): Promise<Record<string, string> | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const raw = await fsp.readFile(`/proc/${pid}/environ`, 'utf8');
    const env: Record<string, string> = {};
    for (const entry of raw.split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return env;
  } catch {
    return undefined;
  }
}
