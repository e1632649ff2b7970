// Public library surface of Venv Manager's core (dist/core.js). Nothing here imports 'vscode'.
export * from './pyvenvCfg';
export * from './discovery';
export * from './activation';
