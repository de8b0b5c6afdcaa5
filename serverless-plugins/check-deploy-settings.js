'use strict';

/**
 * Refuses a deploy that could not work or would be open: the deployed functions must use the
 * DynamoDB job store and AWS's own endpoints, and the stage must have API tokens (the SSM parameter
 * the functions read them from must exist). Each problem is one line. `serverless package` (what the
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
  if (String(env.CALLBACK_ALLOW_INTERNAL) === 'true') {
    problems.push(
      'CALLBACK_ALLOW_INTERNAL is true: unset it before deploying (callbacks could reach private addresses)',
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

class CheckDeploySettings {
  constructor(serverless) {
    const provider = serverless.getProvider('aws');
    const check = async () => {
      const problems = settingProblems(serverless.service);
      if (problems.length === 0) {
        const problem = await tokenProblem(serverless, provider);
        if (problem) problems.push(problem);
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
