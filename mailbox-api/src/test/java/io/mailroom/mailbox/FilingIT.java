package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;

import io.mailroom.mailbox.blob.Sha256;
import tools.jackson.databind.JsonNode;

class FilingIT extends MailboxApiITBase {

    @org.springframework.beans.factory.annotation.Autowired
    private io.micrometer.core.instrument.MeterRegistry meters;

    @Test
    void filesIntoTheInboxOnceAndAnswersARepeatWithTheFirstResult() {
        String address = newAccount();
        byte[] message = message("once", "only once");

        Response first = file(address, "queue-1:" + address, message);
        Response repeat = file(address, "queue-1:" + address, message);

        assertThat(first.status()).isEqualTo(201);
        JsonNode filed = first.json();
        assertThat(filed.path("duplicate").asBoolean()).isFalse();
        assertThat(filed.path("mailboxId").asLong()).isEqualTo(mailboxId(address, "INBOX"));
        assertThat(filed.path("uid").asLong()).isEqualTo(1);
        assertThat(first.header("Location")).isEqualTo("/api/v1/accounts/" + address + "/mailboxes/"
                + filed.path("mailboxId").asLong() + "/messages/" + filed.path("messageId").asLong());

        assertThat(repeat.status()).isEqualTo(200);
        assertThat(repeat.json().path("duplicate").asBoolean()).isTrue();
        for (String field : List.of("messageId", "mailboxId", "uid", "modSeq")) {
            assertThat(repeat.json().path(field).asLong()).as(field).isEqualTo(filed.path(field).asLong());
        }
        assertThat(messagesIn(address)).hasSize(1);
    }

    @Test
    void concurrentRepeatsOfOneDeliveryFileExactlyOneMessage() throws Exception {
        String address = newAccount();
        byte[] message = message("race", "many hands");
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Response>> attempts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            attempts.add(() -> {
                start.await();
                return file(address, "race-delivery", message);
            });
        }
        List<Response> responses = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<Response>> futures = attempts.stream().map(pool::submit).toList();
            start.countDown();
            for (Future<Response> future : futures) {
                responses.add(future.get());
            }
        }

        assertThat(responses).extracting(Response::status).containsOnly(200, 201);
        assertThat(responses).filteredOn(r -> r.status() == 201).hasSize(1);
        assertThat(responses).extracting(r -> r.json().path("messageId").asLong()).containsOnly(
                responses.getFirst().json().path("messageId").asLong());
        assertThat(messagesIn(address)).hasSize(1);
        assertThat(refCount(message)).isEqualTo(1);
    }

    @Test
    void aBurstOfSingleFilingsGetsEachItsOwnAnswer() throws Exception {
        List<String> accounts = List.of(newAccount(), newAccount(), newAccount());
        String full = newAccount();
        jdbc.sql("UPDATE accounts SET quota_messages = 0 WHERE address = ?").param(full).update();
        String missing = "nobody-" + System.nanoTime() + "@" + full.substring(full.indexOf('@') + 1);
        double groupedBefore = meters.find("mailroom.filing.group.size").summary().totalAmount();
        // 30 distinct filings over three accounts, each of them twice, one for a full account and one for no account,
        // all at once: they are filed in groups, and each request still gets the answer a lone filing would
        List<Callable<Response>> requests = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            int n = i;
            String address = accounts.get(n % 3);
            byte[] message = message("burst " + n, "body " + n);
            requests.add(() -> file(address, "burst-" + n, message));
            requests.add(() -> file(address, "burst-" + n, message));
        }
        requests.add(() -> file(full, "burst-full", message("full", "no room")));
        requests.add(() -> file(missing, "burst-missing", message("missing", "nobody")));
        List<Response> responses = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Response>> futures = requests.stream().map(r -> pool.submit(() -> {
                start.await();
                return r.call();
            })).toList();
            start.countDown();
            for (Future<Response> future : futures) {
                responses.add(future.get());
            }
        }

        for (int i = 0; i < 30; i++) {
            Response a = responses.get(2 * i);
            Response b = responses.get(2 * i + 1);
            assertThat(List.of(a.status(), b.status())).as("delivery burst-" + i).containsExactlyInAnyOrder(200, 201);
            assertThat(a.json().path("messageId").asLong()).isEqualTo(b.json().path("messageId").asLong());
            Response first = a.status() == 201 ? a : b;
            assertThat(first.header("Location")).contains("/messages/" + first.json().path("messageId").asLong());
        }
        assertThat(responses.get(60).status()).isEqualTo(422);
        assertThat(responses.get(60).json().path("code").asString()).isEqualTo("quota-exceeded");
        assertThat(responses.get(61).status()).isEqualTo(404);
        assertThat(responses.get(61).json().path("code").asString()).isEqualTo("account-not-found");
        for (String address : accounts) {
            assertThat(messagesIn(address)).extracting(m -> m.path("uid").asLong())
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
        }
        assertThat(messagesIn(full)).isEmpty();
        // every parsed filing went through a group, the account-less one too (the group finds no account for it)
        assertThat(meters.find("mailroom.filing.group.size").summary().totalAmount() - groupedBefore).isEqualTo(62);
    }

    @Test
    void uidsAscendStrictlyWithoutGapsUnderConcurrentFiling() throws Exception {
        String address = newAccount();
        int messages = 24;
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            List<Future<Response>> futures = new ArrayList<>();
            for (int i = 0; i < messages; i++) {
                int n = i;
                futures.add(pool.submit(() -> file(address, "parallel-" + n, message("parallel " + n, "body " + n))));
            }
            for (Future<Response> future : futures) {
                assertThat(future.get().status()).isEqualTo(201);
            }
        }

        List<JsonNode> listed = messagesIn(address);
        assertThat(listed).extracting(m -> m.path("uid").asLong())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, messages).boxed().toList());
        assertThat(listed).extracting(m -> m.path("modSeq").asLong()).doesNotHaveDuplicates().isSorted();
        JsonNode inbox = StreamSupport.stream(get("/api/v1/accounts/" + address + "/mailboxes", admin()).json().spliterator(), false)
                .filter(m -> m.path("role").asString().equals("INBOX")).findFirst().orElseThrow();
        assertThat(inbox.path("uidNext").asLong()).isEqualTo(messages + 1);
        assertThat(inbox.path("messages").asLong()).isEqualTo(messages);
        assertThat(inbox.path("unseen").asLong()).isEqualTo(messages);
        assertThat(inbox.path("highestModSeq").asLong()).isEqualTo(listed.getLast().path("modSeq").asLong());
    }

    @Test
    void keepsTheExactBytesWithCrlfAnd8BitContent() {
        String address = newAccount();
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        raw.writeBytes("Subject: =?UTF-8?B?R3LDvMOfZQ==?= und mehr\r\nFrom: =?ISO-8859-1?Q?J=F6rg?= <Joerg@Example.org>\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        raw.writeBytes("X-Raw: Grüße aus Köln\r\nMessage-ID: <8bit@example.org>\r\n\r\n".getBytes(StandardCharsets.UTF_8));
        for (int b = 0; b < 256; b++) {
            raw.write(b); // every byte value, NUL, bare CR and bare LF included
        }
        raw.writeBytes("\r\nline two\nline three without CR\r\nlast line without break".getBytes(StandardCharsets.US_ASCII));
        byte[] message = raw.toByteArray();

        Response filed = file(address, "eight-bit", message);
        assertThat(filed.status()).isEqualTo(201);
        long mailboxId = filed.json().path("mailboxId").asLong();
        long messageId = filed.json().path("messageId").asLong();
        String messagePath = "/api/v1/accounts/" + address + "/mailboxes/" + mailboxId + "/messages/" + messageId;

        Response rawResponse = get(messagePath + "/raw", admin());
        assertThat(rawResponse.status()).isEqualTo(200);
        assertThat(rawResponse.header("Content-Type")).isEqualTo("message/rfc822");
        assertThat(rawResponse.header("Content-Length")).isEqualTo(Integer.toString(message.length));
        assertThat(rawResponse.body()).isEqualTo(message);

        JsonNode metadata = get(messagePath, admin()).json();
        assertThat(metadata.path("subject").asString()).isEqualTo("Grüße und mehr");
        assertThat(metadata.path("from").asString()).isEqualToIgnoringCase("joerg@example.org");
        assertThat(metadata.path("fromName").asString()).isEqualTo("Jörg");
        assertThat(metadata.path("messageId").asString()).isEqualTo("<8bit@example.org>");
        assertThat(metadata.path("size").asLong()).isEqualTo(message.length);
        int headerSize = new String(message, StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n") + 4;
        assertThat(metadata.path("headerSize").asInt()).isEqualTo(headerSize);
        assertThat(metadata.path("flags").size()).isZero();
    }

    @Test
    void streamsLargeMessagesUnchanged() {
        String address = newAccount();
        byte[] body = new byte[MAX_MESSAGE_SIZE - 1024];
        new Random(42).nextBytes(body);
        byte[] head = "Subject: large\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[head.length + body.length];
        System.arraycopy(head, 0, message, 0, head.length);
        System.arraycopy(body, 0, message, head.length, body.length);

        Response filed = file(address, "large", message);
        assertThat(filed.status()).isEqualTo(201);

        Response raw = get("/api/v1/accounts/" + address + "/mailboxes/" + filed.json().path("mailboxId").asLong()
                + "/messages/" + filed.json().path("messageId").asLong() + "/raw", admin());
        assertThat(raw.body()).hasSize(message.length);
        assertThat(Sha256.hex(raw.body())).isEqualTo(Sha256.hex(message));
    }

    @Test
    void storesOneBodyForMany() {
        String domain = newDomain();
        String alice = newAccount(domain, "alice");
        String bob = newAccount(domain, "bob");
        byte[] message = message("to both", "shared body " + System.nanoTime());

        assertThat(file(alice, "shared-1:alice", message).status()).isEqualTo(201);
        assertThat(file(bob, "shared-1:bob", message).status()).isEqualTo(201);

        assertThat(refCount(message)).isEqualTo(2);
        assertThat(jdbc.sql("SELECT count(*) FROM blobs WHERE sha256 = ?").param(Sha256.hex(message)).query(Long.class).single())
                .isEqualTo(1);
    }

    @Test
    void refusesAMessageAboveTheLimit() {
        String address = newAccount();

        Response tooLarge = file(address, "too-large", new byte[MAX_MESSAGE_SIZE + 1]);

        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.code()).isEqualTo("message-too-large");
        assertThat(messagesIn(address)).isEmpty();
    }

    @Test
    void refusesWhatIsNoMessage() {
        String address = newAccount();

        Response empty = file(address, "empty", new byte[0]);
        Response json = send("PUT", "/internal/v1/accounts/" + address + "/deliveries/json", internal(), "application/json",
                "{}".getBytes(StandardCharsets.UTF_8));
        Response unknownAccount = file("nobody@" + newDomain(), "lost", message("x", "y"));

        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.code()).isEqualTo("validation");
        assertThat(json.status()).isEqualTo(415);
        assertThat(json.code()).isEqualTo("unsupported-media-type");
        assertThat(unknownAccount.status()).isEqualTo(404);
        assertThat(unknownAccount.code()).isEqualTo("account-not-found");
    }

    @Test
    void aQuotaRefusalWritesNothingAndLeavesTheDeliveryIdFree() {
        String address = newAccount();
        Response first = file(address, "fits", message("first", "fits"));
        assertThat(first.status()).isEqualTo(201);
        jdbc.sql("UPDATE accounts SET quota_messages = 1 WHERE address = ?").param(address).update();
        String usageSql = "SELECT q.storage || '/' || q.messages FROM quota_usage q JOIN accounts a ON a.id = q.account_id WHERE a.address = ?";
        String usage = jdbc.sql(usageSql).param(address).query(String.class).single();
        byte[] refusedMessage = message("second", "does not fit " + System.nanoTime());

        Response refused = file(address, "over", refusedMessage);
        Response repeat = file(address, "fits", message("first", "fits"));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.code()).isEqualTo("quota-exceeded");
        // a repeat is answered from its record even though the account is full now
        assertThat(repeat.status()).isEqualTo(200);
        assertThat(repeat.json().path("duplicate").asBoolean()).isTrue();
        assertThat(repeat.json().path("uid").asLong()).isEqualTo(1);
        assertThat(jdbc.sql(usageSql).param(address).query(String.class).single()).isEqualTo(usage);
        assertThat(jdbc.sql("SELECT count(*) FROM deliveries d JOIN accounts a ON a.id = d.account_id WHERE a.address = ?")
                .param(address).query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM message_contents c JOIN accounts a ON a.id = c.account_id WHERE a.address = ?")
                .param(address).query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM blobs WHERE sha256 = ?").param(Sha256.hex(refusedMessage))
                .query(Long.class).single()).isZero();
        assertThat(messagesIn(address)).hasSize(1);

        // once there is room, the same delivery id files, with the next UID (the refusal took none)
        jdbc.sql("UPDATE accounts SET quota_messages = NULL WHERE address = ?").param(address).update();
        Response later = file(address, "over", refusedMessage);
        assertThat(later.status()).isEqualTo(201);
        assertThat(later.json().path("uid").asLong()).isEqualTo(2);
        assertThat(refCount(refusedMessage)).isEqualTo(1);
    }

    @Test
    void anUnknownAccountIsNamedBeforeWhatIsWrongWithTheBody() {
        String nobody = "nobody@" + newDomain();

        Response empty = file(nobody, "empty", new byte[0]);
        Response tooLarge = file(nobody, "too-large", new byte[MAX_MESSAGE_SIZE + 1]);
        Response fine = file(nobody, "fine", message("x", "y"));

        assertThat(empty.status()).isEqualTo(404);
        assertThat(empty.code()).isEqualTo("account-not-found");
        assertThat(tooLarge.status()).isEqualTo(404);
        assertThat(fine.status()).isEqualTo(404);
        assertThat(fine.code()).isEqualTo("account-not-found");
        // an address in another case files into the same account, and the Location names the account as stored
        String address = newAccount();
        Response upper = file(address.toUpperCase(java.util.Locale.ROOT), "upper", message("case", "insensitive"));
        assertThat(upper.status()).isEqualTo(201);
        assertThat(upper.header("Location")).startsWith("/api/v1/accounts/" + address + "/mailboxes/");
        assertThat(messagesIn(address)).hasSize(1);
    }

    @Test
    void threadsAFiledReplyWithTheMessageItAnswers() {
        String address = newAccount();
        byte[] original = ("From: a@example.org\r\nSubject: question\r\nMessage-ID: <q-" + System.nanoTime()
                + "@example.org>\r\n\r\nwhy?\r\n").getBytes(StandardCharsets.US_ASCII);
        String messageId = new String(original, StandardCharsets.US_ASCII).replaceAll("(?s).*Message-ID: (<[^>]+>).*", "$1");
        byte[] reply = ("From: b@example.org\r\nSubject: Re: question\r\nIn-Reply-To: " + messageId
                + "\r\n\r\nbecause\r\n").getBytes(StandardCharsets.US_ASCII);

        Response first = file(address, "question", original);
        Response second = file(address, "reply", reply);
        Response unrelated = file(address, "other", message("other", "unrelated"));

        String threadSql = "SELECT thread_id FROM messages WHERE id = ?";
        String emailSql = "SELECT email_id FROM messages WHERE id = ?";
        long firstThread = jdbc.sql(threadSql).param(first.json().path("messageId").asLong()).query(Long.class).single();
        assertThat(firstThread).isEqualTo(jdbc.sql(emailSql).param(first.json().path("messageId").asLong())
                .query(Long.class).single());
        assertThat(jdbc.sql(threadSql).param(second.json().path("messageId").asLong()).query(Long.class).single())
                .isEqualTo(firstThread);
        assertThat(jdbc.sql(threadSql).param(unrelated.json().path("messageId").asLong()).query(Long.class).single())
                .isNotEqualTo(firstThread);

        // the same reply in another account, which does not have the question, and a reply to a message nobody has,
        // each start their own thread
        String elsewhere = newAccount();
        Response alone = file(elsewhere, "reply", reply);
        long aloneId = alone.json().path("messageId").asLong();
        assertThat(jdbc.sql(threadSql).param(aloneId).query(Long.class).single())
                .isEqualTo(jdbc.sql(emailSql).param(aloneId).query(Long.class).single());
        Response orphan = file(address, "orphan", ("From: c@example.org\r\nSubject: Re: lost\r\nReferences: <gone@example.org> "
                + "<also-gone@example.org>\r\n\r\nhm\r\n").getBytes(StandardCharsets.US_ASCII));
        long orphanId = orphan.json().path("messageId").asLong();
        assertThat(jdbc.sql(threadSql).param(orphanId).query(Long.class).single())
                .isEqualTo(jdbc.sql(emailSql).param(orphanId).query(Long.class).single());
    }

    private List<JsonNode> messagesIn(String address) {
        Response page = get("/api/v1/accounts/" + address + "/mailboxes/" + mailboxId(address, "INBOX") + "/messages?limit=500", admin());
        assertThat(page.status()).isEqualTo(200);
        return StreamSupport.stream(page.json().path("items").spliterator(), false).toList();
    }

    private long refCount(byte[] message) {
        return jdbc.sql("SELECT ref_count FROM blobs WHERE sha256 = ?").param(Sha256.hex(message)).query(Long.class).single();
    }
}
