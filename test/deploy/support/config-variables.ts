import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig, secretFileName } from '../../../src/config';
import { EnvReader } from '../../../src/config/env-reader';
import { LEGACY_DB_VARIABLES } from '../../../src/config/legacy';

/** The connection variables of the Temporal SDK that we document with a default; every deployment sets them. */
export const TEMPORAL_CONNECTION_VARIABLES = ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE'];

export interface ConfigVariables {
  /** Everything src/config reads, and TEMPORAL_CONNECTION_VARIABLES. */
  all: string[];
  /** Read with read.secret: a file in SECRETS_DIR (secretFileName) or the variable. */
  secrets: string[];
  /** Read with read.optionalString: setting it switches something on; unset is a valid production setting. */
  optional: string[];
  /** Every other one: has a default, and a deployment states its value. */
  withDefault: string[];
}

/**
 * What the config really reads, observed rather than listed: loadConfig runs on an environment that
 * records every name looked up, with EnvReader's secret and optionalString spied on to classify them.
 * Adding a variable to src/config adds it here, so the documentation and manifest tests see it.
 */
export function configVariables(): ConfigVariables {
  const read = new Set<string>();
  const emptySecretsDir = mkdtempSync(join(tmpdir(), 'no-secrets-'));
  const values: Record<string, string> = { SECRETS_DIR: emptySecretsDir };
  const env = new Proxy(values, {
    get: (target, name) => {
      if (typeof name !== 'string') return undefined;
      read.add(name);
      return target[name];
    },
  });
  const secret = jest.spyOn(EnvReader.prototype, 'secret');
  const optional = jest.spyOn(EnvReader.prototype, 'optionalString');
  try {
    loadConfig(env);
    const secrets = new Set(secret.mock.calls.map(([name]) => name));
    const optionals = new Set(optional.mock.calls.map(([name]) => name));
    const all = [...read].filter((name) => !(name in LEGACY_DB_VARIABLES)).concat(TEMPORAL_CONNECTION_VARIABLES).sort();
    return {
      all,
      secrets: [...secrets].sort(),
      optional: [...optionals].sort(),
      withDefault: all.filter((name) => !secrets.has(name) && !optionals.has(name)),
    };
  } finally {
    secret.mockRestore();
    optional.mockRestore();
    rmSync(emptySecretsDir, { recursive: true });
  }
}

/** The secret file names the pods must provide: one per secret variable. */
export function secretFileNames(): string[] {
  return configVariables().secrets.map(secretFileName).sort();
}

/** Every TEMPORAL_* name the Temporal SDK's environment configuration reads, from @temporalio/envconfig itself. */
export function temporalSdkVariables(): string[] {
  const lib = dirname(require.resolve('@temporalio/envconfig'));
  const names = new Set<string>();
  for (const file of readdirSync(lib).filter((f) => f.endsWith('.js'))) {
    for (const [name] of readFileSync(join(lib, file), 'utf8').matchAll(/TEMPORAL_[A-Z_]+/g)) names.add(name);
  }
  return [...names].sort();
}

/**
 * Whether `name` is one of the SDK's optional settings (API key, TLS, profile...): every SDK name but
 * TEMPORAL_CONNECTION_VARIABLES. A name the SDK lists with a trailing `_` is a prefix.
 */
export function isTemporalSdkOptional(name: string): boolean {
  if (TEMPORAL_CONNECTION_VARIABLES.includes(name)) return false;
  return temporalSdkVariables().some((sdk) => (sdk.endsWith('_') ? name.startsWith(sdk) : name === sdk));
}
