import { freePort, startPortal } from '../support/portal-process';

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not become ready in ${timeoutMs} ms`);
}

describe('the portal process', () => {
  it('stops with one line naming a malformed setting', async () => {
    const portal = startPortal('src/main.ts', { DATABASE_URL: 'mysql://localhost/portal' });
    expect(await portal.exited).toBe(1);
    const lines = portal.output().trim().split('\n');
    expect(lines).toEqual([expect.stringContaining('Invalid configuration: DATABASE_URL must start with postgres://')]);
  }, 60_000);

  it('serves HTTP and runs workers with ROLE=all, and shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    const portal = startPortal('src/main.ts', { ROLE: 'all', PORT: String(port) });
    await waitForHealth(`http://127.0.0.1:${port}`, 45_000);
    expect(portal.output()).toContain('workers started');
    portal.child.kill('SIGTERM');
    expect({ code: await portal.exited, output: portal.output() }).toEqual({ code: 0, output: expect.any(String) });
  }, 60_000);

  it('runs only workers from worker.ts, and stops on SIGTERM', async () => {
    const portal = startPortal('src/worker.ts', { PORT: String(await freePort()) });
    const deadline = Date.now() + 45_000;
    while (!portal.output().includes('Ügyfélportál started') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(portal.output()).toContain('"role":"worker"');
    portal.child.kill('SIGTERM');
    // The output in the comparison shows why, should the exit code differ.
    expect({ code: await portal.exited, output: portal.output() }).toEqual({ code: 0, output: expect.any(String) });
  }, 60_000);
});
