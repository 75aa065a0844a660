import request from 'supertest';
import { currentTotpCode } from '../../src/identity/totp';
import { TestClerk, TestCompany } from './clerk-factories';
import { csrfFieldIn } from './customer-session';

/**
 * A clerk logged in on the back-office pages the way a browser does it (password, then
 * the second factor's code), with the CSRF token and HTML of `landing`. A TOTP code is
 * good only once, so each call needs a clerk of its own or a new time step.
 */
export async function logInClerkOnPages(
  appUrl: string,
  company: Pick<TestCompany, 'code'>,
  clerk: Pick<TestClerk, 'email' | 'password'>,
  totpSecret: string,
  landing = '/backoffice',
): Promise<{ agent: ReturnType<typeof request.agent>; csrf: string; html: string }> {
  const agent = request.agent(appUrl);
  const login = await agent.get('/backoffice/login').set('Accept', 'text/html');
  const step = await agent
    .post('/backoffice/login')
    .type('form')
    .send({ _csrf: csrfFieldIn(login.text), company: company.code, email: clerk.email, password: clerk.password })
    .expect(200);
  const pending = /name="pending" value="([^"]+)"/.exec(step.text)?.[1] ?? '';
  await agent
    .post('/backoffice/login/totp')
    .type('form')
    .send({ _csrf: csrfFieldIn(step.text), pending, code: currentTotpCode(totpSecret) })
    .expect(303);
  const page = await agent.get(landing).set('Accept', 'text/html').expect(200);
  return { agent, csrf: csrfFieldIn(page.text), html: page.text };
}
