/**
 * Where a V8 CPU profile (node --cpu-prof, or BENCH_CPU_PROF_DIR in the benchmarks)
 * spent its time while busy: self and inclusive time by package (or project folder),
 * and the top functions. Idle time and start-up compilation (typescript, ts-node,
 * the module loader) are left out, so the figures are shares of the serving work.
 *
 *   npx ts-node --transpile-only bench/profile-top.ts FILE.cpuprofile [--top=40]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `node_modules/@nestjs/core/…` → `@nestjs/core`; `…/src/identity/…` → `src/identity`; built-ins by name. */
function owner(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1];
  if (url.startsWith('node:')) return url;
  const project = /\/((?:src|libs|bench|config)\/[^/]+)/.exec(url);
  return project ? project[1] : url;
}

/** Start-up and waiting, not serving. */
const NOT_SERVING = /^(\(idle\)|\(program\)|typescript|ts-node|node:internal\/modules\/)/;

function main(): void {
  const file = process.argv[2];
  const top = Number(/^--top=(\d+)$/.exec(process.argv[3] ?? '')?.[1] ?? 40);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const ownerOf = (node: ProfileNode) => owner(node.callFrame.url, node.callFrame.functionName);
  const selfTime = new Map<number, number>();
  profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  const byOwner = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, micros] of selfTime) {
    const node = byId.get(id) as ProfileNode;
    const owners = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) owners.add(ownerOf(byId.get(at) as ProfileNode));
    if ([...owners].some((who) => NOT_SERVING.test(who))) continue;
    total += micros;
    const who = ownerOf(node);
    byOwner.set(who, (byOwner.get(who) ?? 0) + micros);
    for (const each of owners) inclusive.set(each, (inclusive.get(each) ?? 0) + micros);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${who}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  }
  const print = (title: string, rows: Map<string, number>, limit: number) => {
    process.stdout.write(`${title}\n`);
    for (const [name, micros] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
      process.stdout.write(`${((100 * micros) / total).toFixed(1).padStart(6)} %  ${name}\n`);
    }
  };
  process.stdout.write(`${(total / 1e6).toFixed(1)} s busy serving\n`);
  print('self time by owner', byOwner, 25);
  print('inclusive time by owner (anywhere on the stack)', inclusive, 25);
  print('self time by function', byFunction, top);
}

main();
