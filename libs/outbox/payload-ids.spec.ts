import { payloadIds } from './outbox';

describe('payloadIds', () => {
  it('reads a batch’s list and a lone id alike', () => {
    expect(payloadIds({ requestIds: [3, 1, 2], companyId: 9 }, 'requestId')).toEqual([3, 1, 2]);
    expect(payloadIds({ requestId: 7, companyId: 9 }, 'requestId')).toEqual([7]);
    expect(payloadIds({ readingIds: [5] }, 'readingId')).toEqual([5]);
  });

  it('names nothing when the key is missing, and drops what is not an id', () => {
    expect(payloadIds({ companyId: 9 }, 'requestId')).toEqual([]);
    expect(payloadIds({ requestIds: [1, 'x', -2, 2.5, '4'] }, 'requestId')).toEqual([1, 4]);
  });
});
