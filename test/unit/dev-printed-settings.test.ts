import { forgetOwnPrintedSettings } from '../../src/dev/printed-settings';

describe('dev mode started from a shell that ran its printed export line', () => {
  const printed = { DB_HOST: '127.0.0.1', DB_PORT: '54329', DB_NAME_SERVER: 'tenant_workflows', DB_USER_ADMIN: 'postgres', TEMPORAL_ADDRESS: '127.0.0.1:7233' };

  it('recognises its own settings (SECRETS_DIR is its secrets directory), drops them and says so', () => {
    const env: NodeJS.ProcessEnv = { ...printed, SECRETS_DIR: '.data/secrets', LOG_LEVEL: 'info' };
    const notes: string[] = [];
    forgetOwnPrintedSettings(env, `${process.cwd()}/.data/secrets`, notes);
    expect(env).toEqual({ SECRETS_DIR: '.data/secrets', LOG_LEVEL: 'info' });
    expect(notes).toEqual([expect.stringContaining('are the settings dev mode printed')]);
  });

  it('keeps settings that point elsewhere (another SECRETS_DIR): those servers are the user’s', () => {
    const env: NodeJS.ProcessEnv = { ...printed, SECRETS_DIR: '/run/secrets' };
    const notes: string[] = [];
    forgetOwnPrintedSettings(env, `${process.cwd()}/.data/secrets`, notes);
    expect(env).toEqual({ ...printed, SECRETS_DIR: '/run/secrets' });
    expect(notes).toEqual([]);
  });
});
