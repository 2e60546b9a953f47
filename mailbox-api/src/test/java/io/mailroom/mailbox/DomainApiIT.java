package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

class DomainApiIT extends MailboxApiITBase {

    @Test
    void createsADomainAndAnswersWithItsLocation() {
        String name = "Example-" + System.nanoTime() + ".TEST";

        Response created = post("/api/v1/domains", admin(), Map.of("name", name));

        assertThat(created.status()).isEqualTo(201);
        String canonical = name.toLowerCase();
        assertThat(created.header("Location")).isEqualTo("/api/v1/domains/" + canonical);
        assertThat(created.json().path("name").asString()).isEqualTo(canonical);
        assertThat(created.json().path("id").asLong()).isPositive();
        assertThat(created.json().path("createdAt").asString()).isNotBlank();

        Response fetched = get(created.header("Location"), admin());
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.json().path("id").asLong()).isEqualTo(created.json().path("id").asLong());
    }

    @Test
    void refusesADuplicateInAnyCase() {
        String name = newDomain();

        Response duplicate = post("/api/v1/domains", admin(), Map.of("name", name.toUpperCase()));

        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.header("Content-Type")).startsWith("application/problem+json");
        assertThat(duplicate.code()).isEqualTo("domain-exists");
        assertThat(duplicate.json().path("type").asString()).isEqualTo("urn:mailroom:problem:domain-exists");
    }

    @Test
    void refusesANameThatIsNoHostName() {
        Response blank = post("/api/v1/domains", admin(), Map.of("name", " "));
        Response invalid = post("/api/v1/domains", admin(), Map.of("name", "not a/domain"));

        assertThat(blank.status()).isEqualTo(400);
        assertThat(blank.code()).isEqualTo("validation");
        assertThat(blank.json().path("errors").get(0).path("field").asString()).isEqualTo("name");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.code()).isEqualTo("validation");
    }

    @Test
    void unknownDomainIsNotFound() {
        Response missing = get("/api/v1/domains/nowhere-" + System.nanoTime() + ".test", admin());

        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.code()).isEqualTo("domain-not-found");
    }

    @Test
    void listsEveryDomainOncePageByPage() {
        List<String> mine = List.of(newDomain(), newDomain(), newDomain());
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Response page = get("/api/v1/domains?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), admin());
            assertThat(page.status()).isEqualTo(200);
            JsonNode items = page.json().path("items");
            assertThat(items.size()).isBetween(1, 2);
            items.forEach(item -> seen.add(item.path("name").asString()));
            cursor = page.json().path("nextCursor").isNull() ? null : page.json().path("nextCursor").asString();
            pages++;
        } while (cursor != null && pages < 1000);

        assertThat(seen).doesNotHaveDuplicates().containsAll(mine);
        assertThat(pages).isGreaterThanOrEqualTo(2);
    }

    @Test
    void refusesABadPageRequest() {
        assertThat(get("/api/v1/domains?limit=0", admin()).code()).isEqualTo("validation");
        assertThat(get("/api/v1/domains?limit=501", admin()).status()).isEqualTo(400);
        Response badCursor = get("/api/v1/domains?cursor=bm90LWEtY3Vyc29y", admin());
        assertThat(badCursor.status()).isEqualTo(400);
        assertThat(badCursor.code()).isEqualTo("invalid-cursor");
    }
}
