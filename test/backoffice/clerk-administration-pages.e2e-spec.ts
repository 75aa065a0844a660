import request from 'supertest';
import { DataSource } from 'typeorm';
import { createClerkTestCompany, createTestClerk, TestClerk, TestCompany } from '../support/clerk-factories';
import { openTestDataSource } from '../support/database';
import { logInClerkOnPages } from '../support/clerk-pages';
import { RunningApp, startTestApp } from '../support/http-app';
import { generateTotpSecret } from '../../src/identity/totp';
import { csrfFieldIn } from '../support/customer-session';

/** The admin actions on the clerks page: a row's form, a confirmation page, the change, the message. */
describe('admins administer clerks on the pages', () => {
  let dataSource: DataSource;
  let app: RunningApp;
  let a: TestCompany;
  let b: TestCompany;
  let supervisorA: TestClerk;
  let clerkA: TestClerk;
  let adminB: TestClerk;

  function apiLogin(clerk: TestClerk) {
    return request(app.url)
      .post('/api/v1/backoffice/auth/login')
      .send({ company: clerk.companyCode, email: clerk.email, password: clerk.password });
  }

  async function loginToken(clerk: TestClerk): Promise<string> {
    return (await apiLogin(clerk).expect(200)).body.token as string;
  }

  async function clerkRow(clerk: TestClerk): Promise<{ role: string; active: boolean }> {
    const [row] = await dataSource.query(`SELECT role, active FROM clerks WHERE id = $1`, [clerk.id]);
    return row;
  }

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    app = await startTestApp();
    a = await createClerkTestCompany(dataSource);
    b = await createClerkTestCompany(dataSource);
    supervisorA = await createTestClerk(dataSource, a, 'supervisor');
    clerkA = await createTestClerk(dataSource, a, 'clerk');
    adminB = await createTestClerk(dataSource, b, 'admin', { totpSecret: generateTotpSecret() });
  });

  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
  });

  /** An admin logged in on the pages (a fresh one each time: a TOTP code is good only once). */
  async function adminAgent(company: TestCompany) {
    const secret = generateTotpSecret();
    const admin = await createTestClerk(dataSource, company, 'admin', { totpSecret: secret, name: 'Oldal Rendszergazda' });
    const { agent, csrf, html } = await logInClerkOnPages(app.url, company, admin, secret, '/backoffice/clerks');
    return { admin, agent, csrf, page: html };
  }

  it('asks for confirmation, then deactivates and reactivates from a row of the clerks page', async () => {
    const target = await createTestClerk(dataSource, a, 'clerk', { name: 'Letiltandó Lajos' });
    const token = await loginToken(target);
    const { admin, agent, csrf, page } = await adminAgent(a);
    // The own row has no actions; the others have their forms with the CSRF token.
    const ownRow = new RegExp(`<tr data-clerk-id="${admin.id}">[\\s\\S]*?</tr>`).exec(page)?.[0] ?? '';
    expect(ownRow).toContain('Ez az Ön fiókja');
    expect(ownRow).not.toContain('<form');
    expect(page).toContain(`action="/backoffice/clerks/${target.id}/deactivate"`);

    const confirm = await agent
      .post(`/backoffice/clerks/${target.id}/deactivate`)
      .type('form')
      .send({ _csrf: csrf })
      .set('Accept', 'text/html')
      .expect(200);
    expect(confirm.text).toContain(`Biztosan letiltja Letiltandó Lajos (${target.email}) fiókját?`);
    expect(confirm.text).toContain('name="confirm" value="yes"');
    expect(await clerkRow(target)).toMatchObject({ active: true });

    const done = await agent
      .post(`/backoffice/clerks/${target.id}/deactivate`)
      .type('form')
      .send({ _csrf: csrf, confirm: 'yes' })
      .expect(303);
    expect(done.headers.location).toBe(`/backoffice/clerks?done=deactivate&clerk=${target.id}`);
    await request(app.url).get('/api/v1/backoffice/me').auth(token, { type: 'bearer' }).expect(401);
    const after = await agent
      .get(done.headers.location as string)
      .set('Accept', 'text/html')
      .expect(200);
    expect(after.text).toContain('Letiltandó Lajos fiókja letiltva, minden bejelentkezése megszűnt.');
    const row = new RegExp(`<tr data-clerk-id="${target.id}">[\\s\\S]*?</tr>`).exec(after.text)?.[0] ?? '';
    expect(row).toContain('letiltva');
    expect(row).toContain(`action="/backoffice/clerks/${target.id}/reactivate"`);

    // The same in English.
    const english = await agent
      .post(`/backoffice/clerks/${target.id}/reactivate?lang=en`)
      .type('form')
      .send({ _csrf: csrf })
      .set('Accept', 'text/html')
      .expect(200);
    expect(english.text).toContain(`Do you really want to reactivate the account of Letiltandó Lajos (${target.email})?`);
    await agent.post(`/backoffice/clerks/${target.id}/reactivate`).type('form').send({ _csrf: csrf, confirm: 'yes' }).expect(303);
    await apiLogin(target).expect(200);
  });

  it('changes a role and resets a second factor on the page; the clerk is sent to enrolment at the next login', async () => {
    const secret = generateTotpSecret();
    const target = await createTestClerk(dataSource, a, 'clerk', { totpSecret: secret, name: 'Szerep Szilvia' });
    const { agent, csrf } = await adminAgent(a);
    const confirm = await agent
      .post(`/backoffice/clerks/${target.id}/role`)
      .type('form')
      .send({ _csrf: csrf, role: 'supervisor' })
      .set('Accept', 'text/html')
      .expect(200);
    expect(confirm.text).toContain('Jelenlegi: ügyintéző, új: csoportvezető.');
    expect(confirm.text).toContain('name="role" value="supervisor"');
    await agent
      .post(`/backoffice/clerks/${target.id}/role`)
      .type('form')
      .send({ _csrf: csrf, role: 'supervisor', confirm: 'yes' })
      .expect(303);
    expect(await clerkRow(target)).toMatchObject({ role: 'supervisor' });
    const bad = await agent
      .post(`/backoffice/clerks/${target.id}/role`)
      .type('form')
      .send({ _csrf: csrf, role: 'boss', confirm: 'yes' })
      .set('Accept', 'text/html')
      .expect(400);
    expect(bad.text).toContain('Válasszon szerepkört.');

    const reset = await agent
      .post(`/backoffice/clerks/${target.id}/totp-reset`)
      .type('form')
      .send({ _csrf: csrf })
      .set('Accept', 'text/html')
      .expect(200);
    expect(reset.text).toContain('Biztosan visszaállítja Szerep Szilvia');
    await agent.post(`/backoffice/clerks/${target.id}/totp-reset`).type('form').send({ _csrf: csrf, confirm: 'yes' }).expect(303);

    // The clerk logs in with the password alone and lands on enrolment, told why.
    const own = request.agent(app.url);
    const login = await own.get('/backoffice/login').set('Accept', 'text/html');
    const posted = await own
      .post('/backoffice/login')
      .type('form')
      .send({ _csrf: csrfFieldIn(login.text), company: a.code, email: target.email, password: target.password })
      .expect(303);
    expect(posted.headers.location).toBe('/backoffice/totp');
    expect((await own.get('/backoffice').set('Accept', 'text/html')).headers.location).toBe('/backoffice/totp');
    const enrol = await own.get('/backoffice/totp').set('Accept', 'text/html').expect(200);
    expect(enrol.text).toContain('egy rendszergazda általi visszaállítás után újra');
  });

  it("shows refusals on the page: the own account, another company's clerk, a non-admin", async () => {
    const { admin, agent, csrf } = await adminAgent(a);
    const self = await agent
      .post(`/backoffice/clerks/${admin.id}/deactivate`)
      .type('form')
      .send({ _csrf: csrf, confirm: 'yes' })
      .set('Accept', 'text/html')
      .expect(409);
    expect(self.text).toContain('error-summary');
    expect(self.text).toContain('A saját fiókját nem tilthatja le: kérjen meg egy másik rendszergazdát.');

    for (const body of [{ _csrf: csrf }, { _csrf: csrf, confirm: 'yes' }]) {
      const foreign = await agent
        .post(`/backoffice/clerks/${adminB.id}/deactivate`)
        .type('form')
        .send(body)
        .set('Accept', 'text/html')
        .expect(404);
      expect(foreign.text).toContain('Nincs ilyen ügyintéző a cégnél.');
      expect(foreign.text).not.toContain(adminB.email);
    }
    expect(await clerkRow(adminB)).toMatchObject({ active: true });

    const supervisor = request.agent(app.url);
    const login = await supervisor.get('/backoffice/login').set('Accept', 'text/html');
    await supervisor
      .post('/backoffice/login')
      .type('form')
      .send({ _csrf: csrfFieldIn(login.text), company: a.code, email: supervisorA.email, password: supervisorA.password })
      .expect(303);
    const home = await supervisor.get('/backoffice').set('Accept', 'text/html').expect(200);
    for (const body of [{ _csrf: csrfFieldIn(home.text) }, { _csrf: csrfFieldIn(home.text), confirm: 'yes' }]) {
      await supervisor.post(`/backoffice/clerks/${clerkA.id}/deactivate`).type('form').send(body).set('Accept', 'text/html').expect(403);
    }
    expect(await clerkRow(clerkA)).toMatchObject({ active: true });
  });
});
