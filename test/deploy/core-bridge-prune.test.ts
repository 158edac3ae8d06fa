import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../harness/repository-files';
import { CORE_BRIDGE_RELEASES, PLATFORMS } from './support/core-bridge';
import { instructions, parseDockerfile } from './support/dockerfile';

/** The build stage's RUN step that drops the other platforms' core-bridge libraries. */
const [pruneStep] = instructions(parseDockerfile()[0]!, 'RUN').filter((run) => run.includes('core-bridge/releases'));
/** The targets the installed core bridge ships, as the image's npm ci installs them. */
const shipped = readdirSync(join(REPOSITORY_ROOT, CORE_BRIDGE_RELEASES));

/** Runs the step with TARGETARCH on a copy of the releases layout (empty libraries); what it leaves, and its result. */
function prune(targetArch: string) {
  const app = mkdtempSync(join(tmpdir(), 'core-bridge-prune-'));
  try {
    for (const target of shipped) {
      mkdirSync(join(app, CORE_BRIDGE_RELEASES, target), { recursive: true });
      writeFileSync(join(app, CORE_BRIDGE_RELEASES, target, 'index.node'), '');
    }
    const run = spawnSync('sh', ['-c', pruneStep!], { cwd: app, env: { PATH: process.env.PATH, TARGETARCH: targetArch }, encoding: 'utf8' });
    return { status: run.status, stderr: run.stderr, left: readdirSync(join(app, CORE_BRIDGE_RELEASES)) };
  } finally {
    rmSync(app, { recursive: true });
  }
}

describe('the Dockerfile step that prunes the core bridge to the image\'s platform', () => {
  it('exists, and the installed core bridge ships more platforms than one', () => {
    expect(pruneStep).toBeDefined();
    expect(shipped).toEqual(expect.arrayContaining(Object.values(PLATFORMS).map((p) => p.coreBridgeTarget)));
    expect(shipped.length).toBeGreaterThan(2);
  });

  it.each(Object.values(PLATFORMS))('keeps only $coreBridgeTarget for TARGETARCH=$dockerArch', ({ dockerArch, coreBridgeTarget }) => {
    expect(prune(dockerArch)).toEqual({ status: 0, stderr: '', left: [coreBridgeTarget] });
  });

  it('fails the build for a platform the core bridge has no library for, rather than leave none', () => {
    const result = prune('s390x');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('the Temporal core bridge has no build for s390x');
    expect(result.left.sort()).toEqual([...shipped].sort());
  });
});
