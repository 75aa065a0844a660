import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

describe('the request log', () => {
  let child: ChildProcess | undefined;

  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('holds no one-time link token: the URL, the query and the referrer are redacted', async () => {
    const port = await freePort();
    let output = '';
    child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, ROLE: 'api', PORT: String(port), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 45_000;
    while (!output.includes('Ügyfélportál started') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));

    const verifyToken = 'VerifyTokenThatMustNotBeLogged0123456789abc';
    const resetToken = 'ResetTokenThatMustNotBeLogged0123456789abcd';
    await fetch(`${url}/register/verify?token=${verifyToken}`, { headers: { Accept: 'text/html' } });
    await fetch(`${url}/password/reset?lang=en&token=${resetToken}`, {
      headers: { Accept: 'text/html', Referer: `${url}/register/verify?token=${verifyToken}` },
    });
    const logged = Date.now() + 10_000;
    while (!output.includes('/password/reset?lang=en&token=[Redacted]') && Date.now() < logged)
      await new Promise((r) => setTimeout(r, 100));

    expect(output).toContain('"url":"/register/verify?token=[Redacted]"');
    expect(output).toContain('"url":"/password/reset?lang=en&token=[Redacted]"');
    expect(output).not.toContain(verifyToken);
    expect(output).not.toContain(resetToken);
  }, 60_000);
});
