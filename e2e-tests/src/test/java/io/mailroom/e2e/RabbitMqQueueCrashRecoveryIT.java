package io.mailroom.e2e;

/** Crash recovery with the RabbitMQ queue, on the real broker. */
class RabbitMqQueueCrashRecoveryIT extends CrashRecoveryIT {

    @Override
    SuiteFixture.QueueKind queueKind() {
        return SuiteFixture.QueueKind.RABBITMQ;
    }
}
