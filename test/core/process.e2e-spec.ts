import { freePort, startPortal, waitForHealth, waitForOutput } from '../support/portal-process';

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
    // The workers may start a moment after the HTTP side answers.
    await waitForOutput(portal, 'workers started', 15_000);
    expect(portal.output()).toContain('workers started');
    portal.child.kill('SIGTERM');
    expect({ code: await portal.exited, output: portal.output() }).toEqual({ code: 0, output: expect.any(String) });
  }, 60_000);

  it('runs only workers from worker.ts, and stops on SIGTERM', async () => {
    const portal = startPortal('src/worker.ts', { PORT: String(await freePort()) });
    await waitForOutput(portal, 'Ügyfélportál started', 45_000);
    expect(portal.output()).toContain('"role":"worker"');
    portal.child.kill('SIGTERM');
    // The output in the comparison shows why, should the exit code differ.
    expect({ code: await portal.exited, output: portal.output() }).toEqual({ code: 0, output: expect.any(String) });
  }, 60_000);
});
