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
  method: 'GET' | 'POST';
  path: string;
  /** Authorization, Cookie, Accept …; a POST's JSON body adds its own content headers. */
  headers: Record<string, string>;
  /** POST only: sent as JSON. */
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

function sendOne(agent: http.Agent, url: URL, request: LoadRequest): Promise<number> {
  const body = request.method === 'POST' ? JSON.stringify(request.body) : undefined;
  const headers =
    body === undefined
      ? request.headers
      : { ...request.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method: request.method, agent, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
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
        const status = await sendOne(agent, new URL(request.path, plan.baseUrl), request);
        done(performance.now() - t0, status);
      }
    }),
  );
}

async function run(plan: LoadPlan, measuring: () => void): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: plan.concurrency });
  await send(agent, plan, plan.warmUp, () => undefined);
  measuring();
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
  run(workerData as LoadPlan, () => port.postMessage('measuring')).then(
    (result) => port.postMessage(result),
    (error: unknown) => {
      throw error;
    },
  );
}
