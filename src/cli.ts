import { runCli } from './cli/main';
import { useInlineFileSystem } from './core/asyncFs';

// One short task with nothing else to keep responsive: core's file-system calls run inline (see core/asyncFs.ts).
useInlineFileSystem();

async function ask(question: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return undefined;
  // Loaded here, not at start-up: only `delete` asks anything.
  const readline = await import('node:readline/promises');
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  env: process.env,
  ask,
}).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`); process.exitCode = 1; },
);
