/**
 * Where the machine's CPU goes during a measurement, read from /proc (Linux): the server under test,
 * the PostgreSQL backends serving it, this process (autocannon, the load generator), the kernel's
 * interrupt work (loopback TCP is mostly softirq time, charged to no process) and everything else
 * on the machine (other people's jobs and the hypervisor's steal: the machine may be shared). In
 * cores: 1.0 is one core busy for the whole measurement. Elsewhere it reports nothing.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const HZ = 100;

/** CPU use over one measurement, in cores. */
export interface CpuShare {
  server: number;
  postgres: number;
  loadgen: number;
  /** Interrupt and softirq time (the network stack's receive side), which no process is charged. */
  kernel: number;
  /** Other processes on the machine (others' jobs, the idle servers) and time stolen by the hypervisor. */
  other: number;
  /** All cores' busy time. */
  total: number;
  cores: number;
}

interface Snapshot {
  at: number;
  server: number;
  postgres: Map<number, number>;
  loadgen: number;
  busy: number;
  interrupts: number;
}

const ticksOf = (stat: string) => {
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the line.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
};

function processTicks(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return ticksOf(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return 0;
  }
}

/** Busy ticks of all cores (interrupt work among them), and the number of cores, from /proc/stat. */
function machine(): { busy: number; interrupts: number; cores: number } {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  const [, ...fields] = lines[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return { busy: user + nice + system + irq + softirq + steal, interrupts: irq + softirq, cores: lines.filter((l) => /^cpu\d/.test(l)).length };
}

const supported = (() => {
  try {
    machine();
    return true;
  } catch {
    return false;
  }
})();

function snapshot(serverPid: number | undefined, postgresPids: number[]): Snapshot {
  const { busy, interrupts } = machine();
  return {
    at: performance.now(),
    server: processTicks(serverPid),
    postgres: new Map(postgresPids.map((pid) => [pid, processTicks(pid)])),
    loadgen: processTicks(process.pid),
    busy,
    interrupts,
  };
}

/**
 * Starts measuring; the returned function ends it and gives the shares (undefined off Linux).
 * postgresPids: the backends serving the server under test (pg_stat_activity of its database).
 */
export function cpuMeter(serverPid: number | undefined, postgresPids: number[] = []): () => CpuShare | undefined {
  if (!supported) return () => undefined;
  const start = snapshot(serverPid, postgresPids);
  return () => {
    const end = snapshot(serverPid, postgresPids);
    const seconds = (end.at - start.at) / 1000;
    const cores = (ticks: number) => Number((ticks / HZ / seconds).toFixed(2));
    const server = cores(end.server - start.server);
    // A backend that ended meanwhile reads 0 at the end: count only those still there.
    const postgres = cores([...end.postgres].reduce((sum, [pid, t]) => sum + (t > 0 ? t - start.postgres.get(pid)! : 0), 0));
    const loadgen = cores(end.loadgen - start.loadgen);
    const kernel = cores(end.interrupts - start.interrupts);
    const total = cores(end.busy - start.busy);
    const other = Number(Math.max(0, total - server - postgres - loadgen - kernel).toFixed(2));
    return { server, postgres, loadgen, kernel, other, total, cores: machine().cores };
  };
}

/**
 * Waits until the machine is quiet (less than `idleBelow` cores busy over one second), at most
 * `maxSeconds`; returns the last busy level and how long it waited. Others' jobs on a shared machine
 * take cores from the servers under test and skew every figure.
 */
export async function waitForQuiet(maxSeconds: number, idleBelow = 0.3): Promise<{ busy: number; waited_s: number } | undefined> {
  if (!supported || maxSeconds <= 0) return undefined;
  const started = performance.now();
  for (;;) {
    const a = machine().busy;
    const t = performance.now();
    await new Promise((r) => setTimeout(r, 1000));
    const busy = Number(((machine().busy - a) / HZ / ((performance.now() - t) / 1000)).toFixed(2));
    const waited = (performance.now() - started) / 1000;
    if (busy < idleBelow || waited >= maxSeconds) return { busy, waited_s: Number(waited.toFixed(0)) };
  }
}
