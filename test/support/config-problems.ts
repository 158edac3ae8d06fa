import { ConfigError, loadConfig } from '../../src/config';

/** The problems loadConfig reports for env (it must throw a ConfigError). */
export function configProblemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}
