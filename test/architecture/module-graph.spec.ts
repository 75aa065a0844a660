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

/** Every relative import of a module file that stays inside src/ and leaves the file's module. */
function crossModuleImports(): Array<{ file: string; from: string; target: string; to: string }> {
  return sourceFiles(SRC).flatMap((file) => {
    if (dirname(file) === SRC && ROOT_FILES.has(relative(SRC, file))) return [];
    const from = moduleOf(file);
    return [...readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)].flatMap((match) => {
      const target = resolve(dirname(file), match[1]);
      if (!target.startsWith(SRC + sep) || moduleOf(target) === from) return [];
      return [{ file, from, target, to: moduleOf(target) }];
    });
  });
}

/** Module → the modules its files import (relative imports that stay inside src/). */
function moduleGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>(sourceFiles(SRC).map((file) => [moduleOf(file), new Set<string>()]));
  for (const { from, to } of crossModuleImports()) graph.get(from)?.add(to);
  for (const root of ROOT_FILES) graph.delete(root.replace(/\.ts$/, ''));
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

  it("entities name other modules' entities by string in foreign keys instead of importing them", () => {
    const entityImports = crossModuleImports().filter(({ file, target }) => file.endsWith('.entity.ts') && target.endsWith('.entity'));
    expect(entityImports.map(({ file, target }) => `${relative(SRC, file)} -> ${relative(SRC, target)}`)).toEqual([]);
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
