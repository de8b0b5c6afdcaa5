import { callbacksEnabled, loadConfig } from '../../lib/config';
import { ConfigError } from '../../lib/config-errors';

describe('configuration: completion callbacks', () => {
  it('are off with neither a secret nor its parameter, and on with either', () => {
    expect(callbacksEnabled(loadConfig({}))).toBe(false);
    expect(callbacksEnabled(loadConfig({ CALLBACK_SECRET: 'a-secret-of-at-least-16' }))).toBe(true);
    const fromSsm = loadConfig({ CALLBACK_SECRET_PARAMETER: '/spawn-queue/prod/callback-secret' });
    expect(fromSsm).toMatchObject({
      callbackSecret: undefined,
      callbackSecretParameter: '/spawn-queue/prod/callback-secret',
    });
    expect(callbacksEnabled(fromSsm)).toBe(true);
    // Empty is unset (serverless.yml renders an unset variable as '').
    expect(callbacksEnabled(loadConfig({ CALLBACK_SECRET: ' ', CALLBACK_SECRET_PARAMETER: '' }))).toBe(false);
  });

  it.each([
    ['CALLBACK_SECRET', 'too-short', /CALLBACK_SECRET must be at least 16 characters \(got 9\)/],
    ['CALLBACK_SECRET_PARAMETER', 'callback-secret', /must be an SSM parameter path such as \/spawn-queue/],
    ['CALLBACK_SECRET_PARAMETER', '/a b/c', /must be an SSM parameter path/],
    ['CALLBACK_SECRET_PARAMETER', '/a/*', /must be an SSM parameter path/],
  ])('refuses %s=%p with one line naming it', (name, value, message) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
