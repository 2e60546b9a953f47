package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

class OpenApiIT extends MailboxApiITBase {

    @Test
    void documentsBothApisFromTheCode() {
        Response docs = get("/v3/api-docs", null);

        assertThat(docs.status()).isEqualTo(200);
        JsonNode paths = docs.json().path("paths");
        assertThat(paths.has("/api/v1/domains")).isTrue();
        assertThat(paths.has("/api/v1/accounts/{address}/mailboxes/{mailboxId}/messages/{messageId}/raw")).isTrue();
        assertThat(paths.has("/internal/v1/accounts/{address}/deliveries/{deliveryId}")).isTrue();
        assertThat(paths.path("/internal/v1/accounts/{address}/deliveries/{deliveryId}").path("put")
                .path("requestBody").path("content").has("message/rfc822")).isTrue();
        assertThat(docs.json().path("components").path("securitySchemes").has("bearer")).isTrue();
        assertThat(get("/swagger-ui/index.html", null).status()).isEqualTo(200);
    }
}
