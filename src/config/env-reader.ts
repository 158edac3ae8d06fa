import { getSecret, secretFileName, type Env } from './secret-files';
import type { Secret } from './secret';

/**
 * Reads typed values from the environment and collects every problem instead of stopping at the
 * first, so one start-up tells the operator everything to fix. Each problem is one line:
 * the variable, what is wrong, and how to fix it.
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(readonly env: Env) {}

  string(name: string, fallback: string): string {
    const value = this.env[name]?.trim();
    return value ? value : fallback;
  }

  optionalString(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  int(name: string, fallback: number, min: number, max: number, example = fallback): number {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name}: '${raw}' is not valid; set an integer from ${min} to ${max}, for example ${name}=${example}`);
      return fallback;
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push(`${name}: '${raw}' is not valid; set one of ${allowed.join(', ')}`);
      return fallback;
    }
    return raw as T;
  }

  secret(envVar: string): Secret | undefined {
    try {
      return getSecret(secretFileName(envVar), envVar, this.env);
    } catch (error) {
      this.problems.push((error as Error).message);
      return undefined;
    }
  }
}
