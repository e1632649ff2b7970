// Our EnvBuilder behind CPython's `venv.EnvBuilder.create`, for the second-judge tier
// (testVenvJudge.test.ts): the Python harness calls `node judgeBuilder.js '<json>'` in place of
// venv's own create. Prints nothing on success; on failure one line `@@VENV_ERROR@@{"message": ...}`
// on stderr and exit code 1, so the harness can raise what venv would raise.
import { EnvBuilder, type EnvContext } from '../../src/core/envBuilder';

interface Request {
  envDir: string;
  python: string;
  cwd: string;
  cacheDir: string;
  options: {
    systemSitePackages: boolean;
    clear: boolean;
    symlinks: boolean;
    upgrade: boolean;
    withPip: boolean;
    prompt: string | null;
    upgradeDeps: boolean;
    scmIgnoreFiles: string[];
  };
  /** Steps the test replaced with a Mock on the builder instance: skipped here too. */
  mocked: { setupPip: boolean; upgradeDependencies: boolean };
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '') as Request;
  const { options, mocked } = request;
  class Judged extends EnvBuilder {
    override async setupPip(context: EnvContext): Promise<void> {
      if (!mocked.setupPip) await super.setupPip(context);
    }
    override async upgradeDependencies(context: EnvContext): Promise<void> {
      if (!mocked.upgradeDependencies) await super.upgradeDependencies(context);
    }
  }
  await new Judged({
    python: request.python,
    cwd: request.cwd,
    cacheDir: request.cacheDir,
    systemSitePackages: options.systemSitePackages,
    clear: options.clear,
    symlinks: options.symlinks,
    upgrade: options.upgrade,
    withPip: options.withPip,
    ...(options.prompt === null ? {} : { prompt: options.prompt }),
    upgradeDeps: options.upgradeDeps,
    scmIgnoreFiles: options.scmIgnoreFiles,
  }).create(request.envDir);
}

main().catch((err: unknown) => {
  process.stderr.write(`@@VENV_ERROR@@${JSON.stringify({ message: err instanceof Error ? err.message : String(err) })}\n`);
  process.exitCode = 1;
});
