import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config';
import { withApp } from '../app';
import { configReport, type ConfigEntry } from '../doctor/config-report';
import { runDoctorChecks, type CheckResult, type CheckStatus } from '../doctor/checks';
import { EXIT } from '../exit-codes';
import { temporalConnectConfig } from '../temporal/connection-options';
import { CommandFailure } from './command-failure';

export const DOCTOR_USAGE = `Usage: tenant-workflows doctor [--json] [--strict] [--replicas N | --hpa FILE]

Checks what the worker needs and prints each check as pass, warn or fail with a one-line fix: the effective
configuration (where each value came from, secrets redacted); PostgreSQL (reachable, version, the admin
role's CREATEROLE and CREATE on the database, max_connections against DB_POOL_MAX x replicas, pending
migrations, run records 'running' past the steps' timeouts); Temporal (reachable, the namespace, the task
queue's pollers and backlog); the payload keys (they decrypt the latest provisioning's input); tenants
'provisioning' with no workflow running.
  --replicas N   worker replicas the connection budget counts
  --hpa FILE     take them from a HorizontalPodAutoscaler manifest's maxReplicas
                 (default: k8s/horizontal-pod-autoscaler.yaml when present here, else 1)
  --strict       exit 1 on a warning too (for deploy pipelines)
  --json         one JSON object: {"status", "checks": [{id, status, summary, fix?, details?}], "config": [...]}
Exits 0 when no check fails (and, with --strict, none warns), 1 otherwise, 64 on a usage error.`;

const DEFAULT_HPA = 'k8s/horizontal-pod-autoscaler.yaml';

function readReplicas(values: { replicas?: string; hpa?: string }): { count: number; from: string } {
  const usage = (message: string) => new CommandFailure('Usage', message, EXIT.USAGE, { hint: DOCTOR_USAGE });
  if (values.replicas !== undefined && values.hpa !== undefined) throw usage('use one of --replicas and --hpa');
  if (values.replicas !== undefined) {
    const count = Number(values.replicas);
    if (!/^\d+$/.test(values.replicas) || count < 1) throw usage(`--replicas: '${values.replicas}' is not a positive integer`);
    return { count, from: '--replicas' };
  }
  const file = values.hpa ?? (existsSync(DEFAULT_HPA) ? DEFAULT_HPA : undefined);
  if (file === undefined) return { count: 1, from: 'assumed; pass --replicas or --hpa' };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw usage(`--hpa: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const match = /^\s*maxReplicas:\s*(\d+)\s*$/m.exec(text);
  if (!match) throw usage(`--hpa: ${file} has no maxReplicas; give a HorizontalPodAutoscaler manifest or --replicas N`);
  return { count: Number(match[1]), from: `maxReplicas in ${file}` };
}

const MARK: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '-' };

function overall(checks: readonly CheckResult[]): 'pass' | 'warn' | 'fail' {
  return checks.some((c) => c.status === 'fail') ? 'fail' : checks.some((c) => c.status === 'warn') ? 'warn' : 'pass';
}

function printText(config: ConfigEntry[], checks: CheckResult[], status: string): void {
  const lines = ['Configuration'];
  for (const entry of config) {
    const source = entry.source === 'secret file' ? `secret file ${entry.file}` : entry.source;
    lines.push(`  ${entry.name.padEnd(33)} ${(entry.value ?? '-').padEnd(28)} ${source}`);
  }
  lines.push('', 'Checks');
  for (const check of checks) {
    lines.push(`  ${MARK[check.status]} ${check.id.padEnd(18)} ${check.summary}`);
    if (check.fix) lines.push(`  ${' '.repeat(20)} fix: ${check.fix}`);
  }
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  lines.push('', `doctor: ${status} (${count('pass')} passed, ${count('warn')} warned, ${count('fail')} failed, ${count('skip')} skipped)`);
  console.log(lines.join('\n'));
}

export async function doctorCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { json: { type: 'boolean' }, strict: { type: 'boolean' }, replicas: { type: 'string' }, hpa: { type: 'string' } },
  });
  const replicas = readReplicas(values);
  const env = process.env;
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Nothing else can be checked with a configuration the worker itself would refuse.
    const checks: CheckResult[] = [{ id: 'config', status: 'fail', summary: `invalid configuration: ${error.problems.join('; ')}`, fix: 'fix the variables named; the worker refuses to start with them (exit 78)' }];
    if (values.json) console.log(JSON.stringify({ status: 'fail', checks, config: [] }));
    else printText([], checks, 'fail');
    return EXIT.FAILURE;
  }
  const { connectionOptions, namespace } = temporalConnectConfig();
  const checks: CheckResult[] = [
    { id: 'config', status: 'pass', summary: 'the configuration loads (values and sources above)' },
    ...(await withApp(config, ({ database }) =>
      runDoctorChecks({ config, admin: database.admin, storage: database.storage, temporal: { address: connectionOptions.address, namespace, connectionOptions }, replicas }),
    )),
  ];
  const status = overall(checks);
  const report = configReport(config, env);
  if (values.json) console.log(JSON.stringify({ status, checks, config: report }));
  else printText(report, checks, status);
  return status === 'fail' || (status === 'warn' && values.strict) ? EXIT.FAILURE : EXIT.OK;
}
