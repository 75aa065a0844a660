import { keepAliveClient } from '../support/keep-alive-client';
import { freePort, startPortal, waitForHealth } from '../support/portal-process';

describe('a graceful shutdown under kept-alive load', () => {
  it('answers readiness 503, closes every connection, cuts no request and exits 0', async () => {
    const port = await freePort();
    const portal = startPortal('src/main.ts', { ROLE: 'api', PORT: String(port), SHUTDOWN_GRACE_MS: '20000' });
    await waitForHealth(`http://127.0.0.1:${port}`, 45_000);

    let giveUp = false;
    const answered = new Set<number>();
    const client = (index: number, path: string) => keepAliveClient(port, path, () => giveUp, { onAnswer: () => answered.add(index) });
    const clients = [...Array.from({ length: 20 }, (_, index) => client(index, '/health')), client(20, '/health/ready')];
    // The signal once every connection has been answered and is busy again.
    while (answered.size < clients.length) await new Promise((resolve) => setTimeout(resolve, 50));
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
