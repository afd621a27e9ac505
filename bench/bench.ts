/**
 * `npm run bench`: every performance figure of the library beside its alternatives, in one run on
 * this machine, written to bench/results/latest.json and bench/results/latest.md.
 *
 *   1. against hand-wiring (and @cdklabs/cdk-ecs-codedeploy): synth wall time and peak memory
 *      and CPU time (median of RUNS fresh processes under /usr/bin/time -v, interleaved), resources, template bytes, lines
 *      of user code;
 *   2. scale: N patterns in one stack;
 *   3. deploy waiting: the trigger against the local fake, adaptive poll vs a fixed 15 s poll;
 *   4. hooks: bundle sizes and cold module-load time (median of 20 fresh processes);
 *   5. our own speed: `npx projen test` (jest, and eslint if a source changed since the last lint) and `npx projen build` (skip with --no-self).
 *
 * `--render` only rewrites latest.md from latest.json.
 *
 * Needs `npx projen compile` and `npx projen bundle` first (the bench task runs them).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? '9');
const LOAD_RUNS = 20;
const SCALE = 60;
const args = process.argv.slice(2);
const self = !args.includes('--no-self');

interface SynthRun { wallS: number; cpuS: number; maxRssMb: number; resources: number; templateBytes: number; synthMs: number; loadMs: number }

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** One synthesis in a fresh process under /usr/bin/time -v. */
function synthOnce(app: string, copies: number): SynthRun {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const res = spawnSync('/usr/bin/time', ['-v', 'node', '-r', 'ts-node/register/transpile-only', path.join(__dirname, 'run-app.ts'), app, String(copies), outdir], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'test', 'tsconfig.json'), JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
  });
  fs.rmSync(outdir, { recursive: true, force: true });
  const line = res.stdout.split('\n').find((l) => l.startsWith('{'));
  if (res.status !== 0 || !line) {
    throw new Error(`${app} x${copies} failed:\n${res.stdout}\n${res.stderr}`);
  }
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(res.stderr)!;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(res.stderr)!;
  const user = /User time \(seconds\): ([\d.]+)/.exec(res.stderr)!;
  const system = /System time \(seconds\): ([\d.]+)/.exec(res.stderr)!;
  const parsed = JSON.parse(line);
  return {
    wallS: Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]),
    cpuS: Number(user[1]) + Number(system[1]),
    maxRssMb: Number(rss[1]) / 1024,
    resources: parsed.resources,
    templateBytes: parsed.templateBytes,
    synthMs: parsed.synthMs,
    loadMs: parsed.loadMs,
  };
}

function synth(app: string, copies: number, runs: number) {
  return summarize(app, copies, Array.from({ length: runs }, () => synthOnce(app, copies)));
}

function summarize(app: string, copies: number, all: SynthRun[]) {
  const runs = all.length;
  return {
    app,
    copies,
    runs,
    wallS: round(median(all.map((r) => r.wallS))),
    cpuS: round(median(all.map((r) => r.cpuS))),
    maxRssMb: round(median(all.map((r) => r.maxRssMb)), 0),
    synthMs: round(median(all.map((r) => r.synthMs)), 0),
    loadMs: round(median(all.map((r) => r.loadMs)), 0),
    resources: all[0].resources,
    templateBytes: all[0].templateBytes,
  };
}

/** Non-blank, non-comment lines between the user-code markers of a bench app. */
function userLines(app: string): number {
  const text = fs.readFileSync(path.join(__dirname, 'apps', `${app}.ts`), 'utf8');
  const body = text.slice(text.indexOf('// --- user code begin'), text.indexOf('// --- user code end')).split('\n').slice(1);
  return body.filter((l) => l.trim() !== '' && !l.trim().startsWith('//')).length;
}

function section1() {
  const pairs: Array<[string, string, string]> = [
    ['Lambda', 'lambda-pattern', 'lambda-handwired'],
    ['ECS', 'ecs-pattern', 'ecs-handwired'],
    ['ECS', 'ecs-pattern', 'ecs-cdklabs'],
    // Both engines of EcsDeployment beside cdk-ecs-codedeploy (CodeDeploy).
    ['ECS, ECS engine', 'ecs-native-pattern', 'ecs-cdklabs'],
    ['ECS, ECS engine', 'ecs-native-pattern', 'ecs-pattern'],
    ['EC2', 'server-pattern', 'server-handwired'],
    // The same with every resource ServerDeployment creates, wired by hand: the library's code apart from its architecture.
    ['EC2', 'server-pattern', 'server-handwired-same'],
    // Nothing hand-wired can do EC2 blue/green (CloudFormation has no such group): the cost over in place.
    ['EC2 blue/green', 'server-blue-green-pattern', 'server-pattern'],
  ];
  // Interleaved (ours, theirs, ours, ...) so that a busy moment of the machine hits both sides alike.
  const apps = [...new Set(pairs.flatMap(([, ours, other]) => [ours, other]))];
  const runs = new Map<string, SynthRun[]>(apps.map((app) => [app, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const app of apps) runs.get(app)!.push(synthOnce(app, 1));
  }
  const get = (app: string) => summarize(app, 1, runs.get(app)!);
  return pairs.map(([platform, ours, other]) => {
    const a = get(ours);
    const b = get(other);
    return {
      platform,
      ours: { ...a, userLines: userLines(ours) },
      other: { ...b, userLines: userLines(other) },
      ratio: {
        wall: round(a.wallS / b.wallS),
        cpu: round(a.cpuS / b.cpuS),
        memory: round(a.maxRssMb / b.maxRssMb),
        resources: round(a.resources / b.resources),
        templateBytes: round(a.templateBytes / b.templateBytes),
        userLines: round(userLines(ours) / userLines(other)),
      },
    };
  });
}

function section2() {
  const series: Array<[string, number[]]> = [['lambda-pattern', [1, 10, 25, 50]], ['ecs-pattern', [1, 5, 10]]];
  return series.map(([app, ns]) => {
    const points: Array<ReturnType<typeof synth>> = [];
    const overLimit: Array<{ n: number; resources: number }> = [];
    for (const n of ns) {
      try {
        points.push(synth(app, n, 3));
      } catch (err) {
        // CDK refuses to synthesize a stack over CloudFormation's 500 resources: record where.
        const over = /Number of resources in stack 'Bench': (\d+) is greater than allowed maximum of 500/.exec(String(err));
        if (!over) throw err;
        overLimit.push({ n, resources: Number(over[1]) });
      }
    }
    const first = points[0];
    const last = points[points.length - 1];
    const perPattern = (last.resources - first.resources) / (last.copies - first.copies);
    const shared = first.resources - perPattern;
    return {
      app,
      points: points.map((p) => ({
        n: p.copies,
        wallS: p.wallS,
        maxRssMb: p.maxRssMb,
        synthMs: p.synthMs,
        resources: p.resources,
        resourcesPerPattern: round(p.resources / p.copies, 1),
      })),
      overLimit,
      marginalResourcesPerPattern: round(perPattern, 1),
      sharedResources: round(shared, 1),
      maxPatternsUnder500Resources: Math.floor((500 - shared) / perPattern),
    };
  });
}

function section3() {
  const run = (label: string, minMs: number, maxMs: number, events = false) => {
    const res = spawnSync('npx', ['ts-node', '--project', 'test/tsconfig.json', 'bench/deploy-wait.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        BENCH_SCALE: String(SCALE),
        TRIGGER_POLL_MIN_MS: String(Math.round(minMs / SCALE)),
        TRIGGER_POLL_MAX_MS: String(Math.round(maxMs / SCALE)),
        TRIGGER_EVENT_FALLBACK_MS: String(Math.round(60_000 / SCALE)),
        TRIGGER_MINUTE_MS: String(Math.round(60_000 / SCALE)),
        ...(events ? { BENCH_EVENTS: '1' } : {}),
      },
    });
    if (res.status !== 0) throw new Error(`deploy-wait (${label}) failed:\n${res.stderr}`);
    return res.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => ({ poll: label, ...JSON.parse(l) }));
  };
  const events = run('ours: state-change events, a read at least every 60 s', 1_000, 5_000, true);
  const ours = run('ours without events: 1 s backing off to 5 s', 1_000, 5_000);
  const fixed = run('fixed 15 s (cdk-ecs-codedeploy)', 15_000, 15_000);
  return ours.map((o, i) => ({
    scenario: o.scenario,
    events: { apiCalls: events[i].apiCalls, queueCalls: events[i].queueCalls, reportLatencySeconds: round(events[i].reportLatencySeconds, 1) },
    ours: { apiCalls: o.apiCalls, reportLatencySeconds: round(o.reportLatencySeconds, 1) },
    fixed15s: { apiCalls: fixed[i].apiCalls, reportLatencySeconds: round(fixed[i].reportLatencySeconds, 1) },
  }));
}

function section4() {
  const dir = path.join(root, 'assets');
  const bundles: string[] = [];
  const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name === 'index.js') bundles.push(p);
  });
  walk(dir);
  return bundles.sort().map((file) => {
    const times = Array.from({ length: LOAD_RUNS }, () => {
      const res = spawnSync('node', ['-e', `const t=process.hrtime.bigint();require(${JSON.stringify(file)});console.log(Number(process.hrtime.bigint()-t)/1e6)`], { encoding: 'utf8' });
      return Number(res.stdout.trim());
    });
    const gz = spawnSync('gzip', ['-9c', file]).stdout.length;
    return { handler: path.relative(dir, path.dirname(file)), bytes: fs.statSync(file).size, gzipBytes: gz, coldLoadMsMedian: round(median(times)) };
  });
}

function section5() {
  if (!self) return undefined;
  const time = (cmd: string[]) => {
    const started = Date.now();
    const res = spawnSync('npx', cmd, { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    if (res.status !== 0) throw new Error(`${cmd.join(' ')} failed:\n${res.stdout.slice(-3000)}\n${res.stderr.slice(-3000)}`);
    return round((Date.now() - started) / 1000, 0);
  };
  return { testCommandS: time(['projen', 'test']), buildS: time(['projen', 'build']), cores: os.cpus().length };
}

function markdown(r: any): string {
  const out: string[] = [`Measured ${r.date} on ${r.machine}; synth figures are medians of ${RUNS} fresh processes.`, ''];
  out.push('**1. Against hand-wiring** (ratio = ours / theirs)', '');
  out.push('| platform | vs | CPU s, user + system (ours / theirs, ratio) | wall s (ratio) | in-process load + synth ms | peak MB (ratio) | resources (ratio) | template bytes (ratio) | user lines (ratio) |');
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const p of r.handWiring) {
    const inProcess = `${p.ours.loadMs} + ${p.ours.synthMs} / ${p.other.loadMs} + ${p.other.synthMs}`;
    const cpu = p.ours.cpuS === undefined ? 'not measured' : `${p.ours.cpuS} / ${p.other.cpuS} (${p.ratio.cpu})`;
    out.push(`| ${p.platform} | ${p.other.app} | ${cpu} | ${p.ours.wallS} / ${p.other.wallS} (${p.ratio.wall}) | ${inProcess} | ${p.ours.maxRssMb} / ${p.other.maxRssMb} (${p.ratio.memory}) | ${p.ours.resources} / ${p.other.resources} (${p.ratio.resources}) | ${p.ours.templateBytes} / ${p.other.templateBytes} (${p.ratio.templateBytes}) | ${p.ours.userLines} / ${p.other.userLines} (${p.ratio.userLines}) |`);
  }
  if (r.handWiring.some((p: any) => p.ours.app === 'ecs-native-pattern')) {
    out.push('', 'The ECS engine rows set `EcsDeployment` with `engine: ECS` beside cdk-ecs-codedeploy and beside the same pattern on CodeDeploy (ecs-pattern).');
  }
  if (r.handWiring.some((p: any) => p.other.app === 'server-handwired-same')) {
    out.push('', 'EC2 has two hand-wired rows: server-handwired leaves out most of what `ServerDeployment` creates (it installs the agent by user data, deploys from the asset bucket, and starts the deployment without waiting for the instances or the result); server-handwired-same wires the same resources by hand (State Manager association, revision bucket, two alarms, a waiting custom resource with its own function, log group and event queue).');
  }
  if (r.handWiring.some((p: any) => p.other.app === 'server-pattern')) {
    out.push('', 'EC2 blue/green has no hand-wired equivalent (CloudFormation cannot declare the group); its row sets `ServerBlueGreenDeployment` beside our in-place `ServerDeployment`.');
  }
  out.push('', '**2. Scale** (one stack, N patterns)', '');
  out.push('| pattern | N | wall s | peak MB | synth ms | resources | per pattern |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const s of r.scale) {
    for (const p of s.points) out.push(`| ${s.app} | ${p.n} | ${p.wallS} | ${p.maxRssMb} | ${p.synthMs} | ${p.resources} | ${p.resourcesPerPattern} |`);
    for (const o of s.overLimit) out.push(`| ${s.app} | ${o.n} | over the limit | | | ${o.resources} (CDK refuses > 500) | ${round(o.resources / o.n, 1)} |`);
  }
  out.push('');
  for (const s of r.scale) {
    out.push(`- ${s.app}: ${s.marginalResourcesPerPattern} resources per extra pattern, ${s.sharedResources} shared per stack; at most ${s.maxPatternsUnder500Resources} patterns under CloudFormation's 500-resource limit.`);
  }
  out.push('', `**3. Deploy waiting** (trigger handler vs fake CodeDeploy, timelines compressed ${SCALE}x, figures in real time)`, '');
  out.push(
    '| scenario | CodeDeploy calls: events / polling 1-5 s / fixed 15 s | queue long polls (events) | seconds from terminal state to CloudFormation: events / polling / fixed 15 s |',
    '| --- | --- | --- | --- |',
  );
  for (const d of r.deployWaiting) {
    const ev = d.events ?? { apiCalls: '-', queueCalls: '-', reportLatencySeconds: '-' };
    out.push(`| ${d.scenario} | ${ev.apiCalls} / ${d.ours.apiCalls} / ${d.fixed15s.apiCalls} | ${ev.queueCalls} | ${ev.reportLatencySeconds} / ${d.ours.reportLatencySeconds} / ${d.fixed15s.reportLatencySeconds} |`);
  }
  out.push('', `**4. Handlers** (bundled, AWS SDK external; cold load = require() in a fresh Node ${process.version} process, median of ${LOAD_RUNS})`, '');
  out.push('| handler | bytes | gzip | cold load ms |', '| --- | --- | --- | --- |');
  for (const h of r.handlers) out.push(`| ${h.handler} | ${h.bytes} | ${h.gzipBytes} | ${h.coldLoadMsMedian} |`);
  if (r.self) {
    out.push('', `**5. Our own speed** (${r.self.cores} cores): \`npx projen test\` ${r.self.testCommandS} s, \`npx projen build\` ${r.self.buildS} s.`);
  }
  return out.join('\n');
}

function main() {
  if (args.includes('--render')) {
    // Rewrites latest.md from latest.json (after a change to the table layout only).
    const dir = path.join(__dirname, 'results');
    const md = markdown(JSON.parse(fs.readFileSync(path.join(dir, 'latest.json'), 'utf8')));
    fs.writeFileSync(path.join(dir, 'latest.md'), md + '\n');
    console.log(md);
    return;
  }
  const started = Date.now();
  const result: any = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${round(os.totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}`,
  };
  console.error('1/5 against hand-wiring');
  result.handWiring = section1();
  console.error('2/5 scale');
  result.scale = section2();
  console.error('3/5 deploy waiting');
  result.deployWaiting = section3();
  console.error('4/5 handlers');
  result.handlers = section4();
  console.error(self ? '5/5 our own speed' : '5/5 skipped (--no-self)');
  result.self = section5();
  result.benchSeconds = round((Date.now() - started) / 1000, 0);
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
  const md = markdown(result);
  fs.writeFileSync(path.join(dir, 'latest.md'), md + '\n');
  console.log(md);
}

main();
