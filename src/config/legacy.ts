import type { Env } from './secret-files';

/** The only place the legacy names may appear: each old name and the variable that replaces it. */
export const LEGACY_DB_VARIABLES: Readonly<Record<string, string>> = {
  ALGA_DB_HOST: 'DB_HOST',
  ALGA_DB_PORT: 'DB_PORT',
  ALGA_DB_NAME: 'DB_NAME_SERVER',
  ALGA_DB_USER: 'DB_USER_SERVER',
  ALGA_DB_PASSWORD: 'DB_PASSWORD_SERVER',
  ALGA_DB_ADMIN_USER: 'DB_USER_ADMIN',
  ALGA_DB_ADMIN_PASSWORD: 'DB_PASSWORD_ADMIN',
};

export function legacyVariableProblems(env: Env): string[] {
  return Object.entries(LEGACY_DB_VARIABLES)
    .filter(([legacy]) => env[legacy] !== undefined)
    .map(([legacy, replacement]) => `${legacy} is no longer read; rename it to ${replacement} and unset ${legacy}`);
}
