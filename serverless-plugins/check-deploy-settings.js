'use strict';

// The configuration's own parser (lib/config.ts reads the flag with it): any spelling it takes for
// true is refused here too.
const { parseFlag } = require('../lib/env-values');

/**
 * Refuses a deploy that could not work or would be open: the deployed functions must use the
 * DynamoDB job store and AWS's own endpoints, and the stage must have API tokens (the SSM parameter
 * the functions read them from must exist), and a callback secret if one is to be read from SSM. Each problem is one line. `serverless package` (what the
 * tests render) is not checked: it needs no AWS account.
 */
function settingProblems(service) {
  const env = (service.provider && service.provider.environment) || {};
  const problems = [];
  if (env.JOB_STORE !== 'dynamodb') {
    problems.push(
      `JOB_STORE is "${env.JOB_STORE}" but a deployed stack needs "dynamodb" (unset JOB_STORE before deploying)`,
    );
  }
  for (const name of ['SQS_ENDPOINT', 'DYNAMODB_ENDPOINT']) {
    if (env[name])
      problems.push(
        `${name} is set to "${env[name]}": unset it before deploying (it points the functions away from AWS)`,
      );
  }
  const allowInternal = parseFlag(env.CALLBACK_ALLOW_INTERNAL);
  if (allowInternal !== false) {
    problems.push(
      allowInternal
        ? `CALLBACK_ALLOW_INTERNAL is "${env.CALLBACK_ALLOW_INTERNAL}": unset it before deploying (callbacks could reach private addresses)`
        : `CALLBACK_ALLOW_INTERNAL is "${env.CALLBACK_ALLOW_INTERNAL}", which is neither true nor false: unset it before deploying`,
    );
  }
  if (!env.API_TOKEN_PARAMETER) {
    problems.push(
      'API_TOKEN_PARAMETER is empty: unset it before deploying (the functions read their tokens from it)',
    );
  }
  return problems;
}

async function tokenProblem(serverless, provider) {
  const env = serverless.service.provider.environment || {};
  const name = env.API_TOKEN_PARAMETER;
  const stage = provider.getStage();
  try {
    const { Parameter } = await provider.request('SSM', 'getParameter', { Name: name, WithDecryption: true });
    if (Parameter && /[0-9a-f]{64}/i.test(Parameter.Value || '')) return undefined;
  } catch (error) {
    if (!error || !/ParameterNotFound/.test(`${error.code} ${error.name} ${error.message}`)) throw error;
  }
  return `no API token configured for stage "${stage}": run "npm run token -- --stage ${stage}" and the command it prints, then deploy again`;
}

/** A callback secret kept in SSM must be there, and long enough, before the deliverer needs it. */
async function callbackSecretProblem(serverless, provider) {
  const env = serverless.service.provider.environment || {};
  const name = env.CALLBACK_SECRET_PARAMETER;
  if (!name || env.CALLBACK_SECRET) return undefined;
  try {
    const { Parameter } = await provider.request('SSM', 'getParameter', { Name: name, WithDecryption: true });
    if (Parameter && (Parameter.Value || '').trim().length >= 16) return undefined;
  } catch (error) {
    if (!error || !/ParameterNotFound/.test(`${error.code} ${error.name} ${error.message}`)) throw error;
  }
  return `no callback secret of 16 characters or more in ${name}: run "aws ssm put-parameter --name ${name} --type SecureString --value $(openssl rand -hex 32)", or unset CALLBACK_SECRET_PARAMETER to deploy without callbacks`;
}

class CheckDeploySettings {
  constructor(serverless) {
    const provider = serverless.getProvider('aws');
    const check = async () => {
      const problems = settingProblems(serverless.service);
      if (problems.length === 0) {
        for (const problem of [
          await tokenProblem(serverless, provider),
          await callbackSecretProblem(serverless, provider),
        ]) {
          if (problem) problems.push(problem);
        }
      }
      if (problems.length > 0) throw new serverless.classes.Error(problems.join('; '));
    };
    this.hooks = {
      'before:deploy:deploy': check,
      'before:deploy:function:initialize': check,
    };
  }
}

module.exports = CheckDeploySettings;
module.exports.settingProblems = settingProblems;
module.exports.tokenProblem = tokenProblem;
module.exports.callbackSecretProblem = callbackSecretProblem;
