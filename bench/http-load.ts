/**
 * A load generator for the benchmarks, run in a worker thread of its own so the
 * client's work does not share the server's event loop (and is not counted as
 * the server's). It sends the given requests, `concurrency` at a time over
 * keep-alive connections, and reports each one's latency and status. It uses
 * node:http rather than fetch: on two cores the client's own CPU competes with
 * the server's, and fetch costs several times as much per request.
 */
import http from 'node:http';
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

function post(agent: http.Agent, url: URL, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function run(plan: LoadPlan): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: plan.concurrency });
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      while (next < plan.requests.length) {
        const request = plan.requests[next++];
        const t0 = performance.now();
        const status = await post(agent, new URL(request.path, plan.baseUrl), request.token, JSON.stringify(request.body));
        latencies.push(performance.now() - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  agent.destroy();
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
