import * as fs from 'fs';
import * as path from 'path';

/**
 * The module graph of src/, type-only imports included (they are dependencies of the design even
 * when the compiler erases them): no two files import each other, directly or around a loop, and
 * no two folders do either. A folder is its own node (src/private and src/private/pattern are two),
 * so a platform folder may build on src/private/pattern, which builds on the lower folders, and
 * never the other way round.
 */
const SRC = path.join(__dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

function resolveImport(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate)) {
      return candidate;
    }
  }
  throw new Error(`${path.relative(SRC, from)} imports ${spec}, which is no file under src/`);
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s+'(\.[^']*)'/g)].map((m) => m[1]);
  return [...new Set(specs.map((s) => resolveImport(file, s)))];
}

/** Strongly connected components with more than one node, or a node importing itself (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.has(v)) {
        found.push(component.sort());
      }
    }
  };
  for (const v of graph.keys()) {
    if (!index.has(v)) {
      visit(v);
    }
  }
  return found;
}

const files = sourceFiles(SRC);
const fileGraph = new Map(files.map((f) => [path.relative(SRC, f), new Set(importsOf(f).map((t) => path.relative(SRC, t)))]));
const folderGraph = new Map<string, Set<string>>();
for (const [file, targets] of fileGraph) {
  const from = path.dirname(file);
  const edges = folderGraph.get(from) ?? new Set<string>();
  folderGraph.set(from, edges);
  for (const t of targets) {
    if (path.dirname(t) !== from) {
      edges.add(path.dirname(t));
    }
  }
}

test('the graph is read: every folder of src/ is a node and the patterns import the shared code', () => {
  expect(fileGraph.size).toBe(files.length);
  expect([...folderGraph.keys()].sort()).toEqual(expect.arrayContaining(['ecs', 'lambda', 'server', 'private', 'hooks', 'iam', 'trigger']));
  expect(fileGraph.get(path.join('lambda', 'lambda-deployment.ts'))!.size).toBeGreaterThan(3);
});

test('the cycle finder finds a loop through three nodes and a self-import', () => {
  const g = new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])], ['d', new Set(['d'])], ['e', new Set(['a'])]]);
  expect(cycles(g)).toEqual(expect.arrayContaining([['a', 'b', 'c'], ['d']]));
  expect(cycles(g)).toHaveLength(2);
});

test('no two files of src/ depend on each other, directly or in a loop', () => {
  expect(cycles(fileGraph)).toEqual([]);
});

test('no two folders of src/ depend on each other, directly or in a loop', () => {
  const described = cycles(folderGraph).map((c) => c.map((f) => `${f} -> ${[...folderGraph.get(f)!].filter((t) => c.includes(t)).join(', ')}`));
  expect(described).toEqual([]);
});

test('nothing in src/ imports the index of cdk-nag, which loads every rule pack (about 240 ms at every synth)', () => {
  const nagImportsOf = (file: string) => [...fs.readFileSync(file, 'utf8').matchAll(/from '(cdk-nag[^']*)'/g)].map((m) => m[1]);
  const all = sourceFiles(SRC).flatMap((file) => nagImportsOf(file).map((spec) => ({ file: path.relative(SRC, file), spec })));
  // The pack needs NagPack and the rules; both come from their own modules.
  expect(all.map((i) => i.spec).sort()).toEqual(['cdk-nag/lib/nag-pack', 'cdk-nag/lib/nag-rules', 'cdk-nag/lib/nag-rules']);
  expect(all.filter((i) => i.spec === 'cdk-nag')).toEqual([]);
});
