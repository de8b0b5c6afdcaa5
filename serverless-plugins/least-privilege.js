'use strict';

/**
 * Runs after serverless-iam-roles-per-function has given each function its own role:
 * - drops the shared default role when no function uses it (it would grant logs on every function);
 * - refuses to package a policy statement with a wildcard action, or a wildcard resource other than
 *   the log-stream suffix AWS requires (`log-group:<name>:*`).
 */
const SHARED_ROLE = 'IamRoleLambdaExecution';

function references(value, logicalId) {
  return JSON.stringify(value).includes(`"${logicalId}"`);
}

/** A resource is allowed one wildcard: the `:*` (log streams) at the end of a log-group ARN. */
function wildcardResource(resource) {
  const text = typeof resource === 'string' ? resource : JSON.stringify(resource);
  if (!text.includes('*')) return false;
  return !/:log-group:[^*"]+:\*(:\*)?"?\}?$/.test(text);
}

function wildcardProblems(resources) {
  const problems = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    for (const policy of (resource.Properties && resource.Properties.Policies) || []) {
      for (const statement of policy.PolicyDocument.Statement || []) {
        const actions = [].concat(statement.Action || []);
        const targets = [].concat(statement.Resource || []);
        const action = actions.find((a) => typeof a === 'string' && a.includes('*'));
        if (action) problems.push(`${logicalId} allows the wildcard action ${action}`);
        const target = targets.find(wildcardResource);
        if (target) problems.push(`${logicalId} allows a wildcard resource ${JSON.stringify(target)}`);
      }
    }
  }
  return problems;
}

function dropUnusedSharedRole(resources) {
  if (!resources[SHARED_ROLE]) return false;
  const others = Object.entries(resources).filter(([id]) => id !== SHARED_ROLE);
  if (others.some(([, resource]) => references(resource, SHARED_ROLE))) return false;
  delete resources[SHARED_ROLE];
  return true;
}

class LeastPrivilege {
  constructor(serverless) {
    this.hooks = {
      'before:package:finalize': () => {
        const template = serverless.service.provider.compiledCloudFormationTemplate;
        dropUnusedSharedRole(template.Resources);
        const problems = wildcardProblems(template.Resources);
        if (problems.length > 0) throw new serverless.classes.Error(problems.join('; '));
      },
    };
  }
}

module.exports = LeastPrivilege;
module.exports.wildcardProblems = wildcardProblems;
module.exports.dropUnusedSharedRole = dropUnusedSharedRole;
