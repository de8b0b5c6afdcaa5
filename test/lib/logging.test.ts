import { createSubmitJobHandler } from '../../lib/http/handlers/submit-job';
import { createRunJobsHandler } from '../../lib/consumer/run-jobs-handler';
import type { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { createLogger } from '../../lib/logger';
import { apiEvent, bodyOf, context, sqsEvent, sqsRecord } from '../helpers/events';
import { unitServices } from '../helpers/services';

describe('structured logs', () => {
  it('write JSON lines carrying the job id at every step of a job: submit, enqueue, start, finish', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({
      destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
    });
    const { services, send, cleanup } = await unitServices();
    const submit = createSubmitJobHandler({ ...services, logger });
    const consume = createRunJobsHandler({
      store: services.store,
      catalogue: services.catalogue,
      logger,
      maxReceiveCount: 3,
    });

    const response = await submit(
      apiEvent({ method: 'POST', pathParameters: { task: 'echo' }, body: { input: { text: 'logged' } } }),
      context,
    );
    const jobId = String(bodyOf(response).jobId);
    const message = (send.mock.calls[0]?.[0] as SendMessageBatchCommand).input.Entries![0]!.MessageBody!;
    await consume(sqsEvent(sqsRecord({ body: message })), context);

    expect(lines.map((l) => l.event)).toEqual(['submit', 'enqueue', 'start', 'finish']);
    for (const line of lines)
      expect(line).toMatchObject({ jobId, level: 'info', name: 'spawn-queue', time: expect.any(String) });
    expect(lines.at(-1)).toMatchObject({ status: 'succeeded', exitCode: 0 });
    await cleanup();
  });
});
