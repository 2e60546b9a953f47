package io.mailroom.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import io.mailroom.launcher.Ports;

/**
 * docker-compose.yml and k8s/ cannot run on the build machine (no Docker engine, no cluster), so
 * this test parses them and checks that service names, ports and probes agree with the services
 * themselves (their application.yml) and with the launcher's defaults.
 */
class DeploymentManifestsTest {

    private static final Path HOME = Path.of(System.getProperty("mailroom.home", "..")).toAbsolutePath().normalize();

    /** Each service, its HTTP port and the protocol ports it listens on by default. */
    record Service(String name, int httpPort, List<Integer> protocolPorts) {
    }

    static Stream<Service> services() {
        Ports p = Ports.defaults();
        return Stream.of(
                new Service("mailbox-api", p.mailboxApiHttp(), List.of()),
                new Service("smtp-ingress", p.smtpHttp(), List.of(p.smtpMx(), p.smtpSubmission(), p.smtpSubmissions())),
                new Service("delivery-service", p.deliveryHttp(), List.of()),
                new Service("imap-gateway", p.imapHttp(), List.of(p.imap(), p.imaps())),
                new Service("pop3-gateway", p.pop3Http(), List.of(p.pop3(), p.pop3s())));
    }

    @ParameterizedTest
    @MethodSource("services")
    void theServiceItselfAgreesWithTheLauncher(Service service) throws IOException {
        Map<String, Object> config = load(HOME.resolve(service.name()).resolve("src/main/resources/application.yml"));
        assertThat(path(config, "spring", "application", "name")).isEqualTo(service.name());
        assertThat(path(config, "server", "port")).isEqualTo(service.httpPort());
        assertThat(path(config, "server", "shutdown")).isEqualTo("graceful");
        assertThat(path(config, "management", "endpoint", "health", "probes", "enabled")).isEqualTo(true);
        assertThat(String.valueOf(path(config, "management", "metrics", "tags", "application")))
                .isEqualTo("${spring.application.name}");
        List<Integer> declaredPorts = new ArrayList<>();
        collectPorts(config.get("mailroom"), declaredPorts);
        assertThat(declaredPorts).as("protocol ports in %s's application.yml", service.name())
                .containsAll(service.protocolPorts());
    }

    @ParameterizedTest
    @MethodSource("services")
    void composeRunsTheServiceOnItsPortsWithItsProbe(Service service) throws IOException {
        Map<String, Object> compose = load(HOME.resolve("docker-compose.yml"));
        Map<String, Object> definition = map(path(compose, "services", service.name()));
        assertThat(definition).as("compose service " + service.name()).isNotNull();
        assertThat(String.valueOf(definition.get("image"))).startsWith("mailroom/" + service.name() + ":");
        assertThat(String.valueOf(path(definition, "build", "args", "MODULE"))).isEqualTo(service.name());
        List<Object> healthcheck = list(path(definition, "healthcheck", "test"));
        assertThat(String.join(" ", healthcheck.stream().map(String::valueOf).toList()))
                .contains("http://localhost:" + service.httpPort() + "/actuator/health/readiness");
        Set<Integer> containerPorts = new HashSet<>();
        for (Object mapping : list(definition.getOrDefault("ports", List.of()))) {
            String[] parts = String.valueOf(mapping).split(":");
            containerPorts.add(Integer.parseInt(parts[parts.length - 1]));
        }
        assertThat(containerPorts).containsAll(service.protocolPorts());
    }

    @Test
    void composeRunsPostgresAndRabbitMqBesideTheFiveServices() throws IOException {
        Map<String, Object> compose = load(HOME.resolve("docker-compose.yml"));
        assertThat(map(compose.get("services")).keySet()).containsExactlyInAnyOrder(
                "postgres", "rabbitmq", "mailbox-api", "smtp-ingress", "delivery-service", "imap-gateway", "pop3-gateway");
        assertThat(map(compose.get("services")).keySet()).doesNotContain("latest");
    }

    @ParameterizedTest
    @MethodSource("services")
    void kubernetesDeploysTheServiceWithPortsAndProbesThatMatch(Service service) throws IOException {
        Path kustomization = HOME.resolve("k8s/base/kustomization.yaml");
        assertThat(list(load(kustomization).get("resources"))).contains(service.name() + ".yaml");

        Map<String, Map<String, Object>> byKind = new HashMap<>();
        try (Reader reader = Files.newBufferedReader(HOME.resolve("k8s/base").resolve(service.name() + ".yaml"))) {
            for (Object document : yaml().loadAll(reader)) {
                Map<String, Object> resource = map(document);
                byKind.put(String.valueOf(resource.get("kind")), resource);
            }
        }
        Map<String, Object> deployment = byKind.get("Deployment");
        Map<String, Object> k8sService = byKind.get("Service");
        assertThat(path(deployment, "metadata", "name")).isEqualTo(service.name());
        assertThat(path(k8sService, "metadata", "name")).isEqualTo(service.name());
        assertThat(path(k8sService, "spec", "selector")).isEqualTo(path(deployment, "spec", "template", "metadata", "labels"));

        Map<String, Object> container = map(list(path(deployment, "spec", "template", "spec", "containers")).get(0));
        Map<String, Integer> namedPorts = new HashMap<>();
        for (Object port : list(container.get("ports"))) {
            namedPorts.put(String.valueOf(map(port).get("name")), (Integer) map(port).get("containerPort"));
        }
        assertThat(namedPorts.get("http")).isEqualTo(service.httpPort());
        assertThat(namedPorts.values()).containsAll(service.protocolPorts());
        assertThat(path(container, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat(path(container, "livenessProbe", "httpGet", "port")).isEqualTo("http");
        assertThat(path(container, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
        assertThat(path(container, "readinessProbe", "httpGet", "port")).isEqualTo("http");
        assertThat(path(container, "startupProbe", "httpGet", "port")).isEqualTo("http");
        for (Object port : list(path(k8sService, "spec", "ports"))) {
            Object target = map(port).get("targetPort");
            assertThat(namedPorts).as("Service port targets a named container port").containsKey(String.valueOf(target));
        }
        String env = String.valueOf(container.get("env"));
        assertThat(env).contains("mailroom-secrets").contains("internal-token");
        assertThat(String.valueOf(container.get("envFrom"))).contains("mailroom-config");
    }

    private static void collectPorts(Object node, List<Integer> ports) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((key, value) -> {
                if (String.valueOf(key).toLowerCase().endsWith("port") && value instanceof Integer port) {
                    ports.add(port);
                } else {
                    collectPorts(value, ports);
                }
            });
        } else if (node instanceof List<?> l) {
            l.forEach(item -> collectPorts(item, ports));
        }
    }

    private static Yaml yaml() {
        return new Yaml(new LoaderOptions());
    }

    private static Map<String, Object> load(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return map(yaml().load(reader));
        }
    }

    private static Object path(Object root, String... keys) {
        Object node = root;
        for (String key : keys) {
            if (!(node instanceof Map<?, ?> m)) {
                return null;
            }
            node = m.get(key);
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object node) {
        return (List<Object>) node;
    }
}
