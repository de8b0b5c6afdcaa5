'use strict';

/**
 * Refuses to package, deploy or run offline a consumer whose queue's visibility timeout is under
 * 6 x the function's timeout: AWS's rule for SQS event sources, without which a job still running is
 * delivered again. https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 */
const FACTOR = 6;

function violations(service) {
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
    }
  }
  return problems;
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
