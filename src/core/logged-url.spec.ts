import { redactLoggedUrl } from './logged-url';

describe('redactLoggedUrl', () => {
  it('cuts a calendar feed URL after its prefix: the path is the credential', () => {
    expect(redactLoggedUrl('/calendar/0f3a9c1d2e.ics')).toBe('/calendar/[redacted]');
  });

  it('redacts secret query parameters and keeps the rest', () => {
    expect(redactLoggedUrl('/register/verify?token=abc&lang=hu')).toBe('/register/verify?token=[Redacted]&lang=hu');
  });
});
