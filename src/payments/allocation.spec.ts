import { allocateOldestFirst } from './allocation';

const items = [
  { id: 3, bookedOn: '2014-11-12', openAmount: 38837 },
  { id: 1, bookedOn: '2014-03-31', openAmount: 810 },
  { id: 2, bookedOn: '2014-06-30', openAmount: 1300 },
];

describe('allocateOldestFirst', () => {
  it('settles each item when the amount covers the selection exactly', () => {
    expect(allocateOldestFirst(40947, items)).toEqual({
      allocations: [
        { debtItemId: 1, amount: 810 },
        { debtItemId: 2, amount: 1300 },
        { debtItemId: 3, amount: 38837 },
      ],
      unallocated: 0,
    });
  });

  it('settles one item exactly', () => {
    expect(allocateOldestFirst(810, [items[1]])).toEqual({ allocations: [{ debtItemId: 1, amount: 810 }], unallocated: 0 });
  });

  it('settles the oldest first on a partial payment; the newest keeps the rest', () => {
    expect(allocateOldestFirst(2000, items)).toEqual({
      allocations: [
        { debtItemId: 1, amount: 810 },
        { debtItemId: 2, amount: 1190 },
      ],
      unallocated: 0,
    });
  });

  it('leaves an over-payment unallocated, never beyond an open amount', () => {
    expect(allocateOldestFirst(50000, items)).toEqual({
      allocations: [
        { debtItemId: 1, amount: 810 },
        { debtItemId: 2, amount: 1300 },
        { debtItemId: 3, amount: 38837 },
      ],
      unallocated: 50000 - 40947,
    });
  });

  it('skips items already settled elsewhere, and orders items booked the same day by id', () => {
    const sameDay = [
      { id: 9, bookedOn: '2014-01-01', openAmount: 100 },
      { id: 8, bookedOn: '2014-01-01', openAmount: 0 },
      { id: 7, bookedOn: '2014-01-01', openAmount: 50 },
    ];
    expect(allocateOldestFirst(120, sameDay)).toEqual({
      allocations: [
        { debtItemId: 7, amount: 50 },
        { debtItemId: 9, amount: 70 },
      ],
      unallocated: 0,
    });
  });

  it('refuses a negative or fractional amount', () => {
    expect(() => allocateOldestFirst(-1, items)).toThrow(/whole/);
    expect(() => allocateOldestFirst(1.5, items)).toThrow(/whole/);
  });
});
