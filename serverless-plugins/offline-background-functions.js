'use strict';

/**
 * Under serverless offline, the functions a queue or a schedule triggers are not hosted: the local
 * stack runs them itself. The queue-triggered ones (`runJobs`, `deliverCallbacks`) run in the
 * consumer's own process, behind the event source mapping, which is their one way in, as the Lambda
 * service is deployed: hosted by serverless offline as well, its Lambda invoke port would run
 * `runJobs` for anyone who POSTs an SQS-shaped event to it (six direct invokes ran six processes
 * beside the four slots); such an invoke now answers 404 ResourceNotFoundException. The scheduled
 * one (`reconcileQueue`) is the stack's own loop locally (lib/local/local-stack.ts), which serverless
 * offline would otherwise run a second time. Packaging and deploying are untouched.
 */
function isBackground(fn) {
  return (fn.events || []).some(
    (event) => event && typeof event === 'object' && ('sqs' in event || 'schedule' in event),
  );
}

class OfflineBackgroundFunctions {
  constructor(serverless) {
    const removeBackgroundFunctions = () => {
      const functions = serverless.service.functions || {};
      for (const [name, fn] of Object.entries(functions)) {
        if (fn && isBackground(fn)) delete functions[name];
      }
    };
    this.hooks = {
      'before:offline:start': removeBackgroundFunctions,
      'before:offline:start:init': removeBackgroundFunctions,
    };
  }
}

module.exports = OfflineBackgroundFunctions;
module.exports.isBackground = isBackground;
