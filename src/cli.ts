#!/usr/bin/env node
import { ConfigError } from './config';
import { safeErrorMessage } from './db/driver-errors';
import { createTenantCommand, CREATE_TENANT_USAGE } from './commands/create-tenant';
import { devCommand, DEV_USAGE } from './commands/dev';
import { migrateCommand, MIGRATE_USAGE } from './commands/migrate';
import { statusCommand, STATUS_USAGE } from './commands/status';
import { workerCommand, WORKER_USAGE } from './commands/worker';

const EX_USAGE = 64;
const EX_CONFIG = 78;

type Command = { run: (argv: string[]) => Promise<number>; usage: string; summary: string };

const COMMANDS: Record<string, Command> = {
  worker: { run: workerCommand, usage: WORKER_USAGE, summary: 'run the Temporal worker (health, readiness and metrics on HTTP_PORT)' },
  migrate: { run: migrateCommand, usage: MIGRATE_USAGE, summary: 'apply database migrations (--check lists pending ones)' },
  'create-tenant': { run: createTenantCommand, usage: CREATE_TENANT_USAGE, summary: 'start provisioning a tenant (--wait to follow it)' },
  status: { run: statusCommand, usage: STATUS_USAGE, summary: "show a provisioning's status by slug or workflow id" },
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
    return name ? 0 : EX_USAGE;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`unknown command '${name}'\n\n${usage()}`);
    return EX_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) console.error(`configuration error: ${problem}`);
      return EX_CONFIG;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n\n${command.usage}`);
      return EX_USAGE;
    }
    console.error(`tenant-workflows ${name} failed: ${safeErrorMessage(error)}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
