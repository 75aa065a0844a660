import request from 'supertest';
import { RunningApp, startTestApp } from '../support/http-app';

describe('health and operations surface', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startTestApp();
  });

  afterAll(async () => {
    await running.close();
  });

  it('answers liveness and readiness with PostgreSQL and Redis up', async () => {
    await request(running.url).get('/health').expect(200, { status: 'ok' });
    const ready = await request(running.url).get('/health/ready').expect(200);
    expect(ready.body.info).toEqual({ postgres: { status: 'up' }, redis: { status: 'up' } });
  });

  it('echoes a request id, or makes one', async () => {
    const given = await request(running.url).get('/health').set('x-request-id', 'abc-123');
    expect(given.headers['x-request-id']).toBe('abc-123');
    const made = await request(running.url).get('/health');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers and a CSP with no inline script', async () => {
    const response = await request(running.url).get('/health');
    const csp = response.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('sends JSON API answers the headers that matter for JSON, and no ETag', async () => {
    const response = await request(running.url).get('/api/v1/meters').expect(401);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(response.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.etag).toBeUndefined();
    expect(response.headers['x-powered-by']).toBeUndefined();
    // Page-only headers stay on pages.
    expect(response.headers['x-frame-options']).toBeUndefined();
    const page = await request(running.url).get('/contact');
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('documents the JSON endpoints in OpenAPI', async () => {
    const doc = await request(running.url).get('/api/docs/openapi.json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/me']));
    // Health checks are for the load balancer, not part of the API contract.
    expect(Object.keys(doc.body.paths)).not.toContain('/health');
  });
});
