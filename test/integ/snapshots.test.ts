import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The integration apps (`test/integ/*.integ.ts`) synthesize exactly their committed snapshots:
 * the check `npx projen integ:<name>:assert` makes (`cdk synth` into a scratch directory, then
 * `diff -r` against `<name>.integ.snapshot/` without `asset.*`, `cdk.out`, `manifest.json` and
 * `tree.json`), run in-process so the test command does not start the cdk CLI and ts-node three
 * times. The context is what the CLI passes for the flags the projen tasks use (`--no-asset-metadata`,
 * `--no-path-metadata`, `--no-version-reporting`), and `CDK_ERROR_FILE` is set as the CLI sets it.
 * `npx projen integ:<name>:snapshot` (the real CLI) refreshes a snapshot; the diff is reviewed.
 */
const INTEG_DIR = __dirname;
const EXCLUDED = [/^asset\./, /^cdk\.out$/, /^manifest\.json$/, /^tree\.json$/];
const CLI_CONTEXT = {
  'aws:cdk:enable-asset-metadata': false,
  'aws:cdk:enable-path-metadata': false,
  'aws:cdk:version-reporting': false,
  'aws:cdk:bundling-stacks': ['**'],
};

function compared(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => !EXCLUDED.some((x) => x.test(f))).sort();
}

function synthesize(app: string): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-'));
  const saved = { ...process.env };
  process.env.CDK_OUTDIR = out;
  process.env.CDK_CONTEXT_JSON = JSON.stringify(CLI_CONTEXT);
  process.env.CDK_ERROR_FILE = path.join(out, 'error.txt');
  try {
    jest.isolateModules(() => {
      jest.requireActual(path.join(INTEG_DIR, app));
    });
  } finally {
    process.env = saved;
  }
  return out;
}

const apps = fs.readdirSync(INTEG_DIR).filter((f) => f.endsWith('.integ.ts')).sort();

describe('integration snapshots', () => {
  test('every integration app has a committed snapshot', () => {
    expect(apps.length).toBeGreaterThanOrEqual(3);
    for (const app of apps) {
      expect(fs.existsSync(path.join(INTEG_DIR, app.replace(/\.ts$/, '.snapshot')))).toBe(true);
    }
  });

  test.each(apps)('%s synthesizes exactly its committed snapshot', (app) => {
    const snapshot = path.join(INTEG_DIR, app.replace(/\.ts$/, '.snapshot'));
    const out = synthesize(app);
    try {
      const files = compared(snapshot);
      expect(files.some((f) => f.endsWith('.template.json'))).toBe(true);
      expect(compared(out)).toEqual(files);
      for (const file of files) {
        // One file at a time, so a failure names the file and shows its diff.
        expect({ file, content: fs.readFileSync(path.join(out, file), 'utf8') }).toEqual({
          file,
          content: fs.readFileSync(path.join(snapshot, file), 'utf8'),
        });
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
