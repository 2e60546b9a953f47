package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PostgresSettingsCheckTest {

    @Test
    void noWarningWhenAutovacuumAndItsCountsAreOn() {
        assertThat(PostgresSettingsCheck.warnings("on", "on")).isEmpty();
    }

    @Test
    void autovacuumOffIsNamedWithWhatToDo() {
        assertThat(PostgresSettingsCheck.warnings("off", "on"))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("autovacuum = off", "VACUUM ANALYZE");
    }

    @Test
    void bothOffGiveTwoWarnings() {
        assertThat(PostgresSettingsCheck.warnings("off", "off")).hasSize(2)
                .anySatisfy(w -> assertThat(w).contains("track_counts = off"))
                .anySatisfy(w -> assertThat(w).contains("autovacuum = off"));
    }
}
