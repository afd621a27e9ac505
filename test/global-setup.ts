import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cfnLintPython } from '../scripts/cfn-lint';

/**
 * Starts scripts/cfn-lint-server.py for the run and exports its socket (CFN_LINT_SOCKET) and
 * process (CFN_LINT_SERVER_PID) to the workers, so each cfn-lint run of the suite skips
 * cfn-lint's ~3.5 s of import and rule loading. It does not wait for the server (the first lint
 * does, connecting until the socket answers); findings are those of the `cfn-lint` command either
 * way, and a server that exits falls back to the command (scripts/cfn-lint.ts).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.CFN_LINT_SOCKET || process.env.CFN_LINT_NO_SERVER) {
    return;
  }
  const python = cfnLintPython();
  if (!python) {
    console.warn('cfn-lint server not started (no Python interpreter found for cfn-lint): each cfn-lint run starts the command');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-server-'));
  const socket = path.join(dir, 'socket');
  const server = spawn(python, [path.join(__dirname, '..', 'scripts', 'cfn-lint-server.py'), socket], { stdio: ['ignore', 'ignore', 'inherit'] });
  server.unref();
  process.env.CFN_LINT_SOCKET = socket;
  process.env.CFN_LINT_SERVER_PID = String(server.pid);
  (globalThis as any).__cfnLintServer = { server, dir };
}
