package io.mailroom.mailbox;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Warns once at start when the PostgreSQL server runs without what mailbox-api's query plans rely on. With autovacuum
 * (or the statistics it reads) off, tables are never analyzed and the planner guesses: a UID look-up then scans the
 * whole mailbox through the (account, mailbox, modseq) index, and SEARCH's index-only scans read every row, several
 * times the CPU of the same statements on analyzed tables. mailbox-api does not run ANALYZE itself: the operator who
 * turned autovacuum off owns the schedule that replaces it.
 */
@Component
class PostgresSettingsCheck {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresSettingsCheck.class);

    private final JdbcClient jdbc;

    PostgresSettingsCheck(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @EventListener(ApplicationReadyEvent.class)
    void check() {
        try {
            for (String warning : warnings(setting("autovacuum"), setting("track_counts"))) {
                LOG.warn(warning);
            }
        } catch (RuntimeException e) {
            LOG.debug("Could not read PostgreSQL's settings: {}", e.toString());
        }
    }

    private String setting(String name) {
        return jdbc.sql("SELECT current_setting(:name)").param("name", name).query(String.class).single();
    }

    /** The warnings for these values of {@code autovacuum} and {@code track_counts}; empty when both are on. */
    static List<String> warnings(String autovacuum, String trackCounts) {
        List<String> warnings = new ArrayList<>(2);
        if (!"on".equals(trackCounts)) {
            warnings.add("PostgreSQL runs with track_counts = " + trackCounts + ": autovacuum cannot tell when a table"
                    + " needs ANALYZE, and query plans go stale; turn it on");
        }
        if (!"on".equals(autovacuum)) {
            warnings.add("PostgreSQL runs with autovacuum = " + autovacuum + ": mailbox-api's tables are never"
                    + " analyzed or vacuumed unless a job of yours does it (VACUUM ANALYZE after bulk loads, and"
                    + " regularly); without statistics the planner picks plans that read whole mailboxes per UID");
        }
        return warnings;
    }
}
