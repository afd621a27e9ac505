import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cfnLintPython } from '../scripts/cfn-lint';

/**
 * Starts scripts/cfn-lint-server.py for the run and exports its socket as CFN_LINT_SOCKET to the
 * workers, so each cfn-lint run of the suite skips cfn-lint's ~3 s import. Findings are those of
 * the `cfn-lint` command either way; when the server cannot start, the suite runs the command.
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
  const server = spawn(python, [path.join(__dirname, '..', 'scripts', 'cfn-lint-server.py'), socket], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr.on('data', (c) => (stderr += c));
  const ready = await new Promise<boolean>((resolve) => {
    server.stdout.on('data', (c) => String(c).includes('ready') && resolve(true));
    server.on('exit', () => resolve(false));
  });
  if (!ready) {
    console.warn(`cfn-lint server did not start (${stderr.trim()}): each cfn-lint run starts the command`);
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  }
  server.unref();
  (server.stdout as any).unref?.();
  (server.stderr as any).unref?.();
  process.env.CFN_LINT_SOCKET = socket;
  (globalThis as any).__cfnLintServer = { server, dir };
}
