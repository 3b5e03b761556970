import { describe, expect, it } from 'vitest';
import { planMemory, planNaive, verifyPlan, type PlanItem } from '../../src/graph/planner.js';
import { rng } from '../helpers/random.js';

describe('memory planner', () => {
  it('reuses the slot of a dead tensor and never shares one between live tensors', () => {
    const items: PlanItem[] = [
      { id: 0, bytes: 1000, start: 0, end: 1 },
      { id: 1, bytes: 1000, start: 1, end: 2 },
      { id: 2, bytes: 1000, start: 2, end: 3 }, // can take tensor 0's slot
      { id: 3, bytes: 500, start: 3, end: 3 }, // can take tensor 1's slot
    ];
    const plan = planMemory(items, 256);
    verifyPlan(items, plan);
    expect(plan.slotOf.get(2)).toBe(plan.slotOf.get(0));
    expect(plan.slotOf.get(3)).toBe(plan.slotOf.get(1));
    expect(plan.peakBytes).toBe(2 * 1024);
    expect(plan.naiveBytes).toBe(3 * 1024 + 512);
  });

  it('is verified on random lifetimes, and never needs more than the naive layout', () => {
    const next = rng(7);
    for (let trial = 0; trial < 50; trial++) {
      const items: PlanItem[] = Array.from({ length: 60 }, (_, id) => {
        const start = Math.floor(next() * 40);
        return { id, bytes: 4 + Math.floor(next() * 5000), start, end: start + Math.floor(next() * 8) };
      });
      const plan = planMemory(items, 256);
      verifyPlan(items, plan);
      expect(plan.peakBytes).toBeLessThanOrEqual(plan.naiveBytes);
      verifyPlan(items, planNaive(items, 256));
    }
  });

  it('verify catches a plan that shares a slot between live tensors', () => {
    const items: PlanItem[] = [
      { id: 0, bytes: 64, start: 0, end: 2 },
      { id: 1, bytes: 64, start: 1, end: 1 },
    ];
    const bad = { slotOf: new Map([[0, 0], [1, 0]]), slotBytes: [256], peakBytes: 256, naiveBytes: 512 };
    expect(() => verifyPlan(items, bad)).toThrow(/alive together in slot 0/);
  });
});
