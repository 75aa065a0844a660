/**
 * A load generator for the benchmarks, run in a worker thread of its own so the
 * client's work does not share the server's event loop (and is not counted as
 * the server's). It sends the given requests, `concurrency` at a time over
 * keep-alive connections (a GET, or a POST when the request has a body), and
 * reports each one's latency and status. It uses
 * node:http rather than fetch: on two cores the client's own CPU competes with
 * the server's, and fetch costs several times as much per request.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface LoadRequest {
  path: string;
  token: string;
  /** Sent as JSON with a POST; without one the request is a GET. */
  body?: unknown;
}

export interface LoadPlan {
  baseUrl: string;
  concurrency: number;
  /** Sent first, the same way but not measured: JIT, keep-alive sockets, the server's pool and prepared statements. */
  warmUp: LoadRequest[];
  requests: LoadRequest[];
}

export interface LoadResult {
  seconds: number;
  latencies: number[];
  statuses: Record<number, number>;
}

function call(agent: http.Agent, url: URL, token: string, body: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        agent,
        headers:
          body === undefined
            ? { authorization: `Bearer ${token}` }
            : { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
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

/** Sends `requests`, `concurrency` at a time, calling `done` with each one's latency and status. */
async function send(
  agent: http.Agent,
  plan: LoadPlan,
  requests: LoadRequest[],
  done: (milliseconds: number, status: number) => void,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      while (next < requests.length) {
        const request = requests[next++];
        const t0 = performance.now();
        const body = request.body === undefined ? undefined : JSON.stringify(request.body);
        const status = await call(agent, new URL(request.path, plan.baseUrl), request.token, body);
        done(performance.now() - t0, status);
      }
    }),
  );
}

async function run(plan: LoadPlan): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: plan.concurrency });
  await send(agent, plan, plan.warmUp, () => undefined);
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const started = performance.now();
  await send(agent, plan, plan.requests, (milliseconds, status) => {
    latencies.push(milliseconds);
    statuses[status] = (statuses[status] ?? 0) + 1;
  });
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { seconds, latencies, statuses };
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
