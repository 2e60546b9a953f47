package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiProperties;
import io.mailroom.mailbox.client.store.ExpungeResult;
import io.mailroom.mailbox.client.store.FetchOptions;
import io.mailroom.mailbox.client.store.FlagUpdate;
import io.mailroom.mailbox.client.store.Flags;
import io.mailroom.mailbox.client.store.HttpMailboxStoreClient;
import io.mailroom.mailbox.client.store.MailboxInfo;
import io.mailroom.mailbox.client.store.MessageMetadata;
import io.mailroom.mailbox.client.store.UidSet;

/**
 * Many writers on one mailbox at once, over real HTTP and PostgreSQL: UIDs stay unique and ascending and are never
 * reused, every change has a MODSEQ of its own, counters and quota usage stay exact, and nothing deadlocks.
 */
class StoreConcurrencyIT extends MailboxApiITBase {

    private HttpMailboxStoreClient store;
    private ExecutorService pool;

    @BeforeEach
    void connect() {
        store = HttpMailboxStoreClient.create(new MailboxApiProperties(URI.create("http://127.0.0.1:" + port),
                Duration.ofSeconds(2), Duration.ofSeconds(60)), INTERNAL_TOKEN);
        pool = Executors.newFixedThreadPool(8);
    }

    @AfterEach
    void disconnect() {
        pool.shutdownNow();
        store.close();
    }

    @Test
    void concurrentAppendsGetDistinctAscendingUidsAndModSeqs() throws Exception {
        String account = newAccount();
        long inbox = inbox(account);
        List<Callable<MessageMetadata>> appends = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            byte[] content = message("concurrent " + i, "body " + i);
            appends.add(() -> append(account, inbox, content));
        }

        List<MessageMetadata> appended = runAll(appends);

        assertThat(appended).extracting(MessageMetadata::uid).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(range(1, 160));
        assertThat(appended).extracting(MessageMetadata::modSeq).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(range(2, 161));
        MailboxInfo mailbox = store.mailbox(account, inbox).orElseThrow();
        assertThat(mailbox.messages()).isEqualTo(160);
        assertThat(mailbox.uidNext()).isEqualTo(161);
        assertThat(mailbox.highestModSeq()).isEqualTo(161);
        long storage = appended.stream().mapToLong(MessageMetadata::size).sum();
        assertThat(store.quota(account).storageUsed()).isEqualTo(storage);
        assertThat(store.quota(account).messagesUsed()).isEqualTo(160);
        assertConsistent(account, inbox);
    }

    @Test
    void concurrentAppendsExpungesFlagsAndCopiesStayConsistent() throws Exception {
        String account = newAccount();
        long inbox = inbox(account);
        long archive = store.mailboxByName(account, "Archive").orElseThrow().id();
        for (int i = 0; i < 80; i++) {
            append(account, inbox, message("seed " + i, "b"));
        }
        List<Callable<Object>> work = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            byte[] content = message("more " + i, "b");
            work.add(() -> append(account, inbox, content));
        }
        for (int i = 0; i < 20; i++) {
            long uid = 1 + i * 4L;
            work.add(() -> store.expunge(account, inbox, UidSet.range(uid, uid + 1), false));
            work.add(() -> store.updateFlags(account, inbox, UidSet.range(uid, uid + 3), FlagUpdate.add(Flags.SEEN), null));
            work.add(() -> store.copy(account, inbox, UidSet.range(uid + 1, uid + 2), archive));
            work.add(() -> store.move(account, archive, UidSet.all(), inbox));
        }
        Collections.shuffle(work);

        runAll(work);

        List<MessageMetadata> messages = store.fetchAll(account, inbox, UidSet.all(), FetchOptions.metadata());
        List<Long> expunged = jdbc.sql("SELECT uid FROM expunged e JOIN mailboxes m ON m.id = e.mailbox_id WHERE e.mailbox_id = ?")
                .param(inbox).query(Long.class).list();
        assertThat(messages).extracting(MessageMetadata::uid).isSorted().doesNotHaveDuplicates()
                .doesNotContainAnyElementsOf(expunged);
        assertThat(expunged).as("1,2 5,6 … 77,78 were expunged").hasSizeGreaterThanOrEqualTo(40);
        assertConsistent(account, inbox);
        assertConsistent(account, archive);
        long rows = jdbc.sql("SELECT count(*) FROM messages m JOIN accounts a ON a.id = m.account_id WHERE a.address = ?")
                .param(account).query(Long.class).single();
        assertThat(store.quota(account).messagesUsed()).isEqualTo(rows);
        assertThat(jdbc.sql("""
                        SELECT count(*) FROM blobs b
                         WHERE b.ref_count <> (SELECT count(*) FROM messages m WHERE m.blob_sha256 = b.sha256)
                           AND EXISTS (SELECT 1 FROM messages m JOIN accounts a ON a.id = m.account_id
                                        WHERE m.blob_sha256 = b.sha256 AND a.address = ?)""")
                .param(account).query(Long.class).single())
                .as("every body is referenced exactly as often as messages hold it").isZero();
    }

    @Test
    void theQuotaHoldsExactlyUnderConcurrentWrites() throws Exception {
        String account = newAccount();
        long inbox = inbox(account);
        jdbc.sql("UPDATE accounts SET quota_messages = 25 WHERE address = ?").param(account).update();
        AtomicInteger refused = new AtomicInteger();
        List<Callable<Object>> appends = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            byte[] content = message("q " + i, "b");
            appends.add(() -> {
                try {
                    return append(account, inbox, content);
                } catch (MailboxApiException e) {
                    assertThat(e.code()).isEqualTo("quota-exceeded");
                    return refused.incrementAndGet();
                }
            });
        }

        runAll(appends);

        assertThat(refused.get()).isEqualTo(35);
        assertThat(store.quota(account).messagesUsed()).isEqualTo(25);
        MailboxInfo mailbox = store.mailbox(account, inbox).orElseThrow();
        assertThat(mailbox.messages()).isEqualTo(25);
        assertThat(mailbox.uidNext()).as("a refused append takes no UID").isEqualTo(26);
    }

    @Test
    void concurrentExpungesOfTheSameMessagesRemoveEachOnce() throws Exception {
        String account = newAccount();
        long inbox = inbox(account);
        for (int i = 0; i < 30; i++) {
            append(account, inbox, message("x " + i, "b"));
        }
        List<Callable<ExpungeResult>> expunges = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            expunges.add(() -> store.expunge(account, inbox, UidSet.range(1, 30), false));
        }

        List<ExpungeResult> results = runAll(expunges);

        assertThat(results.stream().mapToInt(r -> r.expunged().size()).sum()).isEqualTo(30);
        assertThat(jdbc.sql("SELECT count(*) FROM expunged WHERE mailbox_id = ?").param(inbox).query(Long.class).single())
                .isEqualTo(30);
        assertThat(store.quota(account).messagesUsed()).isZero();
        assertConsistent(account, inbox);
    }

    /** The counters the triggers keep match the rows, and no two changes in the mailbox share a MODSEQ. */
    private void assertConsistent(String account, long mailboxId) {
        MailboxInfo mailbox = store.mailbox(account, mailboxId).orElseThrow();
        long count = jdbc.sql("SELECT count(*) FROM messages WHERE mailbox_id = ?").param(mailboxId).query(Long.class).single();
        long unseen = jdbc.sql("SELECT count(*) FROM messages WHERE mailbox_id = ? AND flags & 1 = 0").param(mailboxId).query(Long.class).single();
        long size = jdbc.sql("SELECT coalesce(sum(size), 0) FROM messages WHERE mailbox_id = ?").param(mailboxId).query(Long.class).single();
        long maxUid = jdbc.sql("SELECT coalesce(max(uid), 0) FROM (SELECT uid FROM messages WHERE mailbox_id = ? UNION ALL SELECT uid FROM expunged WHERE mailbox_id = ?) u")
                .params(mailboxId, mailboxId).query(Long.class).single();
        assertThat(mailbox.messages()).isEqualTo(count);
        assertThat(mailbox.unseen()).isEqualTo(unseen);
        assertThat(mailbox.size()).isEqualTo(size);
        assertThat(mailbox.uidNext()).isGreaterThan(maxUid);
        List<Long> modSeqs = jdbc.sql("SELECT modseq FROM messages WHERE mailbox_id = ? UNION ALL SELECT modseq FROM expunged WHERE mailbox_id = ?")
                .params(mailboxId, mailboxId).query(Long.class).list();
        assertThat(modSeqs).doesNotHaveDuplicates().allSatisfy(m -> assertThat(m).isLessThanOrEqualTo(mailbox.highestModSeq()));
    }

    private <T> List<T> runAll(List<? extends Callable<T>> tasks) throws Exception {
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> task : tasks) {
            futures.add(pool.submit(task));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get(120, TimeUnit.SECONDS));
        }
        return results;
    }

    private MessageMetadata append(String account, long mailbox, byte[] content) {
        return store.append(account, mailbox, new ByteArrayInputStream(content), content.length, Set.of(), null);
    }

    private long inbox(String account) {
        return store.mailboxByName(account, "INBOX").orElseThrow().id();
    }

    private static List<Long> range(long from, long to) {
        List<Long> values = new ArrayList<>();
        for (long v = from; v <= to; v++) {
            values.add(v);
        }
        return values;
    }
}
