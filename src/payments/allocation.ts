/** An open debt item a payment may settle. */
export interface AllocatableItem {
  id: number;
  /** 'YYYY-MM-DD' */
  bookedOn: string;
  openAmount: number;
}

export interface Allocation {
  debtItemId: number;
  amount: number;
}

export interface AllocationResult {
  allocations: Allocation[];
  /** Paid beyond what the items still owe: recorded, left for a clerk. */
  unallocated: number;
}

/**
 * Spreads a paid amount (whole forints) over the selected items. When it covers them
 * exactly each is settled; when it does not (an item was paid elsewhere meanwhile, or
 * the bank reported less), the oldest items are settled first and the newest keeps
 * the rest of its debt. Nothing is allocated beyond an item's open amount.
 */
export function allocateOldestFirst(paid: number, items: readonly AllocatableItem[]): AllocationResult {
  if (!Number.isSafeInteger(paid) || paid < 0) throw new Error('The paid amount must be a whole, non-negative number of forints');
  const ordered = [...items].sort((a, b) => (a.bookedOn === b.bookedOn ? a.id - b.id : a.bookedOn < b.bookedOn ? -1 : 1));
  const allocations: Allocation[] = [];
  let left = paid;
  for (const item of ordered) {
    if (left === 0) break;
    const amount = Math.min(left, item.openAmount);
    if (amount <= 0) continue;
    allocations.push({ debtItemId: item.id, amount });
    left -= amount;
  }
  return { allocations, unallocated: left };
}
