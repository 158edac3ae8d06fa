import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { EXIT } from '../exit-codes';
import type { Logger } from '../logging';
import { StartupError } from './startup-error';
import { sleepUnlessStopped, unlessStopped } from './stop-signals';

/** gRPC status codes (grpc/status.proto) the start-up tells apart. */
const grpcStatus = { NOT_FOUND: 5, PERMISSION_DENIED: 7, UNAUTHENTICATED: 16 } as const;
const RETRY_DELAYS_MS = [250, 500, 1000, 2000];
const CALL_DEADLINE_MS = 5000;

const grpcCode = (error: unknown): number | undefined => (error as { code?: unknown }).code as number | undefined;

/** The reason inside core's transport error text ("Connection refused"), or the message itself. */
function shortReason(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  return /message: "([^"]+)"/.exec(message)?.[1] ?? message.split('\n')[0]!;
}

function refusedCredentials(error: unknown): boolean {
  const code = grpcCode(error);
  return code === grpcStatus.UNAUTHENTICATED || code === grpcStatus.PERMISSION_DENIED;
}

/**
 * Connects to the Temporal frontend, retrying while it cannot be reached for up to `waitMs` (a frontend
 * restarting with the worker), then exits 69 naming the address. Refused credentials exit 77 at once.
 */
export async function connectTemporal(options: NativeConnectionOptions & { address: string }, waitMs: number, stop: AbortSignal, logger: Logger): Promise<NativeConnection> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await unlessStopped(stop, NativeConnection.connect(options), (late) => late.close());
    } catch (error) {
      if (stop.aborted) throw error;
      if (refusedCredentials(error)) {
        throw new StartupError(`the Temporal frontend at ${options.address} refused the worker's credentials (${shortReason(error)}): check TEMPORAL_API_KEY or the TEMPORAL_TLS_* certificate`, EXIT.NO_PERMISSION);
      }
      if (Date.now() >= deadline) {
        throw new StartupError(
          `the Temporal frontend at ${options.address} is unreachable (${shortReason(error)}) after ${waitMs / 1000} s: start it, or fix TEMPORAL_ADDRESS`,
          EXIT.UNAVAILABLE,
        );
      }
      if (attempt === 0) logger.warn({ address: options.address, reason: shortReason(error), waitMs }, 'the Temporal frontend is unreachable; retrying');
      await sleepUnlessStopped(stop, Math.min(RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]!, Math.max(0, deadline - Date.now())));
    }
  }
}

/** Exits 78 when TEMPORAL_NAMESPACE names a namespace the server does not have: polling it would fail forever. */
export async function checkNamespace(connection: NativeConnection, address: string, namespace: string, stop: AbortSignal): Promise<void> {
  try {
    await unlessStopped(stop, connection.withDeadline(Date.now() + CALL_DEADLINE_MS, () => connection.workflowService.describeNamespace({ namespace })));
  } catch (error) {
    if (stop.aborted) throw error;
    if (grpcCode(error) === grpcStatus.NOT_FOUND) {
      throw new StartupError(
        `the Temporal namespace '${namespace}' does not exist at ${address}: create it (temporal operator namespace create --namespace ${namespace}) or fix TEMPORAL_NAMESPACE`,
        EXIT.CONFIG,
      );
    }
    if (refusedCredentials(error)) {
      throw new StartupError(`the Temporal frontend at ${address} refused access to namespace '${namespace}' (${shortReason(error)}): check TEMPORAL_API_KEY or the certificate's permissions`, EXIT.NO_PERMISSION);
    }
    throw new StartupError(`the Temporal frontend at ${address} did not describe namespace '${namespace}' (${shortReason(error)}): check that it is up and TEMPORAL_ADDRESS`, EXIT.UNAVAILABLE);
  }
}

/** Readiness: the frontend answers within a short deadline (the Worker's own state stays RUNNING long after it died). */
export async function temporalAnswers(connection: NativeConnection, deadlineMs: number): Promise<true> {
  await connection.withDeadline(Date.now() + deadlineMs, () => connection.workflowService.getSystemInfo({}));
  return true;
}
