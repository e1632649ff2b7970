/**
 * The integration runs: each starts one real VS Code on a workspace that `prepare` makes, loads our
 * extension under development and runs the listed suites (test/integration/suite/<name>.test.ts) in its
 * extension host. The host sees VENV_MANAGER_TEST_TMP (the run's scratch folder).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extensionRuns } from './extensionRuns';

export interface IntegrationRun {
  name: string;
  suites: string[];
  /** Makes the workspace inside tmpDir and returns the folder (or .code-workspace file) to open. */
  prepare(tmpDir: string): Promise<string>;
  trusted?: boolean;
  /** Extra environment of VS Code; a function gets the run's tmp folder (for paths `prepare` made there). */
  env?: Record<string, string> | ((tmpDir: string) => Record<string, string>);
  settings?: Record<string, unknown>;
  /** Only run when named on the driver's command line (the harness's own self-check). */
  onlyWhenNamed?: boolean;
  /** Other extensions the run needs; a string result is why they are missing (the run is then skipped). */
  extensions?(): { vsix: string[] } | string;
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

export const runs: IntegrationRun[] = [
  {
    // Proves the harness reports a failing test as failed (the extension host itself exits 0).
    name: 'harness-self-check',
    suites: ['harnessSelfCheck'],
    onlyWhenNamed: true,
    async prepare(tmp) {
      const ws = path.join(tmp, 'self-check');
      write(path.join(ws, 'a.py'), '');
      return ws;
    },
  },
  {
    name: 'activation-python',
    suites: ['activation'],
    async prepare(tmp) {
      const ws = path.join(tmp, 'python project');
      write(path.join(ws, 'main.py'), 'print("hello")\n');
      return ws;
    },
  },
  {
    name: 'activation-no-python',
    suites: ['noActivation'],
    async prepare(tmp) {
      const ws = path.join(tmp, 'notes');
      write(path.join(ws, 'README.md'), '# no python here\n');
      write(path.join(ws, 'data.txt'), 'plain text\n');
      return ws;
    },
  },
  ...extensionRuns,
];
