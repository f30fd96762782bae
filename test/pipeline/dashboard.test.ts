// Budgets reach the dashboard only as positive numbers from the configuration; anything else shows
// spend alone.
import { describe, expect, it } from 'vitest';
import { budgetOf } from '../../src/pipeline/dashboard.js';

describe('budgetOf', () => {
  it('takes the daily and monthly budgets when the configuration has them', () => {
    expect(budgetOf({ budgetDailyUsd: 5, budgetMonthlyUsd: 100 })).toEqual({ daily: 5, monthly: 100 });
    expect(budgetOf({ budgetMonthlyUsd: 100 })).toEqual({ daily: undefined, monthly: 100 });
  });

  it('shows spend only for a configuration without budgets, or with values that are not a budget', () => {
    expect(budgetOf({ maxCostUsd: 5 })).toBeUndefined();
    expect(budgetOf({ budgetDailyUsd: 0, budgetMonthlyUsd: Number.NaN })).toBeUndefined();
    expect(budgetOf({ budgetDailyUsd: '5', budgetMonthlyUsd: -1 })).toBeUndefined();
  });
});
