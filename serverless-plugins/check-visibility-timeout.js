'use strict';

const path = require('node:path');

/**
 * Refuses to package, deploy or run offline a consumer whose queue's visibility timeout is under
 * 6 x the function's timeout: AWS's rule for SQS event sources, without which a job still running is
 * delivered again. https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 * And one whose redrive limit (maxReceiveCount) is not above the most attempts a task's retry policy
 * allows: the queue would move a job to the dead-letter queue before its policy gave up.
 */
const FACTOR = 6;
const DEFAULT_ATTEMPTS = 3;

/** The most attempts any task of the catalogue may make (config/tasks.json, `retry.attempts`). */
function maxAttempts(tasks) {
  return Math.max(
    1,
    ...Object.values(tasks || {}).map((task) =>
      Number((task && task.retry && task.retry.attempts) ?? DEFAULT_ATTEMPTS),
    ),
  );
}

function violations(service, tasks = loadTasks(service)) {
  const resources = (service.resources && service.resources.Resources) || {};
  const problems = [];
  for (const [name, fn] of Object.entries(service.functions || {})) {
    for (const event of fn.events || []) {
      const arn = event.sqs && event.sqs.arn;
      const queueKey = arn && arn['Fn::GetAtt'] && arn['Fn::GetAtt'][0];
      const queue = queueKey && resources[queueKey];
      if (!queue) continue;
      const visibility = Number((queue.Properties || {}).VisibilityTimeout ?? 30);
      const timeout = Number(fn.timeout ?? (service.provider && service.provider.timeout) ?? 6);
      if (visibility < FACTOR * timeout) {
        problems.push(
          `${queueKey} VisibilityTimeout is ${visibility} s but must be at least ${FACTOR} x ${name}'s timeout (${timeout} s) = ${FACTOR * timeout} s`,
        );
      }
      const redrive = (queue.Properties || {}).RedrivePolicy;
      const attempts = maxAttempts(tasks);
      if (redrive && Number(redrive.maxReceiveCount) <= attempts) {
        problems.push(
          `${queueKey} maxReceiveCount is ${redrive.maxReceiveCount} but must be above the most attempts a task's retry policy allows (${attempts})`,
        );
      }
    }
  }
  return problems;
}

function loadTasks(service) {
  const dir =
    (service && service.serverless && service.serverless.config && service.serverless.config.servicePath) ||
    path.resolve(__dirname, '..');
  try {
    return require(path.join(dir, 'config', 'tasks.json'));
  } catch {
    return {};
  }
}

class CheckVisibilityTimeout {
  constructor(serverless) {
    const check = () => {
      const problems = violations(serverless.service);
      if (problems.length > 0) throw new serverless.classes.Error(problems.join('; '));
    };
    this.hooks = {
      'before:package:initialize': check,
      'before:offline:start:init': check,
      'before:offline:start': check,
    };
  }
}

module.exports = CheckVisibilityTimeout;
module.exports.violations = violations;
module.exports.maxAttempts = maxAttempts;
