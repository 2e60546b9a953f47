package io.mailroom.e2e;

/** The walking skeleton with the single-machine default's PostgreSQL queue. */
class PostgresQueueWalkingSkeletonIT extends WalkingSkeletonIT {

    @Override
    SuiteFixture.QueueKind queueKind() {
        return SuiteFixture.QueueKind.POSTGRES;
    }
}
