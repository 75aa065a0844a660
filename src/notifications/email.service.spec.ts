import { sendBatches } from './email.service';

describe('sendBatches', () => {
  it('splits each company’s e-mails into runs of at most the batch size, by id', () => {
    const emails = [
      { companyId: 1, emailId: 10 },
      { companyId: 2, emailId: 11 },
      { companyId: 1, emailId: 13 },
      { companyId: 1, emailId: 12 },
      { companyId: 1, emailId: 14 },
    ];
    expect(sendBatches(emails, 2)).toEqual([
      { companyId: 1, firstEmailId: 10, lastEmailId: 12 },
      { companyId: 1, firstEmailId: 13, lastEmailId: 14 },
      { companyId: 2, firstEmailId: 11, lastEmailId: 11 },
    ]);
  });

  it('makes one job for a batch that fits', () => {
    const emails = Array.from({ length: 500 }, (_, index) => ({ companyId: 3, emailId: 1000 + index }));
    expect(sendBatches(emails, 500)).toEqual([{ companyId: 3, firstEmailId: 1000, lastEmailId: 1499 }]);
  });

  it('makes none for no e-mails', () => {
    expect(sendBatches([], 10)).toEqual([]);
  });
});
