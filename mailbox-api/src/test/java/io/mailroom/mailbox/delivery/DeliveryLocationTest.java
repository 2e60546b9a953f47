package io.mailroom.mailbox.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.web.util.UriComponentsBuilder;

class DeliveryLocationTest {

    @Test
    void buildsTheLocationUriComponentsBuilderWould() {
        for (String address : List.of("user@example.org", "first.last+tag@example.org", "o'brien@example.org",
                "j\u00f6rg@b\u00fccher.example", "a b@example.org", "x%y@example.org", "we/ird@example.org",
                "\"quoted local\"@example.org", "semi;colon@example.org", "h\u00e9@\u4f8b\u3048.jp")) {
            String expected = UriComponentsBuilder.fromPath("/api/v1/accounts/{address}/mailboxes/{mailboxId}/messages/{messageId}")
                    .buildAndExpand(address, 12L, 3456789L).encode().toUri().toString();
            assertThat(DeliveryController.location(address, 12L, 3456789L).toString()).as(address).isEqualTo(expected);
        }
    }
}
