// The capabilities a node runs, in start order. Each feature appends its entry here.
import type { Capability } from './capability.ts';

export const capabilities: Capability[] = [];
