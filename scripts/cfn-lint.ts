import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';

/**
 * The cfn-lint executable: `$CFN_LINT`, else `cfn-lint` on the PATH, else the pyenv shim the
 * machine image installs it as (a non-login shell may not have pyenv on its PATH).
 */
export function cfnLintBinary(): string {
  if (process.env.CFN_LINT) {
    return process.env.CFN_LINT;
  }
  const candidates = ['cfn-lint', path.join(process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv'), 'shims', 'cfn-lint')];
  for (const candidate of candidates) {
    if (!spawnSync(candidate, ['--version'], { encoding: 'utf8' }).error) {
      return candidate;
    }
  }
  throw new Error('cfn-lint was not found: it is preinstalled on these machines; put it on the PATH or set CFN_LINT to its path.');
}
