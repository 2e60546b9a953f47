package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI document is generated from the code, committed as {@code docs/openapi.json}, and this test fails when the
 * two drift apart. After changing the API, regenerate the committed document with
 * <pre>
 * ./mvnw -pl mailbox-api -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=OpenApiIT -Dfailsafe.failIfNoSpecifiedTests=false -Dopenapi.write=true
 * </pre>
 * and review the diff like any other change of the contract.
 */
class OpenApiIT extends MailboxApiITBase {

    static final Path COMMITTED = Path.of(System.getProperty("user.dir")).resolve("../docs/openapi.json").normalize();

    @Test
    void documentsBothApisFromTheCode() {
        Response docs = get("/v3/api-docs", null);

        assertThat(docs.status()).isEqualTo(200);
        JsonNode paths = docs.json().path("paths");
        assertThat(paths.has("/api/v1/domains")).isTrue();
        assertThat(paths.has("/api/v1/accounts/{address}/mailboxes/{mailboxId}/messages/{messageId}/raw")).isTrue();
        assertThat(paths.has("/internal/v1/accounts/{address}/deliveries/{deliveryId}")).isTrue();
        assertThat(paths.has("/internal/v1/accounts/{address}/mailboxes/{mailboxId}/messages/fetch")).isTrue();
        assertThat(paths.path("/internal/v1/accounts/{address}/deliveries/{deliveryId}").path("put")
                .path("requestBody").path("content").has("message/rfc822")).isTrue();
        assertThat(paths.path("/internal/v1/deliveries").path("post").path("requestBody").path("content")
                .has("multipart/form-data")).isTrue();
        assertThat(paths.has("/internal/v1/recipients/resolutions")).isTrue();
        assertThat(docs.json().path("components").path("securitySchemes").has("bearer")).isTrue();
        assertThat(get("/swagger-ui/index.html", null).status()).isEqualTo(200);
    }

    @Test
    void theCommittedDocumentIsTheOneTheCodeGenerates() throws IOException {
        JsonNode generated = get("/v3/api-docs", null).json();
        JsonMapper pretty = JsonMapper.builder()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .enable(tools.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .build();
        if (Boolean.getBoolean("openapi.write")) {
            Files.writeString(COMMITTED, pretty.writeValueAsString(pretty.treeToValue(generated, Object.class)) + "\n",
                    StandardCharsets.UTF_8);
        }

        assertThat(COMMITTED).as("docs/openapi.json; regenerate it with the command in OpenApiIT's javadoc").exists();
        JsonNode committed = json.readTree(Files.readString(COMMITTED, StandardCharsets.UTF_8));
        assertThat(committed)
                .as("docs/openapi.json differs from what the code generates: regenerate it (see OpenApiIT's javadoc)")
                .isEqualTo(generated);
    }
}
