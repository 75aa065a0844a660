import { Agent, request } from 'node:http';
import { freePort, startPortal, waitForHealth } from '../support/portal-process';

interface Answer {
  status: number;
  connection: string | undefined;
}

function get(agent: Agent, port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A well-behaved kept-alive client: one connection, one request after another, until
 * the server says `Connection: close` (it is going away; a load balancer would send
 * elsewhere). Returns every answer, and the error that cut a request, if any.
 */
async function keepAliveClient(port: number, path: string, stopped: () => boolean): Promise<{ answers: Answer[]; error?: string }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const answers: Answer[] = [];
  try {
    while (!stopped()) {
      const answer = await get(agent, port, path);
      answers.push(answer);
      if (answer.connection === 'close') break;
    }
    return { answers };
  } catch (error) {
    return { answers, error: (error as Error).message };
  } finally {
    agent.destroy();
  }
}

describe('a graceful shutdown under kept-alive load', () => {
  it('answers readiness 503, closes every connection, cuts no request and exits 0', async () => {
    const port = await freePort();
    const portal = startPortal('src/main.ts', { ROLE: 'api', PORT: String(port), SHUTDOWN_GRACE_MS: '20000' });
    await waitForHealth(`http://127.0.0.1:${port}`, 45_000);

    let giveUp = false;
    const clients = [
      ...Array.from({ length: 20 }, () => keepAliveClient(port, '/health', () => giveUp)),
      keepAliveClient(port, '/health/ready', () => giveUp),
    ];
    // Load for a moment, then the signal while every connection is busy.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    portal.child.kill('SIGTERM');
    const safety = setTimeout(() => (giveUp = true), 15_000);
    const results = await Promise.all(clients);
    clearTimeout(safety);
    const code = await portal.exited;

    expect({ code, cut: results.flatMap((result) => (result.error ? [result.error] : [])) }).toEqual({ code: 0, cut: [] });
    // Every connection was told to close (none was left to be cut), and readiness said 503 once draining.
    expect(results.map((result) => result.answers.at(-1)?.connection)).toEqual(results.map(() => 'close'));
    const ready = results.at(-1)!.answers;
    expect(ready.at(-1)?.status).toBe(503);
    expect(ready.filter((answer) => answer.status === 200).length).toBeGreaterThan(0);
    const load = results.slice(0, -1).flatMap((result) => result.answers);
    expect(load.every((answer) => answer.status === 200)).toBe(true);
    expect(portal.output()).toContain('HTTP connections drained');
  }, 90_000);
});
