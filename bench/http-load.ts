/**
 * A load generator for the benchmarks, run in a worker thread of its own so the
 * client's work does not share the server's event loop (and is not counted as
 * the server's). It sends the given requests, `concurrency` at a time over
 * keep-alive connections, and reports each one's latency and status.
 */
import { parentPort, workerData } from 'node:worker_threads';

export interface LoadRequest {
  path: string;
  token: string;
  body: unknown;
}

export interface LoadPlan {
  baseUrl: string;
  concurrency: number;
  requests: LoadRequest[];
}

export interface LoadResult {
  seconds: number;
  latencies: number[];
  statuses: Record<number, number>;
}

async function run(plan: LoadPlan): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      while (next < plan.requests.length) {
        const request = plan.requests[next++];
        const t0 = performance.now();
        const response = await fetch(`${plan.baseUrl}${request.path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${request.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(request.body),
        });
        await response.arrayBuffer();
        latencies.push(performance.now() - t0);
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies, statuses };
}

if (parentPort) {
  const port = parentPort;
  run(workerData as LoadPlan).then(
    (result) => port.postMessage(result),
    (error: unknown) => {
      throw error;
    },
  );
}
