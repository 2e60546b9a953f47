package io.mailroom.launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to run one service: its jar, its HTTP port (for the probes), Spring properties given on the
 * command line, environment variables (secrets travel here, not on the command line) and JVM options.
 */
public record ServiceSpec(String name, Path jar, int httpPort, Map<String, String> properties,
                          Map<String, String> environment, List<String> jvmOptions) {

    public ServiceSpec {
        properties = Map.copyOf(properties);
        environment = Map.copyOf(environment);
        jvmOptions = List.copyOf(jvmOptions);
    }
}
