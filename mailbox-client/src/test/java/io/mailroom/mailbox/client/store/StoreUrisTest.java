package io.mailroom.mailbox.client.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.springframework.web.util.DefaultUriBuilderFactory;

/** The URIs written directly are the ones the transport's URI templates expand to, byte for byte. */
class StoreUrisTest {

    private static final List<String> VALUES = List.of("ann@example.org", "a+b@example.org", "x/y@example.org",
            "%41@example.org", "sp ace@example.org", "ü@exämple.org", "q?#&=;:@example.org", "'\"<>{}|\\^`[]@x",
            "INBOX", "Archive/2026", "Entwürfe", "a&b", "~-._", "€ 😀", "", "%", "+");

    @Test
    void directUrisAreTheTemplatesExpansions() {
        List<String> values = new ArrayList<>(VALUES);
        Random random = new Random(7);
        for (int i = 0; i < 300; i++) {
            StringBuilder value = new StringBuilder();
            for (int n = random.nextInt(12); n > 0; n--) {
                value.appendCodePoint(random.nextBoolean() ? 0x20 + random.nextInt(0x5f) : 0xa0 + random.nextInt(0x3000));
            }
            values.add(value.toString());
        }
        for (String base : List.of("http://127.0.0.1:8080", "http://mailbox-api:8080/", "https://api.example.org/prefix",
                "https://api.example.org/prefix/")) {
            DefaultUriBuilderFactory templates = new DefaultUriBuilderFactory(base);
            templates.setEncodingMode(DefaultUriBuilderFactory.EncodingMode.TEMPLATE_AND_VALUES);
            StoreUris uris = new StoreUris(URI.create(base));
            for (String value : values) {
                assertThat(uris.mailbox(value, 42, "/messages/fetch")).hasToString(
                        templates.expand("/internal/v1/accounts/{address}/mailboxes/{mailboxId}/messages/fetch", value, 42L)
                                .toString());
                assertThat(uris.mailbox(value, 7, "")).hasToString(
                        templates.expand("/internal/v1/accounts/{address}/mailboxes/{mailboxId}", value, 7L).toString());
                assertThat(uris.account(value, "/mailboxes/by-name?name=" + StoreUris.encode(value))).hasToString(
                        templates.uriString("/internal/v1/accounts/{address}/mailboxes/by-name")
                                .queryParam("name", "{name}").build(value, value).toString());
                assertThat(uris.mailbox(value, 3, "/messages?flags=" + StoreUris.encode(value) + "&flags="
                        + StoreUris.encode("\\Seen") + "&internalDate=" + StoreUris.encode("2026-11-27T10:00:00Z")))
                        .hasToString(templates.uriString("/internal/v1/accounts/{address}/mailboxes/{mailboxId}/messages")
                                .queryParam("flags", "{f0}").queryParam("flags", "{f1}")
                                .queryParam("internalDate", "{internalDate}")
                                .build(Map.of("address", value, "mailboxId", 3L, "f0", value, "f1", "\\Seen",
                                        "internalDate", "2026-11-27T10:00:00Z")).toString());
            }
        }
    }
}
