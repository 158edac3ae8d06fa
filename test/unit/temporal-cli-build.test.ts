import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTemporalCli, temporalCliCacheDir } from '../../src/dev/temporal-cli';

/** A stand-in for `go install`: counts its runs, prints package names as -v does, writes $GOBIN/temporal. */
const FAKE_GO = `#!/bin/sh
echo run >> "$FAKE_GO_RUNS"
sleep 1
echo github.com/temporalio/cli/temporalcli >&2
printf '#!/bin/sh\\necho temporal\\n' > "$GOBIN/temporal"
chmod +x "$GOBIN/temporal"
`;

it('two concurrent first runs share one build (a lock in the cache directory), and say why and how to skip it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tw-cli-build-'));
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'go'), FAKE_GO);
  chmodSync(join(bin, 'go'), 0o755);
  const runs = join(root, 'runs');
  const env = { PATH: `${bin}:/usr/bin:/bin`, XDG_CACHE_HOME: join(root, 'cache'), FAKE_GO_RUNS: runs };
  const logs: string[] = [];
  const log = (message: string) => logs.push(message);

  const [first, second] = await Promise.all([resolveTemporalCli(log, env), resolveTemporalCli(log, env)]);
  const expected = join(temporalCliCacheDir(env), 'temporal');
  expect([first, second]).toEqual([expected, expected]);
  expect(readFileSync(runs, 'utf8').trim().split('\n')).toHaveLength(1);
  expect(logs.join('\n')).toContain('To skip it, put an installed temporal on PATH or set TEMPORAL_CLI_PATH');
  expect(logs.join('\n')).toMatch(/is building the temporal CLI into .*; waiting for it/);
  expect(logs.join('\n')).toMatch(/built the temporal CLI in \d+s/);
});
