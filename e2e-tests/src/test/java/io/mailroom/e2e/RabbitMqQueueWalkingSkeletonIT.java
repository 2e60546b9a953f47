package io.mailroom.e2e;

/** The walking skeleton with the distributed deployments' RabbitMQ queue, on the real broker. */
class RabbitMqQueueWalkingSkeletonIT extends WalkingSkeletonIT {

    @Override
    SuiteFixture.QueueKind queueKind() {
        return SuiteFixture.QueueKind.RABBITMQ;
    }
}
