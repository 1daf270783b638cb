// How far V8 lets each process's heap grow. By default a heap may grow to up to four times what survived its last
// full collection when the machine has memory to spare. The control-plane processes allocate request, event and
// watch objects at a high rate, so a heap grown that way is mostly garbage: after a 100,000-Work burst the
// apiserver held 287 MiB in use in a 997 MiB heap. A fixed factor of 1.5 keeps each heap near its live size, and on
// this project's 2-core benchmark it cost less CPU, not more (BENCHMARKS.md, eleventh session).
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

/** Sets V8's heap growing factor unless node was started with one (`node --heap-growing-percent=N …`), which wins. */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv, setFlags: (flags: string) => void = v8.setFlagsFromString): void {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg))) return;
  setFlags(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
