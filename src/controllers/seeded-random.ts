// A seeded random source (mulberry32): the same seed gives the same sequence, so a plan drawn
// from a seed derived from the revision's content places pods and names them the same way on
// every run (two CI runs on one pull request give one comment). Pure.
import type { RandomSource } from './pod-name.js';

export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
