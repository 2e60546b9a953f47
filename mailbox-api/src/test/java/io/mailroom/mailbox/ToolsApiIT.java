package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** The tools API over mailboxes and messages: CRUD, flags, move, copy, delete, filters, full-text search, quota, ranges. */
class ToolsApiIT extends MailboxApiITBase {

    @Test
    void managesMailboxes() {
        String address = newAccount();
        String base = "/api/v1/accounts/" + address + "/mailboxes";

        Response created = post(base, admin(), Map.of("name", "Projects/Alpha"));
        long id = created.json().path("id").asLong();
        Response renamed = send("PATCH", base + "/" + id, admin(), "application/json",
                json.writeValueAsBytes(Map.of("name", "Projects/Beta", "subscribed", true)));
        Response bad = post(base, admin(), Map.of("name", "a//b"));
        Response inbox = send("DELETE", base + "/" + mailboxId(address, "INBOX"), admin(), null, null);

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Location")).endsWith("/mailboxes/" + id);
        assertThat(renamed.json().path("name").asString()).isEqualTo("Projects/Beta");
        assertThat(renamed.json().path("subscribed").asBoolean()).isTrue();
        assertThat(bad.code()).isEqualTo("invalid-mailbox-name");
        assertThat(inbox.code()).isEqualTo("mailbox-protected");
        assertThat(send("DELETE", base + "/" + id, admin(), null, null).status()).isEqualTo(204);
        assertThat(get(base + "/" + id, admin()).code()).isEqualTo("mailbox-not-found");
        assertThat(get(base, admin()).json()).extracting(m -> m.path("name").asString()).contains("Projects").doesNotContain("Projects/Beta");
    }

    @Test
    void changesFlagsMovesCopiesAndDeletesMessagesById() {
        String address = newAccount();
        long inbox = mailboxId(address, "INBOX");
        long archive = mailboxId(address, "ARCHIVE");
        long id = file(address, "m-1", message("tools", "body")).json().path("messageId").asLong();
        String message = "/api/v1/accounts/" + address + "/mailboxes/" + inbox + "/messages/" + id;

        Response flagged = send("PATCH", message, admin(), "application/json",
                json.writeValueAsBytes(Map.of("add", List.of("\\Seen", "$Important"), "remove", List.of("\\Recent"))));
        Response copied = post(message + "/copy", admin(), Map.of("mailboxId", archive));
        Response moved = post(message + "/move", admin(), Map.of("mailboxId", archive));
        Response atOldPlace = get(message, admin());
        String movedPath = "/api/v1/accounts/" + address + "/mailboxes/" + archive + "/messages/" + id;
        Response deleted = send("DELETE", movedPath, admin(), null, null);
        Response flagGone = send("PATCH", movedPath, admin(), "application/json", json.writeValueAsBytes(Map.of("add", List.of("\\Seen"))));

        assertThat(strings(flagged.json().path("flags"))).containsExactly("\\Seen", "$Important");
        assertThat(flagged.json().path("modSeq").asLong()).isGreaterThan(2);
        assertThat(copied.status()).isEqualTo(201);
        assertThat(copied.json().path("id").asLong()).isNotEqualTo(id);
        assertThat(copied.json().path("mailboxId").asLong()).isEqualTo(archive);
        assertThat(moved.json().path("id").asLong()).as("a move keeps the id").isEqualTo(id);
        assertThat(moved.json().path("uid").asLong()).isEqualTo(2);
        assertThat(atOldPlace.code()).isEqualTo("message-not-found");
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(flagGone.status()).as("a flag change on an expunged message is refused").isEqualTo(404);
        assertThat(flagGone.code()).isEqualTo("message-not-found");
        assertThat(get("/api/v1/accounts/" + address + "/mailboxes/" + archive, admin()).json().path("messages").asLong()).isEqualTo(1);
    }

    @Test
    void uploadsAndListsWithFiltersAndCursors() {
        String address = newAccount();
        long inbox = mailboxId(address, "INBOX");
        String base = "/api/v1/accounts/" + address + "/mailboxes/" + inbox + "/messages";
        upload(base, "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: Quarterly budget\r\n\r\nnumbers\r\n", "\\Seen");
        upload(base, "From: Carol <carol@example.org>\r\nTo: team@example.net\r\nSubject: Lunch plans\r\n\r\n" + "x".repeat(3000) + "\r\n", null);
        upload(base, "From: alice@example.org\r\nCc: bob@example.net\r\nSubject: Budget follow-up\r\n\r\nmore numbers\r\n", null);

        assertThat(uids(get(base + "?from=ALICE", admin()))).containsExactly(1L, 3L);
        assertThat(uids(get(base + "?to=bob", admin()))).containsExactly(1L, 3L);
        assertThat(uids(get(base + "?subject=budget&notFlag=%5CSeen", admin()))).containsExactly(3L);
        assertThat(uids(get(base + "?minSize=2000", admin()))).containsExactly(2L);
        assertThat(uids(get(base + "?flag=%5CSeen", admin()))).containsExactly(1L);
        Response firstPage = get(base + "?limit=2", admin());
        Response secondPage = get(base + "?limit=2&cursor=" + firstPage.json().path("nextCursor").asString(), admin());
        assertThat(uids(firstPage)).containsExactly(1L, 2L);
        assertThat(uids(secondPage)).containsExactly(3L);
        assertThat(secondPage.json().path("nextCursor").isNull()).isTrue();
        assertThat(get(base + "?flag=bad%20flag", admin()).code()).isEqualTo("validation");
    }

    @Test
    void searchesTheAccountWithPostgresFullTextSearch() {
        String address = newAccount();
        long inbox = mailboxId(address, "INBOX");
        long archive = mailboxId(address, "ARCHIVE");
        upload("/api/v1/accounts/" + address + "/mailboxes/" + inbox + "/messages",
                "Subject: Invoice for March\r\nContent-Type: text/html\r\n\r\n<p>Please pay the <b>invoice</b> soon</p>\r\n", null);
        upload("/api/v1/accounts/" + address + "/mailboxes/" + archive + "/messages",
                "Subject: Holiday photos\r\n\r\nThe beach was lovely; no invoice here? Actually: invoices attached.\r\n", null);
        upload("/api/v1/accounts/" + address + "/mailboxes/" + archive + "/messages",
                "Subject: Unrelated\r\n\r\nnothing to see\r\n", null);

        Response invoice = get("/api/v1/accounts/" + address + "/messages?text=invoice", admin());
        Response phrase = get("/api/v1/accounts/" + address + "/messages?text=" + enc("\"pay the invoice\""), admin());
        Response excluded = get("/api/v1/accounts/" + address + "/messages?text=" + enc("invoice -beach"), admin());
        Response inArchive = get("/api/v1/accounts/" + address + "/messages?text=invoice&mailboxId=" + archive, admin());
        Response paged = get("/api/v1/accounts/" + address + "/messages?limit=1", admin());

        assertThat(subjects(invoice)).as("newest first, HTML tags stripped").containsExactly("Holiday photos", "Invoice for March");
        assertThat(subjects(phrase)).containsExactly("Invoice for March");
        assertThat(subjects(excluded)).containsExactly("Invoice for March");
        assertThat(subjects(inArchive)).containsExactly("Holiday photos");
        assertThat(subjects(paged)).containsExactly("Unrelated");
        assertThat(subjects(get("/api/v1/accounts/" + address + "/messages?limit=5&cursor=" + paged.json().path("nextCursor").asString(), admin())))
                .containsExactly("Holiday photos", "Invoice for March");
    }

    @Test
    void setsAndReportsTheQuotaAndServesRanges() throws Exception {
        String address = newAccount();
        long inbox = mailboxId(address, "INBOX");
        byte[] content = message("ranged", "0123456789");
        long id = file(address, "r-1", content).json().path("messageId").asLong();

        Response set = send("PUT", "/api/v1/accounts/" + address + "/quota", admin(), "application/json",
                json.writeValueAsBytes(Map.of("storage", 1_000_000, "messages", 10)));
        Response byOwner = send("PUT", "/api/v1/accounts/" + address + "/quota", basic(address, PASSWORD), "application/json",
                json.writeValueAsBytes(Map.of("storage", 1)));
        Response usage = get("/api/v1/accounts/" + address + "/quota", basic(address, PASSWORD));

        assertThat(set.json().path("storageLimit").asLong()).isEqualTo(1_000_000);
        assertThat(byOwner.status()).isEqualTo(403);
        assertThat(usage.json().path("messagesUsed").asLong()).isEqualTo(1);
        assertThat(usage.json().path("storageUsed").asLong()).isEqualTo(content.length);
        assertThat(usage.json().path("messagesLimit").asLong()).isEqualTo(10);

        String raw = "/api/v1/accounts/" + address + "/mailboxes/" + inbox + "/messages/" + id + "/raw";
        HttpResponse<byte[]> partial = http.send(HttpRequest.newBuilder(uri(raw)).header("Authorization", admin())
                .header("Range", "bytes=5-9").build(), HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> suffix = http.send(HttpRequest.newBuilder(uri(raw)).header("Authorization", admin())
                .header("Range", "bytes=-4").build(), HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> beyond = http.send(HttpRequest.newBuilder(uri(raw)).header("Authorization", admin())
                .header("Range", "bytes=" + content.length + "-").build(), HttpResponse.BodyHandlers.ofByteArray());

        assertThat(partial.statusCode()).isEqualTo(206);
        assertThat(partial.body()).isEqualTo(java.util.Arrays.copyOfRange(content, 5, 10));
        assertThat(partial.headers().firstValue("Content-Range")).contains("bytes 5-9/" + content.length);
        assertThat(suffix.body()).isEqualTo(java.util.Arrays.copyOfRange(content, content.length - 4, content.length));
        assertThat(beyond.statusCode()).isEqualTo(416);
    }

    private void upload(String base, String message, String flag) {
        Response created = send("POST", base + (flag == null ? "" : "?flag=" + enc(flag)), admin(), "message/rfc822",
                message.getBytes(StandardCharsets.UTF_8));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static List<Long> uids(Response page) {
        assertThat(page.status()).as(page.text()).isEqualTo(200);
        List<Long> uids = new ArrayList<>();
        page.json().path("items").forEach(item -> uids.add(item.path("uid").asLong()));
        return uids;
    }

    private static List<String> subjects(Response page) {
        assertThat(page.status()).as(page.text()).isEqualTo(200);
        List<String> subjects = new ArrayList<>();
        page.json().path("items").forEach(item -> subjects.add(item.path("subject").asString()));
        return subjects;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }
}
