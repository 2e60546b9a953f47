package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.mailroom.mailbox.client.HttpMailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiProperties;
import io.mailroom.mailbox.client.MaildropLeaseClient;
import io.mailroom.mailbox.client.MaildropLeaseClient.LeaseKey;

/**
 * The POP3 maildrop lease (RFC 1939 §8) through mailbox-client, against the real service and PostgreSQL: one holder
 * per account however many replicas race for it, renewal in one batch, release, expiry of a holder that stopped
 * renewing, and LOGIN-DELAY measured on the database's clock.
 */
class MaildropLeaseIT extends MailboxApiITBase {

    private static final Duration TTL = Duration.ofMinutes(2);

    private HttpMailboxApiClient client;

    @BeforeEach
    void connect() {
        client = HttpMailboxApiClient.create(new MailboxApiProperties(URI.create("http://127.0.0.1:" + port),
                Duration.ofSeconds(5), Duration.ofSeconds(30)), INTERNAL_TOKEN);
    }

    @AfterEach
    void disconnect() {
        client.close();
    }

    @Test
    void oneOwnerAtATimeUntilItReleases() {
        String alice = newAccount();
        String bob = newAccount();

        MaildropLeaseClient.Outcome first = client.acquireMaildropLease(alice, "replica-1/s1", TTL, Duration.ZERO);
        MaildropLeaseClient.Outcome again = client.acquireMaildropLease(alice.toUpperCase(), "replica-1/s1", TTL, Duration.ZERO);
        MaildropLeaseClient.Outcome other = client.acquireMaildropLease(alice, "replica-2/s9", TTL, Duration.ZERO);
        MaildropLeaseClient.Outcome otherAccount = client.acquireMaildropLease(bob, "replica-2/s9", TTL, Duration.ZERO);

        assertThat(first).isInstanceOf(MaildropLeaseClient.Acquired.class);
        assertThat(((MaildropLeaseClient.Acquired) first).expiresAt()).isAfter(java.time.Instant.now().plusSeconds(60));
        assertThat(again).as("the holder renews by taking again").isInstanceOf(MaildropLeaseClient.Acquired.class);
        assertThat(other).isEqualTo(new MaildropLeaseClient.InUse());
        assertThat(otherAccount).isInstanceOf(MaildropLeaseClient.Acquired.class);

        client.releaseMaildropLease(alice, "replica-2/s9");
        assertThat(client.acquireMaildropLease(alice, "replica-2/s9", TTL, Duration.ZERO))
                .as("a release by a non-holder changes nothing").isEqualTo(new MaildropLeaseClient.InUse());
        client.releaseMaildropLease(alice, "replica-1/s1");
        client.releaseMaildropLease(alice, "replica-1/s1");
        assertThat(client.acquireMaildropLease(alice, "replica-2/s9", TTL, Duration.ZERO))
                .isInstanceOf(MaildropLeaseClient.Acquired.class);
    }

    @Test
    void theRawAnswersAreDocumentedProblems() {
        String alice = newAccount();
        String path = "/internal/v1/accounts/" + alice + "/maildrop/lease";

        Response taken = send("PUT", path, internal(), "application/json", json.writeValueAsBytes(Map.of("owner", "a", "ttlMillis", 60_000)));
        Response held = send("PUT", path, internal(), "application/json", json.writeValueAsBytes(Map.of("owner", "b", "ttlMillis", 60_000)));
        Response noTtl = send("PUT", path, internal(), "application/json", json.writeValueAsBytes(Map.of("owner", "b")));
        Response tooLong = send("PUT", path, internal(), "application/json",
                json.writeValueAsBytes(Map.of("owner", "b", "ttlMillis", 3_600_001)));
        Response unknown = send("PUT", "/internal/v1/accounts/nobody@" + newDomain() + "/maildrop/lease", internal(),
                "application/json", json.writeValueAsBytes(Map.of("owner", "b", "ttlMillis", 60_000)));

        assertThat(taken.status()).isEqualTo(200);
        assertThat(taken.json().path("owner").asString()).isEqualTo("a");
        assertThat(held.status()).isEqualTo(409);
        assertThat(held.code()).isEqualTo("maildrop-in-use");
        assertThat(held.header("Content-Type")).startsWith("application/problem+json");
        assertThat(noTtl.status()).isEqualTo(400);
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(unknown.code()).isEqualTo("account-not-found");
        MailboxApiException unknownByClient = catchThrowableOfType(MailboxApiException.class,
                () -> client.acquireMaildropLease("nobody@" + newDomain(), "x", TTL, Duration.ZERO));
        assertThat(unknownByClient.code()).isEqualTo("account-not-found");
        assertThat(send("DELETE", path + "?owner=a", admin(), null, null).status()).as("gateway API only").isEqualTo(403);
    }

    @Test
    void manyReplicasRacingForOneMaildropMakeExactlyOneHolder() throws Exception {
        String alice = newAccount();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<MaildropLeaseClient.Outcome>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String owner = "replica-" + i + "/s";
                Callable<MaildropLeaseClient.Outcome> acquire = () -> client.acquireMaildropLease(alice, owner, TTL, Duration.ZERO);
                results.add(pool.submit(acquire));
            }
            int acquired = 0;
            for (Future<MaildropLeaseClient.Outcome> result : results) {
                MaildropLeaseClient.Outcome outcome = result.get(60, TimeUnit.SECONDS);
                assertThat(outcome).isInstanceOfAny(MaildropLeaseClient.Acquired.class, MaildropLeaseClient.InUse.class);
                acquired += outcome instanceof MaildropLeaseClient.Acquired ? 1 : 0;
            }
            assertThat(acquired).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void renewalKeepsWhatIsHeldAndReportsWhatIsLost() {
        String alice = newAccount();
        String bob = newAccount();
        String carol = newAccount();
        client.acquireMaildropLease(alice, "r1/a", TTL, Duration.ZERO);
        client.acquireMaildropLease(bob, "r1/b", TTL, Duration.ZERO);
        client.acquireMaildropLease(carol, "r1/c", TTL, Duration.ZERO);
        client.releaseMaildropLease(bob, "r1/b");
        expire(carol);
        assertThat(client.acquireMaildropLease(carol, "r2/c", TTL, Duration.ZERO))
                .as("an expired lease is free").isInstanceOf(MaildropLeaseClient.Acquired.class);
        expire(alice);

        Set<LeaseKey> lost = client.renewMaildropLeases(List.of(new LeaseKey(alice.toUpperCase(), "r1/a"),
                new LeaseKey(bob, "r1/b"), new LeaseKey(carol, "r1/c")), TTL);

        assertThat(lost).containsExactlyInAnyOrder(new LeaseKey(bob, "r1/b"), new LeaseKey(carol, "r1/c"));
        assertThat(client.acquireMaildropLease(alice, "r3/a", TTL, Duration.ZERO))
                .as("renewed after running out, as nobody had taken it").isEqualTo(new MaildropLeaseClient.InUse());
        assertThat(client.renewMaildropLeases(List.of(), TTL)).isEmpty();
    }

    @Test
    void aHolderThatStopsRenewingLosesTheMaildropWhenItsLeaseRunsOut() {
        String alice = newAccount();
        assertThat(client.acquireMaildropLease(alice, "dead/s", Duration.ofMillis(300), Duration.ZERO))
                .isInstanceOf(MaildropLeaseClient.Acquired.class);

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(client.acquireMaildropLease(alice, "alive/s", TTL, Duration.ZERO))
                        .isInstanceOf(MaildropLeaseClient.Acquired.class));
        assertThat(client.renewMaildropLeases(List.of(new LeaseKey(alice, "dead/s")), TTL))
                .as("the dead holder learns it lost the lease").containsExactly(new LeaseKey(alice, "dead/s"));
    }

    @Test
    void loginDelayCountsFromThePreviousLoginOfAnotherSession() {
        String alice = newAccount();
        Duration delay = Duration.ofMinutes(5);
        client.acquireMaildropLease(alice, "r1/a", TTL, delay);
        client.releaseMaildropLease(alice, "r1/a");

        MaildropLeaseClient.Outcome tooSoon = client.acquireMaildropLease(alice, "r2/b", TTL, delay);
        Response raw = send("PUT", "/internal/v1/accounts/" + alice + "/maildrop/lease", internal(), "application/json",
                json.writeValueAsBytes(Map.of("owner", "r2/b", "ttlMillis", 60_000, "minIntervalMillis", 300_000)));

        assertThat(tooSoon).isInstanceOf(MaildropLeaseClient.TooSoon.class);
        assertThat(((MaildropLeaseClient.TooSoon) tooSoon).retryAfter()).isBetween(Duration.ofMinutes(4), delay);
        assertThat(raw.status()).isEqualTo(429);
        assertThat(raw.code()).isEqualTo("login-delay");
        assertThat(Long.parseLong(raw.header("Retry-After"))).isBetween(240L, 300L);
        assertThat(client.acquireMaildropLease(alice, "r2/b", TTL, Duration.ZERO))
                .as("without LOGIN-DELAY the free maildrop is taken").isInstanceOf(MaildropLeaseClient.Acquired.class);
        jdbc.sql("UPDATE maildrop_leases SET owner = NULL, acquired_at = now() - interval '6 minutes' "
                + "WHERE account_id = (SELECT id FROM accounts WHERE address = ?)").param(alice).update();
        assertThat(client.acquireMaildropLease(alice, "r3/c", TTL, delay)).isInstanceOf(MaildropLeaseClient.Acquired.class);
    }

    /** Makes the account's lease run out now, as if its holder had stopped renewing it long ago. */
    private void expire(String address) {
        jdbc.sql("UPDATE maildrop_leases SET expires_at = now() - interval '1 second' "
                + "WHERE account_id = (SELECT id FROM accounts WHERE address = ?)").param(address).update();
    }
}
