import * as fs from 'fs';

/** Stops the cfn-lint server test/global-setup.ts started. */
export default async function globalTeardown(): Promise<void> {
  const started = (globalThis as any).__cfnLintServer;
  if (started) {
    started.server.kill();
    fs.rmSync(started.dir, { recursive: true, force: true });
    delete process.env.CFN_LINT_SOCKET;
    delete process.env.CFN_LINT_SERVER_PID;
  }
}
