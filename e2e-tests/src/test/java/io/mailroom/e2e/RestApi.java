package io.mailroom.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** mailbox-api's tools API as an internal tool sees it: HTTP and JSON, with the admin token. */
final class RestApi {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String adminToken;

    RestApi(int port, String adminToken) {
        this.base = "http://127.0.0.1:" + port;
        this.adminToken = adminToken;
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return http.send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> getBytes(String path) throws IOException, InterruptedException {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    void createDomainAndAccount(String domain, String address, String password) throws IOException, InterruptedException {
        HttpResponse<String> d = post("/api/v1/domains", "{\"name\":\"" + domain + "\"}");
        if (d.statusCode() != 201) {
            throw new IllegalStateException("domain: " + d.statusCode() + " " + d.body());
        }
        HttpResponse<String> a = post("/api/v1/accounts",
                "{\"address\":\"" + address + "\",\"password\":\"" + password + "\"}");
        if (a.statusCode() != 201) {
            throw new IllegalStateException("account: " + a.statusCode() + " " + a.body());
        }
    }

    /** The id of the account's INBOX. */
    long inboxId(String address) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/api/v1/accounts/" + encode(address) + "/mailboxes");
        for (JsonNode mailbox : json(response)) {
            if ("INBOX".equals(mailbox.path("name").asString())) {
                return mailbox.path("id").asLong();
            }
        }
        throw new IllegalStateException("no INBOX for " + address + ": " + response.body());
    }

    /** The INBOX's messages (first page). */
    JsonNode inboxMessages(String address) throws IOException, InterruptedException {
        return json(get("/api/v1/accounts/" + encode(address) + "/mailboxes/" + inboxId(address) + "/messages?limit=100")).path("items");
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken);
    }
}
