import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SRC = resolve(__dirname, '../../src');
/** The composition roots wire every module together; they are not modules. */
const ROOT_FILES = new Set(['app.module.ts', 'main.ts', 'worker.ts', 'bootstrap.ts']);

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The module a file of src/ belongs to: its top folder, or the file itself for a file at the top (src/jobs.ts). */
function moduleOf(path: string): string {
  return relative(SRC, path).split(sep)[0].replace(/\.ts$/, '');
}

/**
 * Module → the modules its files import (relative imports that stay inside src/). An
 * entity naming another module's entity for a foreign key is a link in the schema,
 * not a dependency of the module's code, so entity-to-entity imports are left out.
 */
function moduleGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    if (dirname(file) === SRC && ROOT_FILES.has(relative(SRC, file))) continue;
    const from = moduleOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const match of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(dirname(file), match[1]);
      if (!target.startsWith(SRC + sep)) continue;
      if (file.endsWith('.entity.ts') && target.endsWith('.entity')) continue;
      const to = moduleOf(target);
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const done = new Set<string>();
  const visit = (node: string, path: string[]): string[] | null => {
    if (path.includes(node)) return [...path.slice(path.indexOf(node)), node];
    if (done.has(node)) return null;
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next, [...path, node]);
      if (cycle) return cycle;
    }
    done.add(node);
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node, []);
    if (cycle) return cycle;
  }
  return null;
}

/**
 * DESIGN.md: modules never depend on each other in a circle, and approval knows
 * requests, not readings or addresses: each request kind's module imports
 * approval's contract (request-kind.ts), never the other way round.
 */
describe('module imports', () => {
  const graph = moduleGraph();

  it('found the modules', () => {
    expect([...graph.keys()]).toEqual(expect.arrayContaining(['approval', 'metering', 'identity', 'web']));
  });

  it('form no cycle', () => {
    expect(findCycle(graph)).toBeNull();
  });

  it("approval imports no request kind's module", () => {
    const kindModules = [...graph.keys()].filter(
      (module) =>
        statSync(join(SRC, module), { throwIfNoEntry: false })?.isDirectory() &&
        sourceFiles(join(SRC, module)).some((file) => /from '\.\.\/approval\/request-kind'/.test(readFileSync(file, 'utf8'))),
    );
    expect(kindModules).toContain('metering');
    expect([...(graph.get('approval') ?? [])].filter((module) => kindModules.includes(module))).toEqual([]);
  });
});
