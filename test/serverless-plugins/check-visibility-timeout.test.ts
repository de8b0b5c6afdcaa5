import shippedTasks from '../../config/tasks.json';
import CheckVisibilityTimeout, {
  maxAttempts,
  violations,
} from '../../serverless-plugins/check-visibility-timeout';

function service(visibilityTimeout: number | undefined, timeout = 660, maxReceiveCount = 10) {
  return {
    provider: { timeout: 28 },
    functions: { runJobs: { timeout, events: [{ sqs: { arn: { 'Fn::GetAtt': ['JobsQueue', 'Arn'] } } }] } },
    resources: {
      Resources: {
        JobsQueue: {
          Properties: {
            ...(visibilityTimeout === undefined ? {} : { VisibilityTimeout: visibilityTimeout }),
            RedrivePolicy: { maxReceiveCount },
          },
        },
      },
    },
  };
}

class FrameworkError extends Error {}

describe('serverless plugin: check-visibility-timeout', () => {
  it('accepts a visibility timeout of at least 6 x the consumer timeout', () => {
    expect(violations(service(3960))).toEqual([]);
  });

  it('names the queue, the function and the numbers when the rule is broken (SQS default included)', () => {
    expect(violations(service(3959))).toEqual([
      "JobsQueue VisibilityTimeout is 3959 s but must be at least 6 x runJobs's timeout (660 s) = 3960 s",
    ]);
    expect(violations(service(undefined, 10))).toHaveLength(1);
  });

  it("refuses a redrive limit that is not above the most attempts of a task's retry policy", () => {
    const tasks = { a: { retry: { attempts: 5 } }, b: {} };
    expect(violations(service(3960, 660, 6), tasks)).toEqual([]);
    expect(violations(service(3960, 660, 5), tasks)).toEqual([
      "JobsQueue maxReceiveCount is 5 but must be above the most attempts a task's retry policy allows (5)",
    ]);
    // The shipped catalogue and serverless.yml's limit agree.
    expect(maxAttempts(shippedTasks)).toBeLessThan(10);
  });

  it('stops packaging and offline start with the framework error', () => {
    const plugin = new CheckVisibilityTimeout({ service: service(60), classes: { Error: FrameworkError } });
    expect(() => plugin.hooks['before:package:initialize']!()).toThrow(FrameworkError);
    expect(() => plugin.hooks['before:offline:start:init']!()).toThrow(/must be at least 6 x/);
  });
});
