// `npm start`: builds, starts VS Code (code-server) on the sample workspace with Venv Manager loaded
// from this checkout, and prints the URL to open. Ctrl-C stops it.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
if (spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
const { startCodeServer, freePort } = require(resolve(root, 'out/test/harness/codeServer.js'));
const workspace = resolve(root, process.argv[2] ?? 'examples/sample-workspace');
// A stable port is easier to bookmark: PORT, else 8080 when it is free, else any free one.
const port = Number(process.env.PORT) || await portIfFree(8080) || await freePort();
const server = await startCodeServer({ workspace, port });
console.log(`\nVenv Manager is running in VS Code on ${workspace}\n\n  Open: ${server.url()}\n\nPress Ctrl-C to stop.`);
const stop = async () => { await server.stop(); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {}, 1 << 30);

async function portIfFree(port) {
  const net = await import('node:net');
  return new Promise((res) => {
    const srv = net.createServer().once('error', () => res(0)).listen(port, '127.0.0.1', () => srv.close(() => res(port)));
  });
}
