// Runs the unit or integration tests (node:test files, run directly so their stdout reaches the caller). Node 22
// has a global WebSocket; Node 20 needs --experimental-websocket for it (the library itself takes any
// WebSocket constructor as an option).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const suite = process.argv[2] || 'unit';
const file = path.join(path.dirname(fileURLToPath(import.meta.url)), `${suite}.test.js`);
const [major, minor] = process.versions.node.split('.').map(Number);
if (suite === 'integration' && typeof globalThis.WebSocket !== 'function' && (major < 20 || (major === 20 && minor < 10))) {
  console.error(`node ${process.versions.node} has no WebSocket (node >= 20.10 has one behind a flag): install a newer node`);
  process.exit(1);
}
const flags = typeof globalThis.WebSocket === 'function' ? [] : ['--experimental-websocket'];
const result = spawnSync(process.execPath, [...flags, '--no-warnings=ExperimentalWarning', '--test-reporter=spec', file],
  { stdio: 'inherit' });
process.exit(result.status === null ? 1 : result.status);
