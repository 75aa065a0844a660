import { JobRegistry } from './job-registry';

describe('JobRegistry', () => {
  const email = { queue: 'email', name: 'send' };
  const apply = { queue: 'requests', name: 'apply' };

  it('names every catalogued job that has no handler', () => {
    const registry = new JobRegistry([email, apply]);
    registry.register(email, async () => undefined);
    expect(() => registry.assertComplete()).toThrow('No handler registered for job(s): requests/apply');
  });

  it('refuses a handler for a job the catalogue does not know, and a second handler', () => {
    const registry = new JobRegistry([email]);
    expect(() => registry.register(apply, async () => undefined)).toThrow('not in the job catalogue');
    registry.register(email, async () => undefined);
    expect(() => registry.register(email, async () => undefined)).toThrow('already has a handler');
  });

  it('finds the handler by queue and name and lists each queue once', async () => {
    const registry = new JobRegistry([email, { queue: 'email', name: 'digest' }, apply]);
    registry.register(email, async () => 'sent');
    await expect(registry.handlerFor('email', 'send')({} as never)).resolves.toBe('sent');
    expect(() => registry.handlerFor('email', 'digest')).toThrow('No handler for job email/digest');
    expect(registry.queues()).toEqual(['email', 'requests']);
  });
});
