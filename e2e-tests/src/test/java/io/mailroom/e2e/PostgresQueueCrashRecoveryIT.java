package io.mailroom.e2e;

/** Crash recovery with the PostgreSQL queue. */
class PostgresQueueCrashRecoveryIT extends CrashRecoveryIT {

    @Override
    SuiteFixture.QueueKind queueKind() {
        return SuiteFixture.QueueKind.POSTGRES;
    }
}
