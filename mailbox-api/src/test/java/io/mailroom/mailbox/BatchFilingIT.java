package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.mailroom.mailbox.blob.Sha256;
import io.mailroom.mailbox.client.DeliveryReport;
import io.mailroom.mailbox.client.FiledMessage;
import io.mailroom.mailbox.client.FilingOutcome;
import io.mailroom.mailbox.client.FilingRecipient;
import io.mailroom.mailbox.client.MessageDelivery;
import io.mailroom.mailbox.client.HttpMailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiProperties;
import io.mailroom.mailbox.client.RecipientResolution;
import tools.jackson.databind.JsonNode;

/**
 * One message filed for many recipients in one request ({@code POST /internal/v1/deliveries}) and many addresses
 * resolved in one ({@code POST /internal/v1/recipients/resolutions}), through mailbox-client's HTTP client as
 * delivery-service calls them.
 */
class BatchFilingIT extends MailboxApiITBase {

    private HttpMailboxApiClient client;

    @BeforeEach
    void connect() {
        client = HttpMailboxApiClient.create(new MailboxApiProperties(URI.create("http://127.0.0.1:" + port),
                Duration.ofSeconds(2), Duration.ofSeconds(20)), INTERNAL_TOKEN);
    }

    @AfterEach
    void disconnect() {
        client.close();
    }

    @Test
    void filesEveryRecipientWithItsOwnOutcomeAndStoresTheBodyOnce() {
        String domain = newDomain();
        String alice = newAccount(domain, "alice");
        String bob = newAccount(domain, "bob");
        String full = newAccount(domain, "full");
        jdbc.sql("UPDATE accounts SET quota_messages = 0 WHERE address = ?").param(full).update();
        byte[] message = message("to many", "one body " + System.nanoTime());
        List<FilingRecipient> recipients = List.of(new FilingRecipient(bob, "q-1:" + bob),
                new FilingRecipient("nobody@" + domain, "q-1:nobody"), new FilingRecipient(full, "q-1:" + full),
                new FilingRecipient(alice.toUpperCase(), "q-1:" + alice));

        List<FilingOutcome> outcomes = client.fileMessages(recipients, message, "trace-batch");

        assertThat(outcomes).extracting(FilingOutcome::recipient).containsExactlyElementsOf(recipients);
        assertThat(outcomes.get(0).isFiled()).isTrue();
        assertThat(outcomes.get(0).filed().duplicate()).isFalse();
        assertThat(outcomes.get(0).filed().mailboxId()).isEqualTo(mailboxId(bob, "INBOX"));
        assertThat(outcomes.get(0).filed().uid()).isEqualTo(1);
        assertThat(outcomes.get(1).code()).isEqualTo("account-not-found");
        assertThat(outcomes.get(2).code()).isEqualTo("quota-exceeded");
        assertThat(outcomes.get(2).detail()).contains("quota");
        assertThat(outcomes.get(3).isFiled()).isTrue();
        assertThat(outcomes.get(3).filed().mailboxId()).isEqualTo(mailboxId(alice, "INBOX"));
        assertThat(rawOf(bob, outcomes.get(0).filed())).isEqualTo(message);
        assertThat(rawOf(alice, outcomes.get(3).filed())).isEqualTo(message);
        assertThat(messagesIn(full)).isEmpty();
        assertThat(refCount(message)).isEqualTo(2);
        // each delivery record holds where its copy went (the records are written for the whole chunk at once)
        for (int i : new int[] {0, 3}) {
            FiledMessage filed = outcomes.get(i).filed();
            assertThat(jdbc.sql("SELECT mailbox_id || ' ' || uid || ' ' || modseq FROM deliveries WHERE delivery_id = ?")
                    .param(recipients.get(i).deliveryId()).query(String.class).single())
                    .isEqualTo(filed.mailboxId() + " " + filed.uid() + " " + filed.modSeq());
        }
        assertThat(jdbc.sql("SELECT count(*) FROM deliveries WHERE delivery_id IN ('q-1:nobody', ?)")
                .param("q-1:" + full).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT storage FROM quota_usage q JOIN accounts a ON a.id = q.account_id WHERE a.address = ?")
                .param(full).query(Long.class).single()).isZero();
        // the quota refusal left no record behind: once there is room, the same delivery id files
        jdbc.sql("UPDATE accounts SET quota_messages = NULL WHERE address = ?").param(full).update();
        FiledMessage later = client.fileMessage(full, "q-1:" + full, message, null);
        assertThat(later.duplicate()).isFalse();
        assertThat(refCount(message)).isEqualTo(3);
    }

    @Test
    void theSameDeliveryTwiceInOneBatchFilesOneCopy() {
        String domain = newDomain();
        String alice = newAccount(domain, "alice");
        byte[] message = message("twice", "in one request " + System.nanoTime());
        FilingRecipient once = new FilingRecipient(alice, "q-twice:" + alice);

        List<FilingOutcome> outcomes = client.fileMessages(List.of(once, once), message, null);

        assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.isFiled()).isTrue());
        assertThat(outcomes.get(0).filed().duplicate()).isFalse();
        assertThat(outcomes.get(1).filed().duplicate()).isTrue();
        assertThat(outcomes.get(1).filed().uid()).isEqualTo(outcomes.get(0).filed().uid());
        assertThat(messagesIn(alice)).hasSize(1);
        assertThat(refCount(message)).isEqualTo(1);
    }

    @Test
    void aRepeatedBatchAnswersWithTheFirstResultsAndStoresNothing() {
        String domain = newDomain();
        String alice = newAccount(domain, "alice");
        String bob = newAccount(domain, "bob");
        byte[] message = message("twice", "same body " + System.nanoTime());
        List<FilingRecipient> recipients = List.of(new FilingRecipient(alice, "q-2:" + alice),
                new FilingRecipient(bob, "q-2:" + bob));

        List<FilingOutcome> first = client.fileMessages(recipients, message, null);
        List<FilingOutcome> repeat = client.fileMessages(recipients, message, null);
        FiledMessage single = client.fileMessage(bob, "q-2:" + bob, message, null);

        for (int i = 0; i < recipients.size(); i++) {
            FiledMessage filed = first.get(i).filed();
            FiledMessage again = repeat.get(i).filed();
            assertThat(filed.duplicate()).isFalse();
            assertThat(again.duplicate()).isTrue();
            assertThat(again).isEqualTo(new FiledMessage(filed.messageId(), filed.mailboxId(), filed.uid(), filed.modSeq(), true));
        }
        assertThat(single.duplicate()).isTrue();
        assertThat(single.uid()).isEqualTo(first.get(1).filed().uid());
        assertThat(messagesIn(alice)).hasSize(1);
        assertThat(messagesIn(bob)).hasSize(1);
        assertThat(refCount(message)).isEqualTo(2);
    }

    @Test
    void concurrentBatchesAndSingleFilingsOfTheSameDeliveriesFileEachOnce() throws Exception {
        String domain = newDomain();
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            accounts.add(newAccount(domain, "user" + i));
        }
        byte[] message = message("race", "many hands " + System.nanoTime());
        List<FilingRecipient> forward = accounts.stream().map(a -> new FilingRecipient(a, "race:" + a)).toList();
        List<FilingRecipient> backward = forward.reversed();
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Object>> attempts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            List<FilingRecipient> order = i % 2 == 0 ? forward : backward;
            attempts.add(() -> {
                start.await();
                return client.fileMessages(order, message, null);
            });
        }
        for (String account : accounts) {
            attempts.add(() -> {
                start.await();
                return client.fileMessage(account, "race:" + account, message, null);
            });
        }
        List<Object> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(attempts.size())) {
            List<Future<Object>> futures = attempts.stream().map(pool::submit).toList();
            start.countDown();
            for (Future<Object> future : futures) {
                results.add(future.get());
            }
        }

        for (String account : accounts) {
            assertThat(messagesIn(account)).as(account).hasSize(1);
        }
        List<FiledMessage> filed = new ArrayList<>();
        for (Object result : results) {
            if (result instanceof FiledMessage single) {
                filed.add(single);
            } else {
                for (Object outcome : (List<?>) result) {
                    assertThat(((FilingOutcome) outcome).isFiled()).isTrue();
                    filed.add(((FilingOutcome) outcome).filed());
                }
            }
        }
        assertThat(filed).filteredOn(f -> !f.duplicate()).hasSize(accounts.size());
        assertThat(refCount(message)).isEqualTo(accounts.size());
    }

    @Test
    void resolvesAndFilesByAddressInOneRequest() {
        String domain = newDomain();
        String alice = newAccount(domain, "alice");
        String bob = newAccount(domain, "bob");
        String full = newAccount(domain, "full");
        jdbc.sql("UPDATE accounts SET quota_messages = 0 WHERE address = ?").param(full).update();
        assertThat(post("/api/v1/aliases", admin(), java.util.Map.of("address", "team@" + domain,
                "targets", List.of(alice, bob, "partner@example.net"))).status()).isEqualTo(201);
        byte[] message = message("by address", "resolved and filed at once " + System.nanoTime());
        List<String> addresses = List.of(alice.toUpperCase(), "team@" + domain, "nobody@" + domain,
                "someone@elsewhere.example", full);

        DeliveryReport report = client.deliver(addresses, "q-9:", List.of(), message, "trace-by-address");

        assertThat(report.resolutions()).extracting(RecipientResolution::status).containsExactly(
                RecipientResolution.Status.DELIVERABLE, RecipientResolution.Status.DELIVERABLE,
                RecipientResolution.Status.UNKNOWN_USER, RecipientResolution.Status.NON_LOCAL_DOMAIN,
                RecipientResolution.Status.DELIVERABLE);
        assertThat(report.resolutions().get(0).address()).isEqualTo(alice.toUpperCase());
        assertThat(report.resolutions().get(1).accounts()).containsExactly(alice, bob);
        assertThat(report.resolutions().get(1).forwards()).containsExactly("partner@example.net");
        // alice is reached twice and filed once; each copy under prefix + account, as delivery-service names them
        assertThat(report.outcomes()).extracting(o -> o.recipient().account()).containsExactly(alice, bob, full);
        assertThat(report.outcomes()).extracting(o -> o.recipient().deliveryId())
                .containsExactly("q-9:" + alice, "q-9:" + bob, "q-9:" + full);
        assertThat(report.outcomeOf(alice).filed().duplicate()).isFalse();
        assertThat(report.outcomeOf(bob).filed().mailboxId()).isEqualTo(mailboxId(bob, "INBOX"));
        assertThat(report.outcomeOf(full).code()).isEqualTo("quota-exceeded");
        assertThat(rawOf(alice, report.outcomeOf(alice).filed())).isEqualTo(message);
        assertThat(refCount(message)).isEqualTo(2);

        // a retry of the same message: the accounts done are skipped, the others answer as duplicates
        DeliveryReport again = client.deliver(addresses, "q-9:", List.of(bob.toUpperCase()), message, null);
        FiledMessage single = client.fileMessage(alice, "q-9:" + alice, message, null);

        assertThat(again.outcomes()).extracting(o -> o.recipient().account()).containsExactly(alice, full);
        assertThat(again.outcomeOf(alice).filed()).isEqualTo(new FiledMessage(report.outcomeOf(alice).filed().messageId(),
                report.outcomeOf(alice).filed().mailboxId(), report.outcomeOf(alice).filed().uid(),
                report.outcomeOf(alice).filed().modSeq(), true));
        assertThat(single.duplicate()).isTrue();
        assertThat(messagesIn(alice)).hasSize(1);
        assertThat(messagesIn(bob)).hasSize(1);
        assertThat(messagesIn(full)).isEmpty();
        assertThat(refCount(message)).isEqualTo(2);
    }

    @Test
    void aFilingByAddressWithAnAddressThatIsNoneFilesNothing() {
        String domain = newDomain();
        String alice = newAccount(domain, "alice");
        byte[] message = message("not one", "an address that is none " + System.nanoTime());

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.deliver(List.of(alice, "no-at-sign"), "q-10:",
                        List.of(), message, null))
                .isInstanceOfSatisfying(io.mailroom.mailbox.client.MailboxApiException.class,
                        e -> assertThat(e.code()).isEqualTo("invalid-address"));
        DeliveryReport none = client.deliver(List.of("nobody@" + domain), "q-10:", List.of(), message, null);

        assertThat(messagesIn(alice)).isEmpty();
        assertThat(none.resolutions()).extracting(RecipientResolution::status)
                .containsExactly(RecipientResolution.Status.UNKNOWN_USER);
        assertThat(none.outcomes()).isEmpty();
        assertThat(jdbc.sql("SELECT count(*) FROM deliveries WHERE delivery_id LIKE 'q-10:%'").query(Long.class).single())
                .isZero();
    }

    @Test
    void resolvesManyAddressesInOneCallInTheirOrder() {
        String domain = newDomain();
        String alice = newAccount(domain, "alice");
        String bob = newAccount(domain, "bob");

        List<RecipientResolution> resolutions = client.resolveRecipients(List.of(bob, "nobody@" + domain,
                "someone@elsewhere.example", alice.toUpperCase()));

        assertThat(resolutions).extracting(RecipientResolution::status).containsExactly(
                RecipientResolution.Status.DELIVERABLE, RecipientResolution.Status.UNKNOWN_USER,
                RecipientResolution.Status.NON_LOCAL_DOMAIN, RecipientResolution.Status.DELIVERABLE);
        assertThat(resolutions.get(0).accounts()).containsExactly(bob);
        assertThat(resolutions.get(3).accounts()).containsExactly(alice);
        assertThat(resolutions.get(3).address()).isEqualTo(alice.toUpperCase());
    }

    @Test
    void filesManyMessagesEachForItsOwnAccountInOneRequestEachWithItsOwnOutcome() {
        String domain = newDomain();
        String alice = newAccount(domain, "alice");
        String bob = newAccount(domain, "bob");
        String full = newAccount(domain, "full");
        jdbc.sql("UPDATE accounts SET quota_messages = 0 WHERE address = ?").param(full).update();
        long tag = System.nanoTime();
        byte[] toAlice = message("first", "for alice " + tag);
        byte[] toBob = message("second", "for bob " + tag);
        byte[] toFull = message("third", "for a full mailbox " + tag);
        byte[] toNobody = message("fourth", "for nobody " + tag);
        byte[] againToAlice = message("fifth", "alice again " + tag);
        List<MessageDelivery> deliveries = List.of(
                new MessageDelivery(new FilingRecipient(bob, "m-1:" + bob), toBob),
                new MessageDelivery(new FilingRecipient(alice, "m-1:" + alice), toAlice),
                new MessageDelivery(new FilingRecipient(full, "m-1:" + full), toFull),
                new MessageDelivery(new FilingRecipient("nobody@" + domain, "m-1:nobody"), toNobody),
                new MessageDelivery(new FilingRecipient(alice, "m-1:empty"), new byte[0]),
                new MessageDelivery(new FilingRecipient(alice.toUpperCase(), "m-2:" + alice), againToAlice));

        List<FilingOutcome> outcomes = client.fileEach(deliveries, "trace-many");

        assertThat(outcomes).extracting(FilingOutcome::recipient)
                .containsExactlyElementsOf(deliveries.stream().map(MessageDelivery::recipient).toList());
        assertThat(outcomes.get(0).isFiled()).isTrue();
        assertThat(outcomes.get(0).filed().duplicate()).isFalse();
        assertThat(outcomes.get(0).filed().mailboxId()).isEqualTo(mailboxId(bob, "INBOX"));
        assertThat(rawOf(bob, outcomes.get(0).filed())).isEqualTo(toBob);
        assertThat(rawOf(alice, outcomes.get(1).filed())).isEqualTo(toAlice);
        assertThat(rawOf(alice, outcomes.get(5).filed())).isEqualTo(againToAlice);
        assertThat(List.of(outcomes.get(1).filed().uid(), outcomes.get(5).filed().uid())).containsExactly(1L, 2L);
        assertThat(outcomes.get(2).code()).isEqualTo("quota-exceeded");
        assertThat(outcomes.get(3).code()).isEqualTo("account-not-found");
        assertThat(outcomes.get(4).code()).isEqualTo("validation");
        assertThat(messagesIn(alice)).hasSize(2);
        assertThat(messagesIn(bob)).hasSize(1);
        assertThat(messagesIn(full)).isEmpty();
        assertThat(jdbc.sql("SELECT count(*) FROM deliveries WHERE delivery_id IN ('m-1:nobody', 'm-1:empty', ?)")
                .param("m-1:" + full).query(Long.class).single()).as("no record of what was refused").isZero();
        for (int i : new int[] {0, 1, 5}) {
            FiledMessage filed = outcomes.get(i).filed();
            assertThat(jdbc.sql("SELECT mailbox_id || ' ' || uid || ' ' || modseq FROM deliveries WHERE delivery_id = ?")
                    .param(deliveries.get(i).recipient().deliveryId()).query(String.class).single())
                    .isEqualTo(filed.mailboxId() + " " + filed.uid() + " " + filed.modSeq());
            assertThat(refCount(deliveries.get(i).content())).isEqualTo(1);
        }

        // the same request again: the first results, nothing stored; the refusals stay refusals
        List<FilingOutcome> repeat = client.fileEach(deliveries, null);
        for (int i : new int[] {0, 1, 5}) {
            FiledMessage filed = outcomes.get(i).filed();
            assertThat(repeat.get(i).filed())
                    .isEqualTo(new FiledMessage(filed.messageId(), filed.mailboxId(), filed.uid(), filed.modSeq(), true));
        }
        assertThat(repeat.get(2).code()).isEqualTo("quota-exceeded");
        assertThat(messagesIn(alice)).hasSize(2);
        assertThat(refCount(toAlice)).isEqualTo(1);
        // a repeat through the single call answers from the same record
        assertThat(client.fileMessage(bob, "m-1:" + bob, toBob, null).duplicate()).isTrue();
    }

    @Test
    void concurrentFilingsOfManyMessagesAndSingleFilingsOfTheSameDeliveriesFileEachOnce() throws Exception {
        String domain = newDomain();
        List<MessageDelivery> deliveries = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String account = newAccount(domain, "user" + i);
            deliveries.add(new MessageDelivery(new FilingRecipient(account, "race-many:" + i),
                    message("race " + i, "many messages " + i + " " + System.nanoTime())));
        }
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<List<FilingOutcome>>> attempts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            List<MessageDelivery> order = i % 2 == 0 ? deliveries : deliveries.reversed();
            attempts.add(() -> {
                start.await();
                return client.fileEach(order, null);
            });
        }
        for (MessageDelivery delivery : deliveries) {
            attempts.add(() -> {
                start.await();
                return List.of(FilingOutcome.filed(delivery.recipient(), client.fileMessage(delivery.recipient().account(),
                        delivery.recipient().deliveryId(), delivery.content(), null)));
            });
        }
        List<FilingOutcome> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(attempts.size())) {
            List<Future<List<FilingOutcome>>> futures = attempts.stream().map(pool::submit).toList();
            start.countDown();
            for (Future<List<FilingOutcome>> future : futures) {
                outcomes.addAll(future.get());
            }
        }

        assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.isFiled()).as(outcome.toString()).isTrue());
        assertThat(outcomes).filteredOn(outcome -> !outcome.filed().duplicate()).hasSize(deliveries.size());
        for (MessageDelivery delivery : deliveries) {
            assertThat(messagesIn(delivery.recipient().account())).hasSize(1);
            assertThat(refCount(delivery.content())).isEqualTo(1);
        }
    }

    @Test
    void refusesAFilingOfManyMessagesWhosePartsDoNotMatchUp() {
        String address = newAccount();
        org.springframework.util.LinkedMultiValueMap<String, Object> parts = new org.springframework.util.LinkedMultiValueMap<>();
        parts.add("deliveries", new org.springframework.http.HttpEntity<>(
                "{\"deliveries\":[{\"account\":\"" + address + "\",\"deliveryId\":\"x-1\"},"
                        + "{\"account\":\"" + address + "\",\"deliveryId\":\"x-2\"}]}",
                jsonHeaders()));
        parts.add("message", new org.springframework.http.HttpEntity<>(message("one", "only one part"), rfc822Headers()));

        org.springframework.http.ResponseEntity<String> answer = org.springframework.web.client.RestClient.create()
                .post().uri("http://127.0.0.1:" + port + "/internal/v1/deliveries/batch")
                .header("Authorization", "Bearer " + INTERNAL_TOKEN)
                .contentType(org.springframework.http.MediaType.MULTIPART_FORM_DATA)
                .body(parts)
                .retrieve()
                .onStatus(status -> true, (request, response) -> { })
                .toEntity(String.class);

        assertThat(answer.getStatusCode().value()).isEqualTo(400);
        assertThat(answer.getBody()).contains("\"code\":\"validation\"").contains("2 deliveries but 1 message parts");
        assertThat(messagesIn(address)).isEmpty();
    }

    private static org.springframework.http.HttpHeaders jsonHeaders() {
        org.springframework.http.HttpHeaders headers = new org.springframework.http.HttpHeaders();
        headers.setContentType(org.springframework.http.MediaType.APPLICATION_JSON);
        return headers;
    }

    private static org.springframework.http.HttpHeaders rfc822Headers() {
        org.springframework.http.HttpHeaders headers = new org.springframework.http.HttpHeaders();
        headers.setContentType(org.springframework.http.MediaType.parseMediaType("message/rfc822"));
        return headers;
    }

    @Test
    void refusesABatchThatIsNotOne() {
        String address = newAccount();

        Response noParts = send("POST", "/internal/v1/deliveries", internal(), "application/json", "{}".getBytes());
        Response noAddresses = post("/internal/v1/recipients/resolutions", internal(), java.util.Map.of("addresses", List.of()));
        Response notAnAddress = post("/internal/v1/recipients/resolutions", internal(),
                java.util.Map.of("addresses", List.of(address, "no-at-sign")));

        assertThat(noParts.status()).isEqualTo(415);
        assertThat(noAddresses.status()).isEqualTo(400);
        assertThat(noAddresses.code()).isEqualTo("validation");
        assertThat(notAnAddress.status()).isEqualTo(400);
        assertThat(notAnAddress.code()).isEqualTo("invalid-address");
    }

    private byte[] rawOf(String address, FiledMessage filed) {
        Response raw = get("/api/v1/accounts/" + segment(address) + "/mailboxes/" + filed.mailboxId() + "/messages/"
                + filed.messageId() + "/raw", admin());
        assertThat(raw.status()).isEqualTo(200);
        return raw.body();
    }

    private List<JsonNode> messagesIn(String address) {
        Response page = get("/api/v1/accounts/" + segment(address) + "/mailboxes/" + mailboxId(address, "INBOX")
                + "/messages?limit=500", admin());
        assertThat(page.status()).isEqualTo(200);
        return StreamSupport.stream(page.json().path("items").spliterator(), false).toList();
    }

    private long refCount(byte[] message) {
        return jdbc.sql("SELECT ref_count FROM blobs WHERE sha256 = ?").param(Sha256.hex(message)).query(Long.class).single();
    }
}
