import CheckDeploySettings, { settingProblems } from '../../serverless-plugins/check-deploy-settings';
import { loadConfig } from '../../lib/config';

class FrameworkError extends Error {}

const deployedEnv = {
  JOB_STORE: 'dynamodb',
  SQS_ENDPOINT: '',
  API_TOKEN_PARAMETER: '/spawn-queue/prod/api-token-hashes',
};

function plugin(
  environment: Record<string, string>,
  getParameter: (...args: unknown[]) => Promise<{ Parameter?: { Value?: string } }>,
) {
  return new CheckDeploySettings({
    service: { provider: { environment } },
    classes: { Error: FrameworkError },
    getProvider: () => ({ getStage: () => 'prod', request: getParameter }),
  });
}

describe('serverless plugin: check-deploy-settings', () => {
  it('accepts the rendered settings of a deploy', () => {
    expect(settingProblems({ provider: { environment: deployedEnv } })).toEqual([]);
  });

  it('names each local-only setting that leaked into a deploy', () => {
    expect(
      settingProblems({
        provider: {
          environment: {
            JOB_STORE: 'sqlite',
            SQS_ENDPOINT: 'http://localhost:9324',
            CALLBACK_ALLOW_INTERNAL: 'true',
            API_TOKEN_PARAMETER: '',
          },
        },
      }),
    ).toEqual([
      'JOB_STORE is "sqlite" but a deployed stack needs "dynamodb" (unset JOB_STORE before deploying)',
      'SQS_ENDPOINT is set to "http://localhost:9324": unset it before deploying (it points the functions away from AWS)',
      'CALLBACK_ALLOW_INTERNAL is "true": unset it before deploying (callbacks could reach private addresses)',
      'API_TOKEN_PARAMETER is empty: unset it before deploying (the functions read their tokens from it)',
    ]);
  });

  it.each(['true', 'TRUE', ' true ', '1', 'True'])(
    'refuses CALLBACK_ALLOW_INTERNAL=%j, every spelling the configuration reads as true',
    (value) => {
      const env = { ...deployedEnv, CALLBACK_ALLOW_INTERNAL: value };
      expect(loadConfig(env).callbackAllowInternal).toBe(true);
      expect(settingProblems({ provider: { environment: env } })).toEqual([
        `CALLBACK_ALLOW_INTERNAL is "${value}": unset it before deploying (callbacks could reach private addresses)`,
      ]);
    },
  );

  it('accepts CALLBACK_ALLOW_INTERNAL written as false in any spelling, and refuses one it cannot read', () => {
    for (const value of ['false', 'FALSE', ' 0 ', '']) {
      expect(
        settingProblems({ provider: { environment: { ...deployedEnv, CALLBACK_ALLOW_INTERNAL: value } } }),
      ).toEqual([]);
    }
    expect(
      settingProblems({ provider: { environment: { ...deployedEnv, CALLBACK_ALLOW_INTERNAL: 'yes' } } }),
    ).toEqual([
      'CALLBACK_ALLOW_INTERNAL is "yes", which is neither true nor false: unset it before deploying',
    ]);
  });

  it('fails a deploy without any token with a one-line reason', async () => {
    const missing = plugin(deployedEnv, async () => {
      throw Object.assign(new Error('Parameter /spawn-queue/prod/api-token-hashes not found.'), {
        code: 'ParameterNotFound',
      });
    });
    const run = missing.hooks['before:deploy:deploy']!();
    await expect(run).rejects.toThrow(FrameworkError);
    await expect(missing.hooks['before:deploy:deploy']!()).rejects.toThrow(
      /^no API token configured for stage "prod": run "npm run token -- --stage prod"[^\n]*$/,
    );
    const empty = plugin(deployedEnv, async () => ({ Parameter: { Value: '' } }));
    await expect(empty.hooks['before:deploy:deploy']!()).rejects.toThrow(/no API token configured/);
  });

  it('fails a deploy whose callback secret parameter is missing or short, naming the command that makes one', async () => {
    const env = { ...deployedEnv, CALLBACK_SECRET_PARAMETER: '/spawn-queue/prod/callback-secret' };
    const parameters = (secret: Record<string, string>) =>
      plugin(env, async (...args: unknown[]) => {
        const name = (args[2] as { Name: string }).Name;
        if (name === deployedEnv.API_TOKEN_PARAMETER) return { Parameter: { Value: 'a'.repeat(64) } };
        if (name in secret) return { Parameter: { Value: secret[name] } };
        throw Object.assign(new Error(`Parameter ${name} not found.`), { code: 'ParameterNotFound' });
      });
    await expect(parameters({}).hooks['before:deploy:deploy']!()).rejects.toThrow(
      /^no callback secret of 16 characters or more in \/spawn-queue\/prod\/callback-secret: run "aws ssm put-parameter --name \/spawn-queue\/prod\/callback-secret --type SecureString [^\n]*$/,
    );
    await expect(
      parameters({ '/spawn-queue/prod/callback-secret': 'short' }).hooks['before:deploy:deploy']!(),
    ).rejects.toThrow(/no callback secret of 16 characters or more/);
    await expect(
      parameters({ '/spawn-queue/prod/callback-secret': 'x'.repeat(64) }).hooks['before:deploy:deploy']!(),
    ).resolves.toBeUndefined();
  });

  it('lets a deploy with a stored token hash go on', async () => {
    const ok = plugin(deployedEnv, async () => ({ Parameter: { Value: 'a'.repeat(64) } }));
    await expect(ok.hooks['before:deploy:deploy']!()).resolves.toBeUndefined();
  });
});
