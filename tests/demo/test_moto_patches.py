"""The demo server's performance patches to moto change no answer (see demo/moto_patches.py)."""

from __future__ import annotations

import pytest

from tests.demo.conftest import ClientFactory


def test_standard_queue_sends_count_and_report_every_attribute(client: ClientFactory) -> None:
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="patched-standard")["QueueUrl"]
    for start in range(0, 30, 10):
        entries = [{"Id": str(k), "MessageBody": f"m{start + k}"} for k in range(10)]
        assert not sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed")
    sqs.send_message(QueueUrl=url, MessageBody="one more")
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "31"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
    assert "QueueArn" in attributes
    assert "ContentBasedDeduplication" not in attributes  # a standard queue has none


def test_fifo_queue_still_deduplicates_by_content(client: ClientFactory) -> None:
    sqs = client("sqs")
    url = sqs.create_queue(
        QueueName="patched.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    for _ in range(2):
        sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="g")
    sqs.send_message(QueueUrl=url, MessageBody="other body", MessageGroupId="g")
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "2"
    assert attributes["ContentBasedDeduplication"] == "true"


def test_fifo_queue_without_content_deduplication_still_wants_an_id(client: ClientFactory) -> None:
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="patched-plain.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with pytest.raises(sqs.exceptions.ClientError, match="ContentBasedDeduplication"):
        sqs.send_message(QueueUrl=url, MessageBody="no id", MessageGroupId="g")
