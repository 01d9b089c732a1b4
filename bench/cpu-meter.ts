// CPU time per process over a bench phase, from /proc (Linux): where the CPU of one task goes, by process.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on every Linux Node runs on). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of a process so far; NaN when it is gone or not readable. */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state (3); utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** The pid of the oldest process whose full command line matches `pattern` (pgrep -o -f), if any. */
export function pidOf(pattern: string): number | undefined {
  try {
    const out = execFileSync('pgrep', ['-o', '-f', pattern], { encoding: 'utf8' }).trim();
    return out ? Number(out) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds each named process spent between `start()` and `stop()`. */
export class CpuMeter {
  private before = new Map<string, number>();

  constructor(private readonly pids: Record<string, number | undefined>) {}

  start(): this {
    this.before = new Map(Object.entries(this.pids).map(([name, pid]) => [name, processCpuSeconds(pid)]));
    return this;
  }

  stop(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.pids).map(([name, pid]) => [name, processCpuSeconds(pid) - (this.before.get(name) ?? Number.NaN)]));
  }
}
