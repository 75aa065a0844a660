import request from 'supertest';
import { DataSource } from 'typeorm';
import { outboxJobId } from '../../libs/outbox/outbox';
import { ReviewService } from '../../src/approval/review.service';
import { QueuesService } from '../../src/core/queues.service';
import { JOBS } from '../../src/jobs';
import { ReadingService } from '../../src/metering/reading.service';
import { createCustomer, createMeter, createServicePoint, createWindow } from '../metering/fixtures';
import { createClerkTestCompany, createTestClerk } from '../support/clerk-factories';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { csrfFieldIn } from '../support/customer-session';

describe("the supervisors' view of work waiting too long (no worker: nothing is applied)", () => {
  let running: RunningApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    running = await startTestApp();
    dataSource = await openTestDataSource();
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  it('lists an approved request left unapplied and its apply job, and sends the job again from the page', async () => {
    const company = await createClerkTestCompany(dataSource);
    const customerId = await createCustomer(dataSource, company.id);
    const meterId = await createMeter(dataSource, company.id, await createServicePoint(dataSource, company.id, customerId));
    await createWindow(dataSource, company.id, null, -3, 3);
    const submitted = await running.app.get(ReadingService).submit(company.id, customerId, { meterId, value: '7' });
    if (!submitted.ok) throw new Error(submitted.error.message);
    const { requestId } = submitted.value;
    const supervisor = await createTestClerk(dataSource, company, 'supervisor');
    const [approved] = await running.app
      .get(ReviewService)
      .bulkApprove(company.id, { id: supervisor.id, role: 'supervisor' }, [{ requestId, expectedVersion: 1 }]);
    expect(approved.ok).toBe(true);
    // An hour ago, as if Redis had lost the job then.
    await dataSource.query(`UPDATE requests SET updated_at = now() - interval '1 hour' WHERE id = $1`, [requestId]);
    await dataSource.query(
      `UPDATE outbox SET created_at = now() - interval '1 hour', relayed_at = now() - interval '1 hour'
        WHERE company_id = $1 AND job_name = 'apply'`,
      [company.id],
    );
    const [{ id: applyRowId }] = await dataSource.query(`SELECT id::int FROM outbox WHERE company_id = $1 AND job_name = 'apply'`, [
      company.id,
    ]);

    const login = await request(running.url)
      .post('/api/v1/backoffice/auth/login')
      .send({ company: company.code, email: supervisor.email, password: supervisor.password })
      .expect(200);
    const token = login.body.token as string;
    const api = await request(running.url).get('/api/v1/backoffice/stalled').auth(token, { type: 'bearer' }).expect(200);
    expect(api.body.requests).toEqual([expect.objectContaining({ id: requestId, kind: 'meter_reading', outboxIds: [applyRowId] })]);
    expect(api.body.outbox.map((row: { id: number }) => row.id)).toContain(applyRowId);
    // Nothing waits longer than a day.
    const recent = await request(running.url)
      .get('/api/v1/backoffice/stalled?olderThanMinutes=1440')
      .auth(token, { type: 'bearer' })
      .expect(200);
    expect(recent.body).toMatchObject({ olderThanMinutes: 1440, requests: [], outbox: [] });

    const agent = request.agent(running.url);
    const form = await agent.get('/backoffice/login').set('Accept', 'text/html');
    await agent
      .post('/backoffice/login')
      .type('form')
      .send({ _csrf: csrfFieldIn(form.text), company: company.code, email: supervisor.email, password: supervisor.password })
      .expect(303);
    const page = await agent.get('/backoffice/stalled').set('Accept', 'text/html').expect(200);
    expect(page.text).toContain(`data-request-id="${requestId}"`);
    expect(page.text).toContain(`data-outbox-id="${applyRowId}"`);
    const queue = running.app.get(QueuesService).queue(JOBS.applyRequest.queue);
    expect(await queue.getJobState(outboxJobId(applyRowId))).toBe('unknown');
    const sent = await agent
      .post(`/backoffice/stalled/outbox/${applyRowId}/resend`)
      .type('form')
      .send({ _csrf: csrfFieldIn(page.text) })
      .expect(303);
    expect(sent.headers.location).toBe(`/backoffice/stalled?resent=${applyRowId}`);
    expect(await queue.getJobState(outboxJobId(applyRowId))).toBe('waiting');
    const after = await agent.get(sent.headers.location).set('Accept', 'text/html').expect(200);
    expect(after.text).toContain(`A(z) #${applyRowId} feladat újraküldve.`);
    await request(running.url).post(`/api/v1/backoffice/stalled/outbox/99999999/resend`).auth(token, { type: 'bearer' }).expect(404);
  });
});
