import { findGoTool, resolveGoTool, type GoTool } from './go-tool';

/** Jaeger (v2, the OpenTelemetry-collector based binary) of the v1.75.0 tag, to look at traces locally. */
export const JAEGER_MODULE = 'github.com/jaegertracing/jaeger/cmd/jaeger@v1.75.0';
const JAEGER_PACKAGE = 'github.com/jaegertracing/jaeger/cmd/jaeger';

/**
 * Jaeger's go.mod has replace directives, which `go install pkg@version` refuses: it is built from a
 * scratch module that requires it as a tool (Go 1.24+), as the issue describes.
 */
export const JAEGER: GoTool = {
  binary: 'jaeger',
  label: 'Jaeger',
  pathVariable: 'JAEGER_PATH',
  module: JAEGER_MODULE,
  purpose: 'viewing traces locally',
  commands: (outDir) => [
    ['mod', 'init', 'tenant-workflows-jaeger-build'],
    ['get', '-tool', JAEGER_MODULE],
    ['build', '-v', '-o', `${outDir}/jaeger`, JAEGER_PACKAGE],
  ],
};

/** JAEGER_PATH, PATH or the cache; undefined (never a build) when none has it: `npm run jaeger:build` builds it. */
export function findJaeger(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findGoTool(JAEGER, env);
}

/** Jaeger, built into the cache when missing (10+ minutes on two cores). */
export function resolveJaeger(log: (message: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  return resolveGoTool(JAEGER, log, env);
}
