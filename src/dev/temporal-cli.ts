import { findGo, resolveGoTool, tenantWorkflowsCacheDir, toolCacheDir, type GoTool } from './go-tool';

export { findGo, tenantWorkflowsCacheDir };

/** The last temporal CLI tag `go install` accepts (later tags carry a replace directive). */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export const TEMPORAL_CLI: GoTool = {
  binary: 'temporal',
  label: 'the temporal CLI',
  pathVariable: 'TEMPORAL_CLI_PATH',
  module: TEMPORAL_CLI_MODULE,
  purpose: 'the local Temporal dev server',
  commands: () => [['install', '-v', TEMPORAL_CLI_MODULE]],
};

export function temporalCliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return toolCacheDir(env);
}

/**
 * Finds a `temporal` CLI to run a local dev server: TEMPORAL_CLI_PATH, then PATH, then our cache
 * directory, else builds it into the cache with Go. Undefined when none of these can provide one,
 * in which case the caller lets the Temporal SDK download it (works only with internet access).
 */
export function resolveTemporalCli(log: (message: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  return resolveGoTool(TEMPORAL_CLI, log, env);
}
