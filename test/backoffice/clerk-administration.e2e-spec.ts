import request from 'supertest';
import { DataSource } from 'typeorm';
import { createClerkTestCompany, createTestClerk, TestClerk, TestCompany } from '../support/clerk-factories';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { ClerkService } from '../../src/identity/clerk.service';
import { SessionService } from '../../src/identity/session.service';
import { currentTotpCode, generateTotpSecret } from '../../src/identity/totp';

const WRONG_LOGIN = 'Wrong company, e-mail, password or code';

/** Admin actions on clerks through the JSON API; the pages are in clerk-administration-pages.e2e-spec.ts. */
describe('admins administer clerks (JSON API)', () => {
  let dataSource: DataSource;
  let app: RunningApp;
  let sessions: SessionService;
  let a: TestCompany;
  let b: TestCompany;
  let adminA: TestClerk;
  let supervisorA: TestClerk;
  let clerkA: TestClerk;
  let adminB: TestClerk;

  /** A bearer token for `clerk` without a login (admins have a TOTP secret; a code is good only once). */
  function tokenFor(clerk: TestClerk): Promise<string> {
    return sessions.issueApiToken({ kind: 'clerk', companyId: clerk.companyId, clerkId: clerk.id, name: 'x', role: clerk.role });
  }

  function apiLogin(clerk: TestClerk, extra: Record<string, string> = {}) {
    return request(app.url)
      .post('/api/v1/backoffice/auth/login')
      .send({ company: clerk.companyCode, email: clerk.email, password: clerk.password, ...extra });
  }

  async function loginToken(clerk: TestClerk, extra: Record<string, string> = {}): Promise<string> {
    return (await apiLogin(clerk, extra).expect(200)).body.token as string;
  }

  async function eventsOf(clerk: TestClerk): Promise<Array<{ event: string; detail: string | null }>> {
    return dataSource.query(
      `SELECT event, detail FROM security_events WHERE company_id = $1 AND actor_kind = 'clerk' AND actor_id = $2 ORDER BY id`,
      [clerk.companyId, clerk.id],
    );
  }

  async function clerkRow(
    clerk: TestClerk,
  ): Promise<{ role: string; active: boolean; totp_secret: string | null; totp_required: boolean }> {
    const [row] = await dataSource.query(`SELECT role, active, totp_secret, totp_required FROM clerks WHERE id = $1`, [clerk.id]);
    return row;
  }

  const post = (path: string, token: string) => request(app.url).post(path).auth(token, { type: 'bearer' });
  const postRole = (id: number, token: string, role: string) =>
    request(app.url).post(`/api/v1/backoffice/clerks/${id}/role`).auth(token, { type: 'bearer' }).send({ role });

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    app = await startTestApp();
    sessions = app.app.get(SessionService);
    a = await createClerkTestCompany(dataSource);
    b = await createClerkTestCompany(dataSource);
    adminA = await createTestClerk(dataSource, a, 'admin', { totpSecret: generateTotpSecret() });
    supervisorA = await createTestClerk(dataSource, a, 'supervisor');
    clerkA = await createTestClerk(dataSource, a, 'clerk');
    adminB = await createTestClerk(dataSource, b, 'admin', { totpSecret: generateTotpSecret() });
  });

  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
  });

  it("resets a clerk's second factor: the sessions end, the next login must enrol a new one, and it is recorded", async () => {
    const admin = await tokenFor(adminA);
    const secret = generateTotpSecret();
    const target = await createTestClerk(dataSource, a, 'supervisor', { totpSecret: secret });
    const before = await loginToken(target, { totpCode: currentTotpCode(secret) });
    await request(app.url).get('/api/v1/backoffice/security-events').auth(before, { type: 'bearer' }).expect(200);

    const reset = await post(`/api/v1/backoffice/clerks/${target.id}/totp-reset`, admin).expect(200);
    expect(reset.body).toMatchObject({ id: target.id, totpEnrolled: false, totpRequired: true, active: true, role: 'supervisor' });
    await request(app.url).get('/api/v1/backoffice/me').auth(before, { type: 'bearer' }).expect(401);
    expect(await clerkRow(target)).toMatchObject({ totp_secret: null, totp_required: true });

    // The password alone logs in, but only as far as enrolment.
    const login = await apiLogin(target).expect(200);
    expect(login.body.mustEnrolTotp).toBe(true);
    const token = login.body.token as string;
    const blocked = await request(app.url).get('/api/v1/backoffice/security-events').auth(token, { type: 'bearer' }).expect(403);
    expect(blocked.body.message).toContain('TOTP enrolment required');
    const started = await post('/api/v1/backoffice/totp/enrolment', token).expect(200);
    const confirmed = await post('/api/v1/backoffice/totp/enrolment/confirm', token)
      .send({ code: currentTotpCode(started.body.secret) })
      .expect(200);
    await request(app.url).get('/api/v1/backoffice/security-events').auth(confirmed.body.token, { type: 'bearer' }).expect(200);
    // From now on the new second factor is asked at login.
    expect((await apiLogin(target).expect(401)).body.totpRequired).toBe(true);

    const events = await eventsOf(target);
    expect(events.map((event) => event.event)).toEqual(['login_succeeded', 'totp_reset', 'login_succeeded', 'totp_enrolled']);
    expect(events[1].detail).toBe(`by clerk ${adminA.id}`);

    // Nothing to reset on a clerk without a second factor.
    const none = await post(`/api/v1/backoffice/clerks/${clerkA.id}/totp-reset`, admin).expect(409);
    expect(none.body.message).toBe('This clerk has no second factor to reset');
  });

  it('deactivates a clerk: the existing token stops at once, the login answers as for a wrong password; reactivation lets them in', async () => {
    const admin = await tokenFor(adminA);
    const target = await createTestClerk(dataSource, a, 'clerk');
    const before = await loginToken(target);
    const other = await loginToken(target);

    const done = await post(`/api/v1/backoffice/clerks/${target.id}/deactivate`, admin).expect(200);
    expect(done.body).toMatchObject({ id: target.id, active: false });
    for (const token of [before, other]) {
      await request(app.url).get('/api/v1/backoffice/me').auth(token, { type: 'bearer' }).expect(401);
    }
    const refused = await apiLogin(target).expect(401);
    const wrong = await apiLogin(target, { password: 'Nem-ez-a-jelszo-1' }).expect(401);
    expect(refused.body.message).toBe(WRONG_LOGIN);
    expect(refused.body).toEqual(wrong.body);

    // Deactivating again changes nothing and records nothing.
    await post(`/api/v1/backoffice/clerks/${target.id}/deactivate`, admin).expect(200);

    const back = await post(`/api/v1/backoffice/clerks/${target.id}/reactivate`, admin).expect(200);
    expect(back.body).toMatchObject({ id: target.id, active: true });
    await request(app.url)
      .get('/api/v1/backoffice/me')
      .auth(await loginToken(target), { type: 'bearer' })
      .expect(200);

    const events = await eventsOf(target);
    expect(events.map((event) => event.event)).toEqual([
      'login_succeeded',
      'login_succeeded',
      'clerk_deactivated',
      'login_failed',
      'login_failed',
      'clerk_reactivated',
      'login_succeeded',
    ]);
    expect(events[3].detail).toBe('inactive account');
    expect(events[2].detail).toBe(`by clerk ${adminA.id}`);
  });

  it('changes a role: the sessions end, the new role applies at once, and a new admin must enrol a second factor', async () => {
    const admin = await tokenFor(adminA);
    const target = await createTestClerk(dataSource, a, 'clerk');
    const before = await loginToken(target);
    await request(app.url).get('/api/v1/backoffice/security-events').auth(before, { type: 'bearer' }).expect(403);

    const promoted = await postRole(target.id, admin, 'supervisor').expect(200);
    expect(promoted.body).toMatchObject({ id: target.id, role: 'supervisor' });
    await request(app.url).get('/api/v1/backoffice/me').auth(before, { type: 'bearer' }).expect(401);
    const supervisor = await loginToken(target);
    await request(app.url).get('/api/v1/backoffice/security-events').auth(supervisor, { type: 'bearer' }).expect(200);

    // The same role again changes nothing (the session stays).
    await postRole(target.id, admin, 'supervisor').expect(200);
    await request(app.url).get('/api/v1/backoffice/me').auth(supervisor, { type: 'bearer' }).expect(200);

    await postRole(target.id, admin, 'admin').expect(200);
    const login = await apiLogin(target).expect(200);
    expect(login.body.mustEnrolTotp).toBe(true);
    await request(app.url).get('/api/v1/backoffice/clerks').auth(login.body.token, { type: 'bearer' }).expect(403);

    const bad = await postRole(target.id, admin, 'boss').expect(400);
    expect(JSON.stringify(bad.body.message)).toContain('role must be one of clerk, supervisor, admin');
    await request(app.url).post(`/api/v1/backoffice/clerks/${target.id}/role`).auth(admin, { type: 'bearer' }).send({}).expect(400);

    const changes = (await eventsOf(target)).filter((event) => event.event === 'clerk_role_changed');
    expect(changes.map((event) => event.detail)).toEqual([
      `by clerk ${adminA.id}: clerk -> supervisor`,
      `by clerk ${adminA.id}: supervisor -> admin`,
    ]);
  });

  it("answers 404 for another company's clerk and changes nothing", async () => {
    const adminOfB = await tokenFor(adminB);
    const secret = generateTotpSecret();
    const target = await createTestClerk(dataSource, a, 'supervisor', { totpSecret: secret });
    const before = await clerkRow(target);
    const calls = [
      () => post(`/api/v1/backoffice/clerks/${target.id}/totp-reset`, adminOfB),
      () => post(`/api/v1/backoffice/clerks/${target.id}/deactivate`, adminOfB),
      () => post(`/api/v1/backoffice/clerks/${target.id}/reactivate`, adminOfB),
      () => postRole(target.id, adminOfB, 'clerk'),
      () => post(`/api/v1/backoffice/clerks/99999999999/deactivate`, adminOfB),
    ];
    for (const call of calls) {
      const response = await call().expect(404);
      expect(response.body.message).toBe('No clerk with this id in your company');
    }
    await post('/api/v1/backoffice/clerks/abc/deactivate', adminOfB).expect(400);
    const unknown = await post(`/api/v1/backoffice/clerks/${target.id}/promote`, adminOfB).expect(404);
    expect(unknown.body.message).toContain('No clerk action "promote"');
    expect(await clerkRow(target)).toEqual(before);
    expect(before).toMatchObject({ role: 'supervisor', active: true, totp_required: false });
    expect(await eventsOf(target)).toEqual([]);
  });

  it('refuses supervisors, clerks and anonymous callers', async () => {
    const target = await createTestClerk(dataSource, a, 'clerk');
    for (const who of [supervisorA, clerkA]) {
      const token = await tokenFor(who);
      for (const path of ['totp-reset', 'deactivate', 'reactivate']) {
        const response = await post(`/api/v1/backoffice/clerks/${target.id}/${path}`, token).expect(403);
        expect(response.body.message).toBe('This needs the admin role');
      }
      await postRole(target.id, token, 'admin').expect(403);
    }
    await request(app.url).post(`/api/v1/backoffice/clerks/${target.id}/deactivate`).expect(401);
    await request(app.url).post(`/api/v1/backoffice/clerks/${target.id}/role`).send({ role: 'admin' }).expect(401);
    expect(await clerkRow(target)).toMatchObject({ role: 'clerk', active: true });
  });

  it('keeps the guard rails: no self-deactivation, self-demotion or self-reset, and never without an active admin', async () => {
    const c = await createClerkTestCompany(dataSource);
    const first = await createTestClerk(dataSource, c, 'admin', { totpSecret: generateTotpSecret() });
    const firstToken = await tokenFor(first);

    // Alone, the admin is the last active one.
    const lastOff = await post(`/api/v1/backoffice/clerks/${first.id}/deactivate`, firstToken).expect(409);
    expect(lastOff.body.message).toBe("This clerk is the company's last active admin: make another clerk admin first");
    const lastDown = await postRole(first.id, firstToken, 'supervisor').expect(409);
    expect(lastDown.body.message).toBe(lastOff.body.message);
    const ownReset = await post(`/api/v1/backoffice/clerks/${first.id}/totp-reset`, firstToken).expect(409);
    expect(ownReset.body.message).toBe('You cannot reset your own second factor: ask another admin');
    // Keeping the own role is no change.
    await postRole(first.id, firstToken, 'admin').expect(200);

    // With a second admin, acting on oneself is still refused, with its own reason.
    const second = await createTestClerk(dataSource, c, 'admin', { totpSecret: generateTotpSecret() });
    const secondToken = await tokenFor(second);
    const selfOff = await post(`/api/v1/backoffice/clerks/${first.id}/deactivate`, firstToken).expect(409);
    expect(selfOff.body.message).toBe('You cannot deactivate your own account: ask another admin');
    const selfDown = await postRole(first.id, firstToken, 'clerk').expect(409);
    expect(selfDown.body.message).toBe('You cannot change your own role: ask another admin');

    // Another admin may demote the first; then the second is the last one.
    await postRole(first.id, secondToken, 'supervisor').expect(200);
    await request(app.url).get('/api/v1/backoffice/me').auth(firstToken, { type: 'bearer' }).expect(401);
    const secondLast = await post(`/api/v1/backoffice/clerks/${second.id}/deactivate`, secondToken).expect(409);
    expect(secondLast.body.message).toContain('last active admin');
    expect(await clerkRow(second)).toMatchObject({ role: 'admin', active: true });
    expect((await eventsOf(first)).map((event) => event.event)).toEqual(['clerk_role_changed']);
    expect(await eventsOf(second)).toEqual([]);
  });

  it('leaves an active admin when two admins deactivate or demote each other at once', async () => {
    const clerks = app.app.get(ClerkService);
    for (const action of ['deactivate', 'demote'] as const) {
      const c = await createClerkTestCompany(dataSource);
      const one = await createTestClerk(dataSource, c, 'admin', { totpSecret: generateTotpSecret() });
      const two = await createTestClerk(dataSource, c, 'admin', { totpSecret: generateTotpSecret() });
      const act = (actor: TestClerk, target: TestClerk) =>
        action === 'deactivate'
          ? clerks.deactivate({ companyId: c.id, clerkId: actor.id, role: 'admin' }, target.id, null)
          : clerks.changeRole({ companyId: c.id, clerkId: actor.id, role: 'admin' }, target.id, 'clerk', null);
      const results = await Promise.all([act(one, two), act(two, one)]);
      expect(results.map((result) => result.kind).sort()).toEqual(['changed', 'forbidden']);
      const [left] = await dataSource.query(`SELECT count(*)::int AS n FROM clerks WHERE company_id = $1 AND role = 'admin' AND active`, [
        c.id,
      ]);
      expect({ action, admins: left.n }).toEqual({ action, admins: 1 });
    }
  });
});
