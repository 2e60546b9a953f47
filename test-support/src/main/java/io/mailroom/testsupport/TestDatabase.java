package io.mailroom.testsupport;

/**
 * A PostgreSQL database that belongs to one test (class): nobody else writes to it.
 *
 * @param jdbcUrl  where it is, e.g. {@code jdbc:postgresql://127.0.0.1:5432/t_1a2b3c}
 * @param username who to connect as
 * @param password that user's password (may be empty under trust authentication)
 * @param source   where the server came from, for log lines: environment, testcontainers, embedded
 */
public record TestDatabase(String jdbcUrl, String username, String password, String source) {

    /** Spring Boot properties that point a service's data source at this database. */
    public java.util.Map<String, String> springProperties() {
        return java.util.Map.of(
                "spring.datasource.url", jdbcUrl,
                "spring.datasource.username", username,
                "spring.datasource.password", password);
    }
}
