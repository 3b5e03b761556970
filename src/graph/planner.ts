/**
 * Memory planning: intermediate tensors share a pool of GPU buffers ("slots"); a slot is reused once the
 * tensor in it is dead. Lifetimes are known ahead (the node order is fixed), so this is offline best-fit.
 *
 * Why whole buffers and not ranges of one arena: WebGPU validates usage per buffer, not per range. A
 * dispatch may not bind the same buffer both writable and read-only, even at disjoint offsets. A node's
 * output and its inputs are alive together, so slot-level reuse keeps them in different buffers for free.
 */
import { LangsegError } from '../errors.js';

export interface PlanItem {
  id: number;
  bytes: number;
  /** First and last step (node index) at which the tensor must hold its value. */
  start: number;
  end: number;
}

export interface MemoryPlan {
  /** The slot (buffer index) of each item. */
  slotOf: Map<number, number>;
  /** Size of each slot in bytes. */
  slotBytes: number[];
  /** Bytes of all slots together. */
  peakBytes: number;
  /** Bytes if every tensor had its own buffer. */
  naiveBytes: number;
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

/** Give every item its own slot (the baseline the planned layout is compared with). */
export function planNaive(items: readonly PlanItem[], alignment: number): MemoryPlan {
  const slotOf = new Map<number, number>();
  const slotBytes: number[] = [];
  for (const item of items) {
    slotOf.set(item.id, slotBytes.length);
    slotBytes.push(alignUp(Math.max(item.bytes, 4), alignment));
  }
  const total = slotBytes.reduce((a, b) => a + b, 0);
  return { slotOf, slotBytes, peakBytes: total, naiveBytes: total };
}

/**
 * Best-fit reuse: at each step, free the slots of tensors past their last step; give each new tensor the
 * smallest free slot that fits, else grow the largest free slot, else open a new one.
 */
export function planMemory(items: readonly PlanItem[], alignment: number): MemoryPlan {
  const naiveBytes = planNaive(items, alignment).naiveBytes;
  const order = [...items].sort((a, b) => a.start - b.start || b.bytes - a.bytes || a.id - b.id);
  const slotOf = new Map<number, number>();
  const slotBytes: number[] = [];
  const free = new Set<number>();
  const live: { end: number; slot: number }[] = [];
  for (const item of order) {
    for (let i = live.length - 1; i >= 0; i--) {
      if (live[i]!.end < item.start) {
        free.add(live[i]!.slot);
        live.splice(i, 1);
      }
    }
    const size = alignUp(Math.max(item.bytes, 4), alignment);
    let best = -1;
    let largest = -1;
    for (const s of free) {
      if (slotBytes[s]! >= size && (best < 0 || slotBytes[s]! < slotBytes[best]!)) best = s;
      if (largest < 0 || slotBytes[s]! > slotBytes[largest]!) largest = s;
    }
    let slot: number;
    if (best >= 0) slot = best;
    else if (largest >= 0) {
      slot = largest;
      slotBytes[slot] = size;
    } else {
      slot = slotBytes.length;
      slotBytes.push(size);
    }
    free.delete(slot);
    slotOf.set(item.id, slot);
    live.push({ end: item.end, slot });
  }
  return { slotOf, slotBytes, peakBytes: slotBytes.reduce((a, b) => a + b, 0), naiveBytes };
}

/** Prove that no two tensors alive at the same step share a slot, and every slot holds its tensors. */
export function verifyPlan(items: readonly PlanItem[], plan: MemoryPlan): void {
  for (const item of items) {
    const slot = plan.slotOf.get(item.id);
    if (slot === undefined || plan.slotBytes[slot]! < item.bytes) {
      throw new LangsegError(`memory plan error: tensor ${item.id} (${item.bytes} bytes) has no slot large enough`);
    }
  }
  const sorted = [...items].sort((a, b) => a.start - b.start);
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    for (let j = i + 1; j < sorted.length && sorted[j]!.start <= a.end; j++) {
      const b = sorted[j]!;
      if (plan.slotOf.get(a.id) === plan.slotOf.get(b.id)) {
        throw new LangsegError(
          `memory plan error: tensors ${a.id} (steps ${a.start}-${a.end}) and ${b.id} (steps ${b.start}-${b.end}) ` +
            `are alive together in slot ${plan.slotOf.get(a.id)}`,
        );
      }
    }
  }
}
