import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The README's TypeScript snippets are compiled by jsii-rosetta (`npx projen rosetta:extract`, part
 * of the build), which also translates them to Python, Java, C# and Go. A few snippets are
 * TypeScript-only by nature (a Lambda handler, a jest test of it: arrow functions, Node globals,
 * imports from the package's sub-paths) and cannot be translated, so the README fences them as
 * `mts`; this test type-checks those, strictly, as the files they say they are.
 */
const ROOT = path.join(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function moduleSnippets(): Array<{ file: string; source: string }> {
  return [...README.matchAll(/^```mts\n([\s\S]*?)^```$/gm)].map((m) => {
    const source = m[1];
    const name = /^\/\/ ([\w.-]+\.ts)\b/.exec(source);
    if (!name) {
      throw new Error(`An mts snippet of the README does not start with "// <file>.ts": ${source.split('\n')[0]}`);
    }
    return { file: name[1], source };
  });
}

function typeCheck(files: Array<{ file: string; source: string }>): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-snippets-'));
  try {
    for (const f of files) {
      fs.writeFileSync(path.join(dir, f.file), f.source);
    }
    const program = ts.createProgram(files.map((f) => path.join(dir, f.file)), {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      esModuleInterop: true,
      skipLibCheck: true,
      types: ['node', 'jest'],
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      // What `import ... from 'cdk-codedeploy-patterns/lib/...'` resolves to in an installed package.
      paths: { 'cdk-codedeploy-patterns/lib/*': [path.join(ROOT, 'src', '*')] },
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('the TypeScript-only snippets (hook handler and its test) are found', () => {
  expect(moduleSnippets().map((s) => s.file)).toEqual(['hook.ts', 'hook.test.ts']);
});

test('the TypeScript-only snippets type-check together, strictly', () => {
  expect(typeCheck(moduleSnippets())).toEqual([]);
});

test('the check reports a snippet that does not compile', () => {
  const source = [
    "import { hookHandler } from 'cdk-codedeploy-patterns/lib/hooks/runtime/hook-handler';",
    'export const h = hookHandler(undeclaredName);',
  ].join('\n');
  const broken = [{ file: 'broken.ts', source }];
  expect(typeCheck(broken).join('\n')).toMatch(/Cannot find name 'undeclaredName'/);
});
