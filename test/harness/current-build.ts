import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WORKFLOW_BUNDLE } from '../../src/workflow-bundles';
import { REPOSITORY_ROOT } from './repository-files';

function newestModification(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestModification(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * True when `npm run build` output (dist/cli.js and the prebuilt workflow bundle) is newer than every
 * file under src/: a worker run from it is the code under test, and starts in a second instead of the
 * seconds of CPU a worker from source spends bundling its workflows. (.ci/run builds before the tests.)
 */
export function buildIsCurrent(): boolean {
  const outputs = [join(REPOSITORY_ROOT, 'dist/cli.js'), join(REPOSITORY_ROOT, 'dist', WORKFLOW_BUNDLE)];
  if (!outputs.every((file) => existsSync(file))) return false;
  const built = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  return built >= newestModification(join(REPOSITORY_ROOT, 'src'));
}
