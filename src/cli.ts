#!/usr/bin/env node
// First, before the modules below take their time to load: SIGTERM/SIGINT handlers (PID 1 has no default ones).
import './lifecycle/install-stop-signals';
import { cleanupCommand, CLEANUP_USAGE } from './commands/cleanup';
import { codecServerCommand, CODEC_SERVER_USAGE } from './commands/codec-server';
import { createTenantCommand, CREATE_TENANT_USAGE } from './commands/create-tenant';
import { cancelDeletionCommand, CANCEL_DELETION_USAGE, confirmDeletionCommand, CONFIRM_DELETION_USAGE, deleteTenantCommand, DELETE_TENANT_USAGE } from './commands/deletion';
import { devCommand, DEV_USAGE } from './commands/dev';
import { doctorCommand, DOCTOR_USAGE } from './commands/doctor';
import { failureOutput } from './commands/failure-output';
import { migrateCommand, MIGRATE_USAGE } from './commands/migrate';
import { statusCommand, STATUS_USAGE } from './commands/status';
import { reactivateCommand, REACTIVATE_USAGE, suspendCommand, SUSPEND_USAGE } from './commands/suspension';
import { workerCommand, WORKER_USAGE } from './commands/worker';
import { EXIT } from './exit-codes';

/** After the command returned, what still holds the event loop (a socket, a timer) gets this long. */
const EXIT_GRACE_MS = 5000;

type Command = { run: (argv: string[]) => Promise<number>; usage: string; summary: string };

const COMMANDS: Record<string, Command> = {
  worker: { run: workerCommand, usage: WORKER_USAGE, summary: 'run the Temporal worker (health, readiness and metrics on HTTP_PORT)' },
  migrate: { run: migrateCommand, usage: MIGRATE_USAGE, summary: 'apply database migrations (--check lists pending ones)' },
  'create-tenant': { run: createTenantCommand, usage: CREATE_TENANT_USAGE, summary: 'start provisioning a tenant (--wait to follow it)' },
  status: { run: statusCommand, usage: STATUS_USAGE, summary: "show a provisioning's status by slug or workflow id" },
  suspend: { run: suspendCommand, usage: SUSPEND_USAGE, summary: 'suspend a tenant: status suspended, its users disabled (--reason)' },
  reactivate: { run: reactivateCommand, usage: REACTIVATE_USAGE, summary: 'reactivate a suspended tenant and the users its suspension disabled' },
  'delete-tenant': { run: deleteTenantCommand, usage: DELETE_TENANT_USAGE, summary: 'offboard a tenant: suspend, export, grace period (--grace 30d), delete' },
  'confirm-deletion': { run: confirmDeletionCommand, usage: CONFIRM_DELETION_USAGE, summary: "end a tenant deletion's grace period now" },
  'cancel-deletion': { run: cancelDeletionCommand, usage: CANCEL_DELETION_USAGE, summary: 'call off a tenant deletion and restore the tenant' },
  cleanup: { run: cleanupCommand, usage: CLEANUP_USAGE, summary: 'list (--list) or remove half-made tenants a dead provisioning left' },
  'codec-server': { run: codecServerCommand, usage: CODEC_SERVER_USAGE, summary: 'decode (and redact) workflow payloads for the Temporal Web UI and CLI' },
  doctor: { run: doctorCommand, usage: DOCTOR_USAGE, summary: 'check configuration, PostgreSQL, Temporal and payload keys, each with a fix' },
  dev: { run: devCommand, usage: DEV_USAGE, summary: 'run embedded PostgreSQL, a local Temporal server and the worker' },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(14)}${c.summary}`);
  return `Usage: tenant-workflows <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'tenant-workflows <command> --help' for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? EXIT.OK : EXIT.USAGE;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`unknown command '${name}'\n\n${usage()}`);
    return EXIT.USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return EXIT.OK;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    const failure = failureOutput(error, name, command.usage);
    // With --json every outcome is one JSON object on stdout, failures included.
    if (rest.includes('--json')) console.log(JSON.stringify({ error: failure.error }));
    else console.error(failure.text);
    return failure.exitCode;
  }
}

if (require.main === module) {
  const exit = (code: number) => {
    process.exitCode = code;
    // A process that cannot stop is a zombie no orchestrator restarts: exit even if something lingers.
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  };
  main(process.argv.slice(2)).then(exit, (error: unknown) => {
    console.error(error);
    exit(EXIT.FAILURE);
  });
}
