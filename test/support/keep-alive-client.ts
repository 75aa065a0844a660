import { Agent, request } from 'node:http';

export interface Answer {
  status: number;
  connection: string | undefined;
}

function get(agent: Agent, port: number, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A well-behaved kept-alive client: one connection, one GET after another, until the
 * server says `Connection: close` (it is going away; a load balancer would send
 * elsewhere) or `stopped()`. Returns every answer, and the error that cut a request, if any.
 */
export async function keepAliveClient(
  port: number,
  path: string,
  stopped: () => boolean,
  options: { headers?: Record<string, string>; onAnswer?: (answer: Answer) => void } = {},
): Promise<{ answers: Answer[]; error?: string }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const answers: Answer[] = [];
  try {
    while (!stopped()) {
      const answer = await get(agent, port, path, options.headers ?? {});
      answers.push(answer);
      options.onAnswer?.(answer);
      if (answer.connection === 'close') break;
    }
    return { answers };
  } catch (error) {
    return { answers, error: (error as Error).message };
  } finally {
    agent.destroy();
  }
}
