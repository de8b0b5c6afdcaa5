"""moto server, with the one SQS call the deployed functions make that moto 5.2 lacks.

POST /api/dead-letters/redrive calls SQS's StartMessageMoveTask and then ListMessageMoveTasks
(lib/queue/job-queue.ts). Here the move runs at once: every visible message of the source queue is
sent to the destination queue, with its attributes, and removed from the source; the task is then
listed COMPLETED with the count, as SQS lists a finished task. Everything else is moto's own.
Run as moto_server is: python moto_server.py -H 127.0.0.1 -p PORT
"""

import sys
import time
import uuid

from moto.core.responses import ActionResult
from moto.server import main
from moto.sqs.responses import SQSResponse

TASKS = []


def _queue_name(arn):
    return arn.rsplit(":", 1)[-1]


def start_message_move_task(self):
    source_arn = self._get_param("SourceArn")
    destination_arn = self._get_param("DestinationArn")
    source = self.sqs_backend.get_queue(_queue_name(source_arn))
    with source._messages_lock:
        moving = [m for m in source._messages if m.visible and not m.delayed]
        for message in moving:
            source._messages.remove(message)
    for message in moving:
        self.sqs_backend.send_message(
            _queue_name(destination_arn),
            message.body,
            message_attributes=message.message_attributes,
        )
    handle = str(uuid.uuid4())
    TASKS.insert(
        0,
        {
            "TaskHandle": handle,
            "Status": "COMPLETED",
            "SourceArn": source_arn,
            "DestinationArn": destination_arn,
            "ApproximateNumberOfMessagesMoved": len(moving),
            "ApproximateNumberOfMessagesToMove": len(moving),
            "StartedTimestamp": int(time.time() * 1000),
        },
    )
    return ActionResult({"TaskHandle": handle})


def list_message_move_tasks(self):
    source_arn = self._get_param("SourceArn")
    results = [t for t in TASKS if t["SourceArn"] == source_arn][:10]
    return ActionResult({"Results": results})


SQSResponse.start_message_move_task = start_message_move_task
SQSResponse.list_message_move_tasks = list_message_move_tasks

if __name__ == "__main__":
    sys.exit(main())
