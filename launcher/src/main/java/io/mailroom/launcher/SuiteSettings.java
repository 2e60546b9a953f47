package io.mailroom.launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to run the five services together on one machine.
 *
 * @param home          the repository (or distribution) root, where {@code <module>/target/<module>-*-exec.jar} live
 * @param dataDirectory logs and TLS material go below it
 * @param jdbcUrl       mailbox-api's database
 * @param extraProperties added to every service's command line (e.g. POP3/IMAP plaintext login on loopback)
 */
public record SuiteSettings(Path home, Path dataDirectory, Ports ports,
                            String jdbcUrl, String dbUsername, String dbPassword,
                            QueueSettings queue, String adminToken, String internalToken,
                            List<String> jvmOptions, Map<String, String> extraProperties) {

    public SuiteSettings {
        jvmOptions = List.copyOf(jvmOptions);
        extraProperties = Map.copyOf(extraProperties);
    }
}
