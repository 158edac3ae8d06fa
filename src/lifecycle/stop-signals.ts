import { exitCodeForSignal } from '../exit-codes';
import { StopRequested } from './startup-error';

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
const controller = new AbortController();
let installed = false;
let claimed = false;

/**
 * Until a command claims the signals there is nothing to clean up, and the process exits at once;
 * after, the first signal aborts the claimed signal (the command stops in order) and a second one
 * exits at once.
 */
function onStopSignal(signal: NodeJS.Signals): void {
  if (!claimed || controller.signal.aborted) process.exit(exitCodeForSignal(signal));
  controller.abort(new StopRequested(signal));
}

/**
 * Handles SIGTERM and SIGINT from now on. The CLI does it before anything else loads
 * (install-stop-signals.ts): a process running as PID 1 (a container's entrypoint) ignores the
 * signals it has no handler for, so a stop must never find none.
 */
export function installStopSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of STOP_SIGNALS) process.on(signal, onStopSignal);
}

/** Hands SIGTERM/SIGINT to the caller: the returned signal aborts, with a StopRequested reason, on the first one. */
export function claimStopSignals(): AbortSignal {
  installStopSignalHandlers();
  claimed = true;
  return controller.signal;
}

/** Throws the StopRequested a stop signal aborted with, if one did. */
export function throwIfStopped(stop: AbortSignal): void {
  if (stop.aborted) throw stop.reason as StopRequested;
}

/**
 * Resolves with `work`, or rejects with the StopRequested once a stop signal arrives first; what `work`
 * then still produces is handed to `discard` (a connection that opened too late is closed).
 */
export function unlessStopped<T>(stop: AbortSignal, work: Promise<T>, discard?: (late: T) => Promise<void>): Promise<T> {
  throwIfStopped(stop);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      if (discard) work.then(discard).catch(() => undefined);
      reject(stop.reason as StopRequested);
    };
    stop.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => stop.removeEventListener('abort', onAbort));
  });
}

/** Waits `ms`, or rejects with the StopRequested once a stop signal arrives first. */
export function sleepUnlessStopped(stop: AbortSignal, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return unlessStopped(stop, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))).finally(() => clearTimeout(timer));
}
