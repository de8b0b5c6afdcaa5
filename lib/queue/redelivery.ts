import type { SQSRecord } from 'aws-lambda';

/** How many times SQS has handed this message out (1 on its first delivery). */
export function receiveCountOf(message: Pick<SQSRecord, 'attributes'>): number {
  return Number(message.attributes?.ApproximateReceiveCount) || 1;
}

/**
 * The pause before a message whose handling failed for a reason of the system's own (the store did
 * not answer, most often) comes back: 2 s doubling with each receive, up to a minute, instead of
 * the queue's visibility timeout (minutes).
 */
export function redeliveryPauseSeconds(message: Pick<SQSRecord, 'attributes'>): number {
  return Math.min(60, 2 ** receiveCountOf(message));
}
