import { inspect } from 'node:util';

/**
 * A secret value that cannot leak by accident: it prints as [REDACTED] through
 * console.log, JSON.stringify, template strings and util.inspect. Call reveal()
 * only where the value is handed to the library that needs it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[REDACTED]';
  }

  toJSON(): string {
    return '[REDACTED]';
  }

  [inspect.custom](): string {
    return '[REDACTED]';
  }
}
