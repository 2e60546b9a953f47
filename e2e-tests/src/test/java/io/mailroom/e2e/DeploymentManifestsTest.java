package io.mailroom.e2e;

import static io.mailroom.e2e.ManifestSources.HOME;
import static io.mailroom.e2e.ManifestSources.list;
import static io.mailroom.e2e.ManifestSources.load;
import static io.mailroom.e2e.ManifestSources.map;
import static io.mailroom.e2e.ManifestSources.path;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.mailroom.e2e.ManifestSources.Service;

/**
 * docker-compose.yml, docker/Dockerfile and docker/build-images.sh cannot run on the build machine (no Docker
 * engine), so this test parses them and checks that names, images, ports, probes and settings agree with the
 * services themselves (their application.yml) and with the launcher's defaults. The Kubernetes manifests are
 * checked by {@link KubernetesManifestsTest}.
 */
class DeploymentManifestsTest {

    /** The standard mail ports the host publishes, and the service port (by application.yml key) behind each. */
    private static final Map<String, Map<Integer, Integer>> PUBLISHED = Map.of(
            "smtp-ingress", Map.of(25, 2525, 587, 2587, 465, 2465),
            "imap-gateway", Map.of(143, 1143, 993, 1993),
            "pop3-gateway", Map.of(110, 1110, 995, 1995),
            "mailbox-api", Map.of(8080, 8080));

    static Stream<Service> services() {
        return ManifestSources.services().stream();
    }

    @ParameterizedTest
    @MethodSource("services")
    void theServiceItselfAgreesWithTheLauncher(Service service) {
        Map<String, Object> config = ManifestSources.applicationYml(service.name());
        assertThat(path(config, "spring", "application", "name")).isEqualTo(service.name());
        assertThat(path(config, "server", "port")).isEqualTo(service.httpPort());
        assertThat(path(config, "server", "shutdown")).isEqualTo("graceful");
        assertThat(path(config, "management", "endpoint", "health", "probes", "enabled")).isEqualTo(true);
        assertThat(String.valueOf(path(config, "management", "metrics", "tags", "application")))
                .isEqualTo("${spring.application.name}");
        assertThat(String.valueOf(path(config, "management", "endpoints", "web", "exposure", "include")))
                .as("the ServiceMonitor scrapes /actuator/prometheus").contains("prometheus").contains("health");
        assertThat(ManifestSources.protocolPorts(service.name())).as("protocol ports in %s's application.yml", service.name())
                .containsAll(service.protocolPorts());
    }

    @ParameterizedTest
    @MethodSource("services")
    void composeRunsTheServiceFromItsImageOnItsPortsWithItsProbe(Service service) {
        Map<String, Object> compose = compose();
        Map<String, Object> definition = map(path(compose, "services", service.name()));
        assertThat(definition).as("compose service " + service.name()).isNotEmpty();
        assertThat(definition.get("image")).isEqualTo("mailroom/" + service.name() + ":" + ManifestSources.projectVersion());
        assertThat(path(definition, "build", "dockerfile")).isEqualTo("docker/Dockerfile");
        assertThat(String.valueOf(path(definition, "build", "args", "MODULE"))).isEqualTo(service.name());
        assertThat(String.valueOf(path(definition, "build", "args", "HTTP_PORT"))).isEqualTo(String.valueOf(service.httpPort()));
        String healthcheck = String.join(" ", list(path(definition, "healthcheck", "test")).stream().map(String::valueOf).toList());
        assertThat(healthcheck).contains("http://localhost:" + service.httpPort() + "/actuator/health/readiness");

        Map<Integer, Integer> published = new HashMap<>();
        for (Object mapping : list(definition.get("ports"))) {
            String[] parts = String.valueOf(mapping).split(":");
            published.put(Integer.parseInt(parts[parts.length - 2]), Integer.parseInt(parts[parts.length - 1]));
        }
        assertThat(published).as("published ports of " + service.name())
                .isEqualTo(PUBLISHED.getOrDefault(service.name(), Map.of()));
        List<Integer> servicePorts = new ArrayList<>(ManifestSources.protocolPorts(service.name()));
        servicePorts.add(ManifestSources.httpPort(service.name()));
        assertThat(servicePorts).as("every published container port is one the service listens on")
                .containsAll(published.values());
    }

    @ParameterizedTest
    @MethodSource("services")
    void composeConfinesTheServiceAndStartsItAfterWhatItNeeds(Service service) {
        Map<String, Object> compose = compose();
        Map<String, Object> definition = map(path(compose, "services", service.name()));
        assertThat(definition.get("read_only")).isEqualTo(true);
        assertThat(list(definition.get("cap_drop"))).containsExactly("ALL");
        assertThat(list(definition.get("security_opt"))).contains("no-new-privileges:true");
        assertThat(String.valueOf(list(definition.get("tmpfs")))).contains("/tmp");
        assertThat(bytes(String.valueOf(definition.get("mem_limit")))).as("mem_limit of " + service.name())
                .isBetween(256L << 20, 2L << 30);
        assertThat(seconds(String.valueOf(definition.get("stop_grace_period")))).as("time to drain on docker stop")
                .isGreaterThanOrEqualTo(30);

        Map<String, Object> dependsOn = map(definition.get("depends_on"));
        assertThat(dependsOn).as(service.name() + " depends on").isNotEmpty();
        dependsOn.forEach((dependency, condition) -> {
            assertThat(path(condition, "condition")).as(service.name() + " waits for " + dependency).isEqualTo("service_healthy");
            assertThat(path(compose, "services", dependency, "healthcheck", "test")).as(dependency + " has a healthcheck").isNotNull();
        });
        if (!service.name().equals("mailbox-api")) {
            assertThat(dependsOn).containsKey("mailbox-api");
        }

        Map<String, Object> env = map(definition.get("environment"));
        assertThat(env.keySet().stream().map(ManifestSources::unboundSetting).filter(java.util.Objects::nonNull))
                .as(service.name() + ": settings the service would ignore").isEmpty();
        assertThat(env.get("MAILROOM_INTERNAL_TOKEN")).isNotNull();
        assertThat(env.get("MAILROOM_MAILBOXAPI_BASEURL"))
                .isEqualTo("http://mailbox-api:" + ManifestSources.httpPort("mailbox-api"));
        for (String key : List.of("MAILROOM_QUEUE_RABBITMQ_HOST", "MAILROOM_EVENTS_RABBITMQ_HOST")) {
            if (env.containsKey(key)) {
                assertThat(map(compose.get("services"))).containsKey(String.valueOf(env.get(key)));
                assertThat(dependsOn).containsKey(String.valueOf(env.get(key)));
            }
        }
        if (service.name().equals("smtp-ingress") || service.name().equals("delivery-service")) {
            assertThat(env.get("MAILROOM_QUEUE_TYPE")).isEqualTo("rabbitmq");
        }
        if (service.name().equals("imap-gateway")) {
            assertThat(env.get("MAILROOM_EVENTS_SUBSCRIBER_ENABLED")).isEqualTo("true");
            assertThat(env.get("MAILROOM_EVENTS_TYPE")).isEqualTo(path(compose, "services", "mailbox-api", "environment", "MAILROOM_EVENTS_TYPE"));
        }
    }

    @Test
    void composeRunsPostgresAndRabbitMqBesideTheFiveServices() {
        Map<String, Object> compose = compose();
        assertThat(map(compose.get("services")).keySet()).containsExactlyInAnyOrder(
                "postgres", "rabbitmq", "mailbox-api", "smtp-ingress", "delivery-service", "imap-gateway", "pop3-gateway");
        for (String store : List.of("postgres", "rabbitmq")) {
            String image = String.valueOf(path(compose, "services", store, "image"));
            assertThat(image).as(store + " image pinned by exact tag").matches("[a-z0-9./-]+:\\d+(\\.\\d+)+[-a-z0-9.]*");
            assertThat(path(compose, "services", store, "mem_limit")).isNotNull();
            assertThat(path(compose, "services", store, "healthcheck", "test")).isNotNull();
        }
        Map<String, Object> api = map(path(compose, "services", "mailbox-api", "environment"));
        Matcher url = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/(\\w+)").matcher(String.valueOf(api.get("SPRING_DATASOURCE_URL")));
        assertThat(url.matches()).as("mailbox-api's datasource URL").isTrue();
        assertThat(url.group(1)).isEqualTo("postgres");
        assertThat(url.group(3)).isEqualTo(path(compose, "services", "postgres", "environment", "POSTGRES_DB"));
        assertThat(api.get("SPRING_DATASOURCE_USERNAME")).isEqualTo(path(compose, "services", "postgres", "environment", "POSTGRES_USER"));
        assertThat(api.get("SPRING_DATASOURCE_PASSWORD")).isEqualTo(path(compose, "services", "postgres", "environment", "POSTGRES_PASSWORD"));
        assertThat(api.get("MAILROOM_ADMIN_TOKEN")).isNotNull();
        Map<String, Object> smtp = map(path(compose, "services", "smtp-ingress", "environment"));
        assertThat(smtp.get("MAILROOM_QUEUE_RABBITMQ_USERNAME")).isEqualTo(path(compose, "services", "rabbitmq", "environment", "RABBITMQ_DEFAULT_USER"));
        assertThat(smtp.get("MAILROOM_QUEUE_RABBITMQ_PASSWORD")).isEqualTo(path(compose, "services", "rabbitmq", "environment", "RABBITMQ_DEFAULT_PASS"));
    }

    @Test
    void oneDockerfileBuildsEveryServiceAsALayeredJarOnAPinnedJreAsNonRoot() {
        String dockerfile = ManifestSources.read(HOME.resolve("docker/Dockerfile"));
        List<String> from = dockerfile.lines().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(from).as("multi-stage").hasSizeGreaterThanOrEqualTo(2);
        Matcher base = Pattern.compile("(?m)^ARG JRE_IMAGE=(\\S+)$").matcher(dockerfile);
        assertThat(base.find()).as("ARG JRE_IMAGE").isTrue();
        assertThat(base.group(1)).as("JRE base pinned by exact tag and digest")
                .matches("eclipse-temurin:\\d+\\.\\d+\\.\\d+_\\d+-jre-[a-z]+@sha256:[0-9a-f]{64}")
                .doesNotContain("latest");
        assertThat(from).allSatisfy(line -> assertThat(line).startsWith("FROM ${JRE_IMAGE}"));
        assertThat(dockerfile).contains("java -Djarmode=tools -jar app.jar extract --layers --launcher");
        for (String layer : List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")) {
            assertThat(dockerfile).contains("/extracted/" + layer + "/");
        }
        Matcher user = Pattern.compile("(?m)^USER (\\d+)(?::(\\d+))?$").matcher(dockerfile);
        assertThat(user.find()).as("a numeric USER (runAsNonRoot can only check a number)").isTrue();
        assertThat(Integer.parseInt(user.group(1))).isGreaterThan(0);
        assertThat(dockerfile).containsPattern("(?m)^HEALTHCHECK .*\\n?.*/actuator/health/readiness");
        assertThat(dockerfile).contains("ENTRYPOINT [\"java\", \"org.springframework.boot.loader.launch.JarLauncher\"]");
        // the heap committed at start, as large as it may grow: a G1 heap left to size itself stays small and marks
        // its old generation over and over (bench/mailbox-api/README.md, "A heap that sized itself")
        Matcher heap = Pattern.compile("-XX:InitialRAMPercentage=(\\d+) -XX:MaxRAMPercentage=(\\d+)").matcher(dockerfile);
        assertThat(heap.find()).as("JAVA_TOOL_OPTIONS sizes the heap").isTrue();
        assertThat(heap.group(1)).as("initial heap = maximum heap").isEqualTo(heap.group(2));
        // the Kubernetes manifests run the image as this user and group
        String deployment = ManifestSources.read(HOME.resolve("k8s/base/smtp-ingress.yaml"));
        assertThat(deployment).contains("runAsUser: " + user.group(1));
    }

    @Test
    void theBuildScriptBuildsEveryServiceWithItsPortAndTheProjectVersion() throws IOException, InterruptedException {
        Process process = new ProcessBuilder("bash", "docker/build-images.sh", "--dry-run", "--skip-package")
                .directory(HOME.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        List<String> builds = output.lines().filter(l -> l.startsWith("docker build ")).toList();
        assertThat(builds).hasSize(5);
        for (Service service : ManifestSources.services()) {
            assertThat(builds).as(service.name()).anySatisfy(line -> assertThat(line)
                    .contains("MODULE=" + service.name() + " ")
                    .contains("HTTP_PORT=" + ManifestSources.httpPort(service.name()) + " ")
                    .contains("--tag mailroom/" + service.name() + ":" + ManifestSources.projectVersion()));
        }
        assertThat(Files.isExecutable(HOME.resolve("docker/build-images.sh"))).as("docker/build-images.sh is executable").isTrue();
    }

    private static Map<String, Object> compose() {
        return load(HOME.resolve("docker-compose.yml"));
    }

    private static long bytes(String size) {
        Matcher m = Pattern.compile("(\\d+)([kmg])b?", Pattern.CASE_INSENSITIVE).matcher(size);
        assertThat(m.matches()).as("a size like 512m: " + size).isTrue();
        int shift = switch (m.group(2).toLowerCase()) {
            case "k" -> 10;
            case "m" -> 20;
            default -> 30;
        };
        return Long.parseLong(m.group(1)) << shift;
    }

    private static long seconds(String duration) {
        Matcher m = Pattern.compile("(\\d+)([sm])").matcher(duration);
        assertThat(m.matches()).as("a duration like 45s: " + duration).isTrue();
        return Duration.ofSeconds(Long.parseLong(m.group(1)) * (m.group(2).equals("m") ? 60 : 1)).toSeconds();
    }
}
