import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { LatencySpec } from './types.js';

/**
 * The latency model: how long an answer waits, drawn from the request (never from arrival order),
 * and the timers that hold responses so `close()` can cancel every pending wait.
 */

/** A uniform number in [0, 1) from a string: the server's only source of randomness. */
export function uniformFrom(text: string): number {
  const digest = createHash('sha256').update(text).digest();
  return Number(digest.readBigUInt64BE(0) >> 11n) / 2 ** 53;
}

export function drawLatency(spec: LatencySpec, uniform: () => number): number {
  switch (spec.kind) {
    case 'none':
      return 0;
    case 'fixed':
      return spec.ms;
    case 'uniform':
      return spec.minMs + (spec.maxMs - spec.minMs) * uniform();
    case 'lognormal': {
      // Box-Muller from two uniforms.
      const first = Math.max(uniform(), 1e-12);
      const second = uniform();
      const normal = Math.sqrt(-2 * Math.log(first)) * Math.cos(2 * Math.PI * second);
      return spec.medianMs * Math.exp(spec.sigma * normal);
    }
  }
}

/** Pending waits of held responses; `clear()` (on close) cancels them all. */
export class ResponseTimers {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  /** Resolves after `milliseconds` with whether the response can still be written to. */
  wait(milliseconds: number, response: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      if (milliseconds <= 0) {
        resolve(!response.destroyed);
        return;
      }
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve(!response.destroyed);
      }, milliseconds);
      this.timers.add(timer);
    });
  }

  clear(): void {
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
  }
}
