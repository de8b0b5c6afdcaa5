'use strict';

/**
 * Under serverless offline, the functions a queue triggers are not hosted: the local stack runs them
 * in the consumer's own process, behind the event source mapping, which is their one way in, as the
 * Lambda service is deployed. Hosted by serverless offline as well, its Lambda invoke port would run
 * `runJobs` for anyone who POSTs an SQS-shaped event to it: tasks with no message, no claim on the
 * queue and no slot (six direct invokes ran six processes beside the four slots). Removed here, such
 * an invoke answers 404 ResourceNotFoundException. Packaging and deploying are untouched.
 */
function isQueueTriggered(fn) {
  return (fn.events || []).some((event) => event && typeof event === 'object' && 'sqs' in event);
}

class OfflineQueueFunctions {
  constructor(serverless) {
    const removeQueueFunctions = () => {
      const functions = serverless.service.functions || {};
      for (const [name, fn] of Object.entries(functions)) {
        if (fn && isQueueTriggered(fn)) delete functions[name];
      }
    };
    this.hooks = {
      'before:offline:start': removeQueueFunctions,
      'before:offline:start:init': removeQueueFunctions,
    };
  }
}

module.exports = OfflineQueueFunctions;
module.exports.isQueueTriggered = isQueueTriggered;
