package io.mailroom.e2e;

import static io.mailroom.e2e.ManifestSources.HOME;
import static io.mailroom.e2e.ManifestSources.PROTOCOL_TIERS;
import static io.mailroom.e2e.ManifestSources.list;
import static io.mailroom.e2e.ManifestSources.map;
import static io.mailroom.e2e.ManifestSources.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders every kustomize overlay with {@code kubectl kustomize} (no cluster needed), reads every document into
 * fabric8's Kubernetes model classes (a field the API does not know, or a value of the wrong type, fails), and
 * checks that the manifests agree with the services (ports, probes, images, settings, meters) and with each other
 * (selectors, Secret keys, ConfigMaps, scale targets, network policies). Custom resources (KEDA, CloudNativePG,
 * RabbitMQ, cert-manager, Prometheus Operator) get sanity checks of the fields Mailroom relies on.
 */
class KubernetesManifestsTest {

    private static final List<String> OVERLAYS = List.of("base", "overlays/dev", "overlays/production");

    private static final Map<String, Class<? extends HasMetadata>> CORE_KINDS = Map.of(
            "ServiceAccount", ServiceAccount.class,
            "ConfigMap", ConfigMap.class,
            "Secret", Secret.class,
            "Service", Service.class,
            "Deployment", Deployment.class,
            "StatefulSet", StatefulSet.class,
            "PodDisruptionBudget", PodDisruptionBudget.class,
            "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "NetworkPolicy", NetworkPolicy.class);

    private static final Map<String, String> CUSTOM_KINDS = Map.of(
            "ScaledObject", "keda.sh/v1alpha1",
            "TriggerAuthentication", "keda.sh/v1alpha1",
            "Cluster", "postgresql.cnpg.io/v1",
            "RabbitmqCluster", "rabbitmq.com/v1beta1",
            "Certificate", "cert-manager.io/v1",
            "ServiceMonitor", "monitoring.coreos.com/v1",
            "PrometheusRule", "monitoring.coreos.com/v1");

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Map<String, Rendered> RENDERED = new ConcurrentHashMap<>();

    /** One overlay, rendered and parsed. */
    record Rendered(String overlay, List<HasMetadata> typed, List<Map<String, Object>> custom) {

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return typed.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> T one(Class<T> type, String name) {
            return all(type).stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + ": no " + type.getSimpleName() + " " + name));
        }

        List<Map<String, Object>> custom(String kind) {
            return custom.stream().filter(r -> kind.equals(r.get("kind"))).toList();
        }

        Deployment deployment(String name) {
            return one(Deployment.class, name);
        }

        /** Pod templates by workload name: Deployments, StatefulSets, and the pods the operators make. */
        Map<String, Map<String, String>> podLabels() {
            Map<String, Map<String, String>> pods = new LinkedHashMap<>();
            all(Deployment.class).forEach(d -> pods.put(d.getMetadata().getName(), d.getSpec().getTemplate().getMetadata().getLabels()));
            all(StatefulSet.class).forEach(s -> pods.put(s.getMetadata().getName(), s.getSpec().getTemplate().getMetadata().getLabels()));
            custom("Cluster").forEach(c -> pods.put(name(c), Map.of("cnpg.io/cluster", name(c))));
            custom("RabbitmqCluster").forEach(c -> pods.put(name(c), Map.of("app.kubernetes.io/name", name(c))));
            return pods;
        }

        /** Named container ports of each workload; the operators' pods with the ports they are known to open. */
        Map<String, Map<String, Integer>> podPorts() {
            Map<String, Map<String, Integer>> ports = new LinkedHashMap<>();
            all(Deployment.class).forEach(d -> ports.put(d.getMetadata().getName(), namedPorts(d.getSpec().getTemplate())));
            all(StatefulSet.class).forEach(s -> ports.put(s.getMetadata().getName(), namedPorts(s.getSpec().getTemplate())));
            custom("Cluster").forEach(c -> ports.put(name(c), Map.of("postgresql", 5432, "metrics", 9187, "status", 8000)));
            custom("RabbitmqCluster").forEach(c -> ports.put(name(c),
                    Map.of("amqp", 5672, "management", 15672, "prometheus", 15692, "epmd", 4369, "cluster-links", 25672)));
            return ports;
        }
    }

    static Stream<String> overlays() {
        return OVERLAYS.stream();
    }

    static Stream<String> deployedOverlays() {
        return Stream.of("overlays/dev", "overlays/production");
    }

    // ---- schema -------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("overlays")
    void everyDocumentIsAKnownKindWithNoFieldTheApiDoesNotHave(String overlay) {
        Rendered rendered = render(overlay);
        assertThat(rendered.typed()).as(overlay + " renders").isNotEmpty();
        for (HasMetadata resource : rendered.typed()) {
            String where = overlay + ": " + resource.getKind() + " " + resource.getMetadata().getName();
            List<String> unknown = new ArrayList<>();
            unknownFields(resource, resource.getKind(), unknown, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
            assertThat(unknown).as(where + ": fields the Kubernetes API does not have").isEmpty();
        }
        Map<String, Set<String>> names = new HashMap<>();
        Stream.concat(rendered.typed().stream().map(r -> r.getKind() + "/" + r.getMetadata().getName()),
                        rendered.custom().stream().map(r -> r.get("kind") + "/" + name(r)))
                .forEach(key -> assertThat(names.computeIfAbsent("all", k -> new HashSet<>()).add(key))
                        .as(overlay + ": duplicate " + key).isTrue());
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void customResourcesHaveTheirApiVersionAndASpec(String overlay) {
        for (Map<String, Object> resource : render(overlay).custom()) {
            String kind = String.valueOf(resource.get("kind"));
            assertThat(resource.get("apiVersion")).as(overlay + ": " + kind).isEqualTo(CUSTOM_KINDS.get(kind));
            assertThat(name(resource)).as(overlay + ": " + kind + " name").isNotBlank();
            assertThat(map(resource.get("spec"))).as(overlay + ": " + kind + " " + name(resource) + " spec").isNotEmpty();
        }
    }

    // ---- the five Deployments -----------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("overlays")
    void eachServiceRunsItsImageOnItsPortsWithSeparateProbes(String overlay) {
        Rendered rendered = render(overlay);
        assertThat(rendered.all(Deployment.class).stream().map(d -> d.getMetadata().getName()))
                .containsExactlyInAnyOrder("mailbox-api", "smtp-ingress", "delivery-service", "imap-gateway", "pop3-gateway");
        for (ManifestSources.Service service : ManifestSources.services()) {
            Deployment deployment = rendered.deployment(service.name());
            String where = overlay + ": " + service.name();
            Container container = onlyContainer(deployment);
            assertThat(container.getImage()).as(where + " image")
                    .isEqualTo("mailroom/" + service.name() + ":" + ManifestSources.projectVersion());
            Map<String, Integer> ports = namedPorts(deployment.getSpec().getTemplate());
            assertThat(ports.get("http")).as(where + " http port = server.port").isEqualTo(ManifestSources.httpPort(service.name()));
            assertThat(ports.values()).as(where + " ports").containsExactlyInAnyOrderElementsOf(
                    Stream.concat(Stream.of(ManifestSources.httpPort(service.name())),
                            ManifestSources.protocolPorts(service.name()).stream()).toList());
            assertThat(ManifestSources.protocolPorts(service.name())).containsAll(service.protocolPorts());

            assertProbe(where + " liveness", container.getLivenessProbe(), "/actuator/health/liveness", ports);
            assertProbe(where + " readiness", container.getReadinessProbe(), "/actuator/health/readiness", ports);
            assertProbe(where + " startup", container.getStartupProbe(), "/actuator/health/liveness", ports);
            Probe startup = container.getStartupProbe();
            assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold()).as(where + " time allowed to start (s)")
                    .isBetween(60, 600);

            assertThat(container.getResources().getRequests()).as(where + " requests").containsKeys("cpu", "memory");
            assertThat(container.getResources().getLimits()).as(where + " limits").containsKey("memory");
            assertThat(container.getResources().getRequests().get("memory"))
                    .as(where + ": memory request = limit (the image commits its heap, 75 % of the limit, at start)")
                    .isEqualTo(container.getResources().getLimits().get("memory"));
            assertThat(container.getResources().getLimits()).as(where + ": no CPU limit (throttling stalls the event loops)")
                    .doesNotContainKey("cpu");
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void eachServiceRunsConfinedWithItsOwnServiceAccountAndNoToken(String overlay) {
        Rendered rendered = render(overlay);
        for (Deployment deployment : rendered.all(Deployment.class)) {
            String where = overlay + ": " + deployment.getMetadata().getName();
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            Container container = onlyContainer(deployment);
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(where + " runAsNonRoot").isTrue();
            assertThat(pod.getSecurityContext().getRunAsUser()).as(where + " the image's numeric user").isEqualTo(10001L);
            assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).as(where).isFalse();
            assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).as(where).isTrue();
            assertThat(container.getSecurityContext().getCapabilities().getDrop()).as(where).containsExactly("ALL");
            assertThat(container.getSecurityContext().getPrivileged()).as(where).isNotEqualTo(Boolean.TRUE);
            Volume tmp = pod.getVolumes().stream()
                    .filter(v -> container.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp") && m.getName().equals(v.getName())))
                    .findFirst().orElseThrow(() -> new AssertionError(where + ": no volume at /tmp"));
            assertThat(tmp.getEmptyDir()).as(where + ": /tmp is an emptyDir").isNotNull();

            String account = pod.getServiceAccountName();
            assertThat(account).as(where + " serviceAccountName").isEqualTo(deployment.getMetadata().getName());
            assertThat(rendered.one(ServiceAccount.class, account).getAutomountServiceAccountToken()).as(where).isFalse();
            assertThat(pod.getAutomountServiceAccountToken()).as(where).isFalse();

            Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(matches(deployment.getSpec().getSelector(), labels)).as(where + " selector").isTrue();
            assertThat(pod.getTopologySpreadConstraints()).as(where + " topology spread").isNotEmpty()
                    .allSatisfy(c -> assertThat(matches(c.getLabelSelector(), labels)).as(where + " spread selector").isTrue())
                    .anySatisfy(c -> assertThat(c.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone"));
        }
    }

    /**
     * The grace period covers the preStop pause (while the load balancer and the endpoints stop sending), the
     * service's own drain (its shutdown timeout) and a margin for the rest of Spring's shutdown.
     */
    @ParameterizedTest
    @MethodSource("overlays")
    void theGracePeriodFitsThePreStopPauseAndTheDrain(String overlay) {
        Rendered rendered = render(overlay);
        Map<String, Integer> drain = Map.of(
                "mailbox-api", seconds(env(rendered.deployment("mailbox-api"), "SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE")),
                "smtp-ingress", seconds(env(rendered.deployment("smtp-ingress"), "MAILROOM_SMTP_SHUTDOWNTIMEOUT")),
                "delivery-service", seconds(env(rendered.deployment("delivery-service"), "MAILROOM_QUEUE_CONSUMER_SHUTDOWNTIMEOUT")),
                "imap-gateway", constantSeconds("imap-gateway/src/main/java/io/mailroom/imap/server/MailroomImapServer.java", "SHUTDOWN_TIMEOUT"),
                "pop3-gateway", constantSeconds("pop3-gateway/src/main/java/io/mailroom/pop3/server/Pop3ServerConfiguration.java", "SHUTDOWN_TIMEOUT"));
        for (Deployment deployment : rendered.all(Deployment.class)) {
            String name = deployment.getMetadata().getName();
            Container container = onlyContainer(deployment);
            int preStop = 0;
            if (container.getLifecycle() != null && container.getLifecycle().getPreStop() != null) {
                List<String> command = container.getLifecycle().getPreStop().getExec().getCommand();
                assertThat(command.get(0)).isEqualTo("sleep");
                preStop = Integer.parseInt(command.get(1));
            }
            if (PROTOCOL_TIERS.contains(name) || name.equals("mailbox-api")) {
                assertThat(preStop).as(overlay + ": " + name + " pauses before stopping so that no new connection is lost")
                        .isGreaterThanOrEqualTo(5);
            }
            long grace = deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
            assertThat(grace).as(overlay + ": " + name + " grace ≥ preStop " + preStop + " s + drain " + drain.get(name) + " s + 10 s")
                    .isGreaterThanOrEqualTo(preStop + drain.get(name) + 10L)
                    .isLessThanOrEqualTo(300L);
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void configMapsAndSecretKeysThatThePodsUseExist(String overlay) {
        Rendered rendered = render(overlay);
        Set<String> exampleKeys = secretExampleKeys();
        Set<String> configMaps = rendered.all(ConfigMap.class).stream().map(c -> c.getMetadata().getName()).collect(Collectors.toSet());
        Set<String> operatorSecrets = new HashSet<>();
        rendered.custom("Cluster").forEach(c -> operatorSecrets.add(name(c) + "-app"));
        rendered.custom("RabbitmqCluster").forEach(c -> operatorSecrets.add(name(c) + "-default-user"));
        List<PodTemplateSpec> templates = new ArrayList<>();
        rendered.all(Deployment.class).forEach(d -> templates.add(d.getSpec().getTemplate()));
        rendered.all(StatefulSet.class).forEach(s -> templates.add(s.getSpec().getTemplate()));
        for (PodTemplateSpec template : templates) {
            for (Container container : template.getSpec().getContainers()) {
                String where = overlay + ": " + container.getName();
                Objects.requireNonNullElse(container.getEnvFrom(), List.<io.fabric8.kubernetes.api.model.EnvFromSource>of()).forEach(source ->
                        assertThat(configMaps).as(where + " envFrom").contains(source.getConfigMapRef().getName()));
                for (EnvVar env : Objects.requireNonNullElse(container.getEnv(), List.<EnvVar>of())) {
                    SecretKeySelector ref = env.getValueFrom() == null ? null : env.getValueFrom().getSecretKeyRef();
                    if (ref != null) {
                        assertSecretKey(rendered, where + " " + env.getName(), ref.getName(), ref.getKey(), exampleKeys, operatorSecrets);
                    }
                }
            }
        }
        for (Map<String, Object> auth : rendered.custom("TriggerAuthentication")) {
            for (Object ref : list(path(auth, "spec", "secretTargetRef"))) {
                assertSecretKey(rendered, overlay + ": TriggerAuthentication " + name(auth), String.valueOf(path(ref, "name")),
                        String.valueOf(path(ref, "key")), exampleKeys, operatorSecrets);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everySettingGivenToTheServicesIsOneTheyRead(String overlay) {
        Rendered rendered = render(overlay);
        List<String> unbound = new ArrayList<>();
        config(rendered).keySet().forEach(key -> unbound.add(ManifestSources.unboundSetting(key)));
        rendered.all(Deployment.class).forEach(d -> onlyContainer(d).getEnv()
                .forEach(e -> unbound.add(ManifestSources.unboundSetting(e.getName()))));
        assertThat(unbound.stream().filter(Objects::nonNull)).as(overlay + ": settings the services would ignore").isEmpty();
        assertThat(ManifestSources.unboundSetting("MAILROOM_IMAP_PROXYREQUIRD")).as("a typo is caught").isNotNull();
    }

    @Test
    void everyKeyOfTheExampleSecretIsUsedSomewhere() {
        Set<String> used = new TreeSet<>();
        for (String overlay : OVERLAYS) {
            Rendered rendered = render(overlay);
            Stream.concat(rendered.all(Deployment.class).stream().map(d -> d.getSpec().getTemplate()),
                            rendered.all(StatefulSet.class).stream().map(s -> s.getSpec().getTemplate()))
                    .flatMap(t -> t.getSpec().getContainers().stream())
                    .flatMap(c -> Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of()).stream())
                    .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                    .filter(e -> e.getValueFrom().getSecretKeyRef().getName().startsWith("mailroom-secrets"))
                    .forEach(e -> used.add(e.getValueFrom().getSecretKeyRef().getKey()));
            rendered.custom("TriggerAuthentication").forEach(a -> list(path(a, "spec", "secretTargetRef"))
                    .forEach(ref -> used.add(String.valueOf(path(ref, "key")))));
        }
        assertThat(used).isEqualTo(secretExampleKeys());
    }

    // ---- Services, PDBs, autoscaling ----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("overlays")
    void servicesSelectOneWorkloadAndTargetItsNamedPorts(String overlay) {
        Rendered rendered = render(overlay);
        Map<String, Map<String, String>> pods = rendered.podLabels();
        Map<String, Map<String, Integer>> podPorts = rendered.podPorts();
        for (Service service : rendered.all(Service.class)) {
            String where = overlay + ": Service " + service.getMetadata().getName();
            List<String> selected = selected(pods, service.getSpec().getSelector());
            assertThat(selected).as(where + " selects").hasSize(1);
            Map<String, Integer> ports = podPorts.get(selected.get(0));
            for (ServicePort port : service.getSpec().getPorts()) {
                IntOrString target = port.getTargetPort();
                assertThat(target.getStrVal()).as(where + " targets a named port").isNotNull();
                assertThat(ports).as(where + " target " + target.getStrVal()).containsKey(target.getStrVal());
            }
        }
        // the mail ports on load balancers, at their standard numbers; mailbox-api and delivery-service never
        Map<String, Map<Integer, Integer>> standard = Map.of(
                "smtp-ingress", Map.of(25, 2525, 587, 2587, 465, 2465),
                "imap-gateway", Map.of(143, 1143, 993, 1993),
                "pop3-gateway", Map.of(110, 1110, 995, 1995));
        standard.forEach((name, expected) -> {
            Service service = rendered.one(Service.class, name);
            assertThat(service.getSpec().getType()).as(overlay + ": " + name).isEqualTo("LoadBalancer");
            Map<String, Integer> containerPorts = namedPorts(rendered.deployment(name).getSpec().getTemplate());
            Map<Integer, Integer> actual = new HashMap<>();
            service.getSpec().getPorts().forEach(p -> actual.put(p.getPort(), containerPorts.get(p.getTargetPort().getStrVal())));
            assertThat(actual).as(overlay + ": " + name + " service port → container port").isEqualTo(expected);
            assertThat(actual.values()).containsExactlyInAnyOrderElementsOf(ManifestSources.protocolPorts(name));
        });
        for (Service service : rendered.all(Service.class)) {
            if (!standard.containsKey(service.getMetadata().getName())) {
                assertThat(service.getSpec().getType()).as(overlay + ": " + service.getMetadata().getName() + " stays inside")
                        .isEqualTo("ClusterIP");
            }
        }
        assertThat(rendered.one(Service.class, "mailbox-api").getSpec().getPorts().get(0).getPort())
                .as("the port in MAILROOM_MAILBOXAPI_BASEURL").isEqualTo(ManifestSources.httpPort("mailbox-api"));
        assertThat(config(rendered).get("MAILROOM_MAILBOXAPI_BASEURL"))
                .isEqualTo("http://mailbox-api:" + ManifestSources.httpPort("mailbox-api"));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyDeploymentHasADisruptionBudgetAndAnAutoscalerThatFitIt(String overlay) {
        Rendered rendered = render(overlay);
        Map<String, Map<String, String>> pods = rendered.podLabels();
        for (Deployment deployment : rendered.all(Deployment.class)) {
            String name = deployment.getMetadata().getName();
            List<PodDisruptionBudget> budgets = rendered.all(PodDisruptionBudget.class).stream()
                    .filter(p -> selected(pods, p.getSpec().getSelector()).contains(name)).toList();
            assertThat(budgets).as(overlay + ": PDB of " + name).hasSize(1);
            assertThat(selected(pods, budgets.get(0).getSpec().getSelector())).containsExactly(name);
            assertThat(budgets.get(0).getSpec().getMaxUnavailable().getIntVal()).as(overlay + ": " + name + " maxUnavailable").isEqualTo(1);
        }
        List<HorizontalPodAutoscaler> hpas = rendered.all(HorizontalPodAutoscaler.class);
        for (HorizontalPodAutoscaler hpa : hpas) {
            String where = overlay + ": HPA " + hpa.getMetadata().getName();
            assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
            Deployment target = rendered.deployment(hpa.getSpec().getScaleTargetRef().getName());
            assertThat(target.getSpec().getReplicas()).as(where + ": the HPA owns the replica count").isNull();
            assertThat(hpa.getSpec().getMinReplicas()).as(where).isGreaterThanOrEqualTo(2);
            assertThat(hpa.getSpec().getMaxReplicas()).as(where).isGreaterThan(hpa.getSpec().getMinReplicas());
            assertThat(hpa.getSpec().getMetrics()).as(where + " scales on CPU")
                    .anySatisfy(m -> assertThat(m.getResource().getName()).isEqualTo("cpu"));
            assertThat(onlyContainer(target).getResources().getRequests()).as(where + ": CPU utilisation needs a request").containsKey("cpu");
        }
        Set<String> scaledByKeda = rendered.custom("ScaledObject").stream()
                .map(s -> String.valueOf(path(s, "spec", "scaleTargetRef", "name"))).collect(Collectors.toSet());
        Set<String> scaledByHpa = hpas.stream().map(h -> h.getSpec().getScaleTargetRef().getName()).collect(Collectors.toSet());
        assertThat(scaledByKeda.stream().filter(scaledByHpa::contains)).as(overlay + ": one autoscaler per Deployment").isEmpty();
        if (overlay.equals("overlays/dev")) {
            assertThat(hpas).isEmpty();
            assertThat(rendered.all(Deployment.class)).allSatisfy(d -> assertThat(d.getSpec().getReplicas()).isEqualTo(1));
        } else {
            Set<String> scaled = new HashSet<>(scaledByHpa);
            scaled.addAll(scaledByKeda);
            assertThat(scaled).containsExactlyInAnyOrder("mailbox-api", "smtp-ingress", "delivery-service", "imap-gateway", "pop3-gateway");
        }
        if (overlay.equals("overlays/production")) {
            assertThat(scaledByKeda).containsExactly("delivery-service");
            assertThat(scaledByHpa).containsAll(PROTOCOL_TIERS);
        }
    }

    @Test
    void kedaScalesDeliveryServiceOnTheInboundQueueWithCpuAsFallback() {
        Rendered production = render("overlays/production");
        Map<String, Object> scaled = production.custom("ScaledObject").get(0);
        assertThat(path(scaled, "spec", "scaleTargetRef", "name")).isEqualTo("delivery-service");
        assertThat((Integer) path(scaled, "spec", "minReplicaCount")).isGreaterThanOrEqualTo(2);
        assertThat((Integer) path(scaled, "spec", "maxReplicaCount")).isGreaterThan((Integer) path(scaled, "spec", "minReplicaCount"));
        List<Object> triggers = list(path(scaled, "spec", "triggers"));
        Map<String, Object> queue = triggers.stream().map(ManifestSources::map).filter(t -> "rabbitmq".equals(t.get("type"))).findFirst()
                .orElseThrow(() -> new AssertionError("no rabbitmq trigger"));
        // mail-queue's topology: the default name prefix and the queue consumers read
        String topology = ManifestSources.read(HOME.resolve("mail-queue/src/main/java/io/mailroom/queue/rabbitmq/RabbitQueueTopology.java"));
        String properties = ManifestSources.read(HOME.resolve("mail-queue/src/main/java/io/mailroom/queue/MailQueueProperties.java"));
        Matcher prefix = Pattern.compile("@DefaultValue\\(\"([^\"]+)\"\\) String namePrefix").matcher(properties);
        Matcher inbound = Pattern.compile("static final String INBOUND = \"([^\"]+)\"").matcher(topology);
        assertThat(prefix.find() && inbound.find()).as("queue naming found in mail-queue").isTrue();
        assertThat(path(queue, "metadata", "queueName")).isEqualTo(prefix.group(1) + inbound.group(1));
        assertThat(path(queue, "metadata", "mode")).isEqualTo("QueueLength");
        assertThat(Integer.parseInt(String.valueOf(path(queue, "metadata", "value")))).isPositive();
        String auth = String.valueOf(path(queue, "authenticationRef", "name"));
        assertThat(production.custom("TriggerAuthentication").stream().map(KubernetesManifestsTest::name)).contains(auth);
        assertThat(triggers).anySatisfy(t -> {
            assertThat(path(t, "type")).isEqualTo("cpu");
            assertThat(path(t, "metricType")).isEqualTo("Utilization");
        });
    }

    // ---- network policies ---------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("overlays")
    void networkPoliciesSelectRealPodsAndNamedPorts(String overlay) {
        Rendered rendered = render(overlay);
        Map<String, Map<String, String>> pods = rendered.podLabels();
        Map<String, Map<String, Integer>> podPorts = rendered.podPorts();
        assertThat(rendered.all(NetworkPolicy.class)).as(overlay + ": default deny")
                .anySatisfy(p -> {
                    assertThat(p.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
                    assertThat(p.getSpec().getIngress()).isNullOrEmpty();
                    assertThat(p.getSpec().getPolicyTypes()).contains("Ingress");
                });
        for (NetworkPolicy policy : rendered.all(NetworkPolicy.class)) {
            if (policy.getSpec().getPodSelector().getMatchLabels() == null || policy.getSpec().getPodSelector().getMatchLabels().isEmpty()) {
                continue;
            }
            String where = overlay + ": NetworkPolicy " + policy.getMetadata().getName();
            List<String> targets = selected(pods, policy.getSpec().getPodSelector());
            assertThat(targets).as(where + " selects").hasSize(1);
            for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
                for (NetworkPolicyPort port : Objects.requireNonNullElse(rule.getPorts(), List.<NetworkPolicyPort>of())) {
                    if (port.getPort().getStrVal() != null) {
                        assertThat(podPorts.get(targets.get(0))).as(where + " port").containsKey(port.getPort().getStrVal());
                    } else {
                        assertThat(podPorts.get(targets.get(0)).values()).as(where + " port").contains(port.getPort().getIntVal());
                    }
                }
                for (NetworkPolicyPeer peer : Objects.requireNonNullElse(rule.getFrom(), List.<NetworkPolicyPeer>of())) {
                    if (peer.getPodSelector() != null && peer.getNamespaceSelector() == null) {
                        assertThat(selected(pods, peer.getPodSelector())).as(where + " peer " + peer.getPodSelector().getMatchLabels()).hasSize(1);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("deployedOverlays")
    void onlyTheServicesThatNeedThemReachMailboxApiPostgresAndRabbitMq(String overlay) {
        Rendered rendered = render(overlay);
        assertThat(clientsOf(rendered, "mailbox-api", ManifestSources.httpPort("mailbox-api")))
                .containsExactlyInAnyOrder("smtp-ingress", "delivery-service", "imap-gateway", "pop3-gateway", "namespace monitoring");
        String postgres = overlay.endsWith("dev") ? "postgres" : name(rendered.custom("Cluster").get(0));
        String rabbitmq = overlay.endsWith("dev") ? "rabbitmq" : name(rendered.custom("RabbitmqCluster").get(0));
        assertThat(clientsOf(rendered, postgres, 5432)).containsExactly("mailbox-api");
        List<String> rabbitClients = new ArrayList<>(List.of("smtp-ingress", "delivery-service", "mailbox-api", "imap-gateway"));
        if (!rendered.custom("ScaledObject").isEmpty()) {
            rabbitClients.add("namespace keda");
        }
        assertThat(clientsOf(rendered, rabbitmq, 5672)).containsExactlyInAnyOrderElementsOf(rabbitClients);
        for (String tier : PROTOCOL_TIERS) {
            Set<String> mailPorts = namedPorts(rendered.deployment(tier).getSpec().getTemplate()).keySet().stream()
                    .filter(p -> !p.equals("http")).collect(Collectors.toSet());
            assertThat(rendered.all(NetworkPolicy.class)).as(overlay + ": the mail ports of " + tier + " are open to all")
                    .anySatisfy(p -> {
                        assertThat(p.getSpec().getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", tier);
                        assertThat(p.getSpec().getIngress()).anySatisfy(rule -> {
                            assertThat(rule.getFrom()).isNullOrEmpty();
                            assertThat(rule.getPorts().stream().map(port -> port.getPort().getStrVal()).collect(Collectors.toSet()))
                                    .isEqualTo(mailPorts);
                        });
                    });
        }
    }

    // ---- data stores, settings ----------------------------------------------------------------------------------

    @Test
    void devRunsPostgresAndRabbitMqWhereTheConfigPointsWithoutProxyProtocol() {
        Rendered dev = render("overlays/dev");
        Map<String, String> config = config(dev);
        assertThat(dev.all(StatefulSet.class).stream().map(s -> s.getMetadata().getName())).containsExactlyInAnyOrder("postgres", "rabbitmq");
        assertThat(dev.all(StatefulSet.class)).allSatisfy(s -> assertThat(s.getSpec().getReplicas()).isEqualTo(1));
        Service rabbit = dev.one(Service.class, config.get("MAILROOM_QUEUE_RABBITMQ_HOST"));
        assertThat(rabbit.getSpec().getPorts()).anySatisfy(p -> assertThat(p.getPort()).isEqualTo(Integer.parseInt(config.get("MAILROOM_QUEUE_RABBITMQ_PORT"))));
        assertThat(config.get("MAILROOM_EVENTS_RABBITMQ_HOST")).isEqualTo(config.get("MAILROOM_QUEUE_RABBITMQ_HOST"));
        JdbcUrl url = JdbcUrl.parse(env(dev.deployment("mailbox-api"), "SPRING_DATASOURCE_URL"));
        Service postgres = dev.one(Service.class, url.host());
        assertThat(postgres.getSpec().getPorts()).anySatisfy(p -> assertThat(p.getPort()).isEqualTo(url.port()));
        assertThat(env(dev.one(StatefulSet.class, "postgres").getSpec().getTemplate().getSpec().getContainers().get(0), "POSTGRES_DB"))
                .isEqualTo(url.database());
        assertThat(proxySettings(config).values()).as("dev: no PROXY protocol").containsOnly("false");
    }

    @Test
    void productionUsesTheOperatorsClustersAndTheirSecrets() {
        Rendered production = render("overlays/production");
        Map<String, String> config = config(production);
        Map<String, Object> db = production.custom("Cluster").get(0);
        assertThat((Integer) path(db, "spec", "instances")).isGreaterThanOrEqualTo(3);
        Deployment api = production.deployment("mailbox-api");
        JdbcUrl url = JdbcUrl.parse(env(api, "SPRING_DATASOURCE_URL"));
        assertThat(url.host()).as("CloudNativePG's read-write Service").isEqualTo(name(db) + "-rw");
        assertThat(url.port()).isEqualTo(5432);
        assertThat(url.database()).isEqualTo(path(db, "spec", "bootstrap", "initdb", "database"));
        assertThat(secretRef(api, "SPRING_DATASOURCE_USERNAME")).isEqualTo(name(db) + "-app/username");
        assertThat(secretRef(api, "SPRING_DATASOURCE_PASSWORD")).isEqualTo(name(db) + "-app/password");

        Map<String, Object> rabbit = production.custom("RabbitmqCluster").get(0);
        assertThat((Integer) path(rabbit, "spec", "replicas")).as("quorum queues need an odd number ≥ 3").isGreaterThanOrEqualTo(3).isOdd();
        assertThat(config.get("MAILROOM_QUEUE_RABBITMQ_HOST")).isEqualTo(name(rabbit));
        assertThat(config.get("MAILROOM_EVENTS_RABBITMQ_HOST")).isEqualTo(name(rabbit));
        assertThat(String.valueOf(path(rabbit, "spec", "rabbitmq", "additionalConfig")))
                .as("per-queue series for dashboards").contains("prometheus.return_per_object_metrics = true");
        for (String service : List.of("smtp-ingress", "delivery-service")) {
            assertThat(secretRef(production.deployment(service), "MAILROOM_QUEUE_RABBITMQ_PASSWORD")).isEqualTo(name(rabbit) + "-default-user/password");
        }
        for (String service : List.of("mailbox-api", "imap-gateway")) {
            assertThat(secretRef(production.deployment(service), "MAILROOM_EVENTS_RABBITMQ_PASSWORD")).isEqualTo(name(rabbit) + "-default-user/password");
        }
        assertThat(proxySettings(config).values()).as("production: PROXY protocol on every mail listener").containsOnly("true");
        for (String tier : PROTOCOL_TIERS) {
            assertThat(production.one(Service.class, tier).getMetadata().getAnnotations()).as(tier + ": the load balancer sends PROXY")
                    .containsKey("service.beta.kubernetes.io/aws-load-balancer-proxy-protocol");
        }
    }

    @Test
    void theProxySettingsAreRealPropertiesOfTheProtocolServices() {
        Map<String, String> base = config(render("base"));
        assertThat(proxySettings(base)).containsOnlyKeys(
                "MAILROOM_SMTP_LISTENERS_MX_PROXYPROTOCOL", "MAILROOM_SMTP_LISTENERS_SUBMISSION_PROXYPROTOCOL",
                "MAILROOM_SMTP_LISTENERS_SUBMISSIONS_PROXYPROTOCOL", "MAILROOM_IMAP_PROXYREQUIRED", "MAILROOM_POP3_PROXYREQUIRED");
        String smtp = ManifestSources.read(HOME.resolve("smtp-ingress/src/main/java/io/mailroom/smtp/SmtpProperties.java"));
        assertThat(smtp).contains("@ConfigurationProperties(\"mailroom.smtp\")")
                .containsPattern("record Listeners\\(@Valid Listener mx, @Valid Listener submission, @Valid Listener submissions\\)")
                .containsPattern("boolean proxyProtocol\\)");
        assertThat(ManifestSources.read(HOME.resolve("imap-gateway/src/main/java/io/mailroom/imap/server/ImapProperties.java")))
                .contains("@ConfigurationProperties(\"mailroom.imap\")").contains("boolean proxyRequired");
        assertThat(ManifestSources.read(HOME.resolve("pop3-gateway/src/main/java/io/mailroom/pop3/server/Pop3Properties.java")))
                .contains("@ConfigurationProperties(\"mailroom.pop3\")").contains("boolean proxyRequired");
        assertThat(proxySettings(base).values()).containsOnly("true");
    }

    @Test
    void certificatesFromCertManagerAreMountedWhereTheServicesReadThem() {
        Rendered production = render("overlays/production");
        List<Map<String, Object>> certificates = production.custom("Certificate");
        assertThat(certificates).hasSize(3);
        for (String tier : PROTOCOL_TIERS) {
            Deployment deployment = production.deployment(tier);
            Container container = onlyContainer(deployment);
            Volume tls = deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                    .filter(v -> v.getSecret() != null).findFirst().orElseThrow(() -> new AssertionError(tier + ": no TLS volume"));
            Map<String, Object> certificate = certificates.stream()
                    .filter(c -> tls.getSecret().getSecretName().equals(path(c, "spec", "secretName"))).findFirst()
                    .orElseThrow(() -> new AssertionError(tier + ": no Certificate makes " + tls.getSecret().getSecretName()));
            assertThat(list(path(certificate, "spec", "dnsNames"))).isNotEmpty();
            assertThat(path(certificate, "spec", "issuerRef", "name")).isNotNull();
            assertThat(path(certificate, "spec", "privateKey", "encoding")).isEqualTo("PKCS8");
            String mount = container.getVolumeMounts().stream().filter(m -> m.getName().equals(tls.getName())).findFirst()
                    .orElseThrow().getMountPath();
            assertThat(env(container, "MAILROOM_TLS_CERTIFICATE")).isEqualTo(mount + "/tls.crt");
            assertThat(env(container, "MAILROOM_TLS_PRIVATEKEY")).isEqualTo(mount + "/tls.key");
        }
    }

    // ---- monitoring ---------------------------------------------------------------------------------------------

    @Test
    void theServiceMonitorScrapesEveryServiceOnceOnItsActuator() {
        Rendered production = render("overlays/production");
        Map<String, Object> monitor = production.custom("ServiceMonitor").get(0);
        Map<String, String> selector = stringMap(path(monitor, "spec", "selector", "matchLabels"));
        Map<String, Object> endpoint = map(list(path(monitor, "spec", "endpoints")).get(0));
        assertThat(endpoint.get("path")).isEqualTo("/actuator/prometheus");
        List<Service> scraped = production.all(Service.class).stream()
                .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())).toList();
        Map<String, Map<String, String>> pods = production.podLabels();
        assertThat(scraped.stream().flatMap(s -> selected(pods, new LabelSelector(null, s.getSpec().getSelector())).stream()))
                .containsExactlyInAnyOrder("mailbox-api", "smtp-ingress", "delivery-service", "imap-gateway", "pop3-gateway");
        assertThat(scraped).allSatisfy(s -> assertThat(s.getSpec().getPorts()).anySatisfy(p -> assertThat(p.getName()).isEqualTo(endpoint.get("port"))));
        // the job label of the scraped series is the Service name: MailroomServiceDown lists them
        String rules = String.valueOf(production.custom("PrometheusRule").get(0));
        scraped.forEach(s -> assertThat(rules).contains(s.getMetadata().getName()));
    }

    @Test
    void alertsCoverTheFlowAndUseMetersTheServicesRegister() throws IOException {
        Rendered production = render("overlays/production");
        Set<String> meters = ManifestSources.meterNames();
        assertThat(meters).as("meters found in the code").contains("mailroom.queue.dead.lettered", "mailroom.smtp.auth.failures");
        String operations = Files.readString(HOME.resolve("docs/operations.md"));
        List<String> alerts = new ArrayList<>();
        for (Object group : list(path(production.custom("PrometheusRule").get(0), "spec", "groups"))) {
            for (Object rule : list(path(group, "rules"))) {
                String alert = String.valueOf(path(rule, "alert"));
                alerts.add(alert);
                String expr = String.valueOf(path(rule, "expr"));
                assertThat(path(rule, "labels", "severity")).as(alert).isIn("info", "warning", "critical");
                assertThat(path(rule, "annotations", "summary")).as(alert).isNotNull();
                assertThat(String.valueOf(path(rule, "annotations", "runbook_url"))).as(alert).endsWith("#" + alert.toLowerCase());
                assertThat(operations).as("docs/operations.md explains " + alert).contains("### " + alert);
                assertMetersExist(alert, expr, meters);
                assertThat(count(expr, '(')).as(alert + " parentheses balance").isEqualTo(count(expr, ')'));
            }
        }
        assertThat(alerts).contains("MailroomQueueAgeHigh", "MailroomQueueBacklog", "MailroomDeadLetters", "MailroomDeliveryFailures",
                "MailroomAuthFailureSpike", "MailroomCertificateExpiresSoon");
    }

    @Test
    void theGrafanaDashboardFollowsTheFlowWithRealMeters() {
        Rendered production = render("overlays/production");
        ConfigMap dashboard = production.one(ConfigMap.class, "mailroom-grafana-dashboard");
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        Map<String, Object> json = JSON.readValue(dashboard.getData().get("mailroom-dashboard.json"), Map.class);
        assertThat(json.get("uid")).isEqualTo("mailroom-flow");
        Set<String> meters = ManifestSources.meterNames();
        Set<String> used = new TreeSet<>();
        List<String> titles = new ArrayList<>();
        for (Object panel : list(json.get("panels"))) {
            titles.add(String.valueOf(path(panel, "title")));
            if ("row".equals(path(panel, "type"))) {
                continue;
            }
            assertThat(list(path(panel, "targets"))).as("panel " + path(panel, "title")).isNotEmpty();
            for (Object target : list(path(panel, "targets"))) {
                String expr = String.valueOf(path(target, "expr"));
                assertMetersExist("panel " + path(panel, "title"), expr, meters);
                Matcher m = Pattern.compile("\\bmailroom_[a-z_]+").matcher(expr);
                while (m.find()) {
                    used.add(ManifestSources.meterOf(m.group(), meters));
                }
            }
        }
        assertThat(used).as("the dashboard shows every stage of the flow").contains(
                "mailroom.smtp.messages", "mailroom.queue.enqueued", "mailroom.queue.acked", "mailroom.delivery.filed",
                "mailroom.delivery.filing.latency", "mailroom.delivery.queue.depth", "mailroom.delivery.queue.oldest.age",
                "mailroom.connections.open", "mailroom.smtp.auth.failures");
        assertThat(titles.stream().filter(t -> t.equals("null"))).isEmpty();
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static void assertMetersExist(String where, String expr, Set<String> meters) {
        Matcher m = Pattern.compile("\\b(mailroom|james)_[a-z_]+").matcher(expr);
        while (m.find()) {
            assertThat(ManifestSources.meterOf(m.group(), meters)).as(where + ": " + m.group() + " is a meter the code registers")
                    .isNotNull();
        }
    }

    private static long count(String text, char c) {
        return text.chars().filter(ch -> ch == c).count();
    }

    private static Map<String, String> proxySettings(Map<String, String> config) {
        return config.entrySet().stream().filter(e -> e.getKey().contains("PROXY"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** The app names whose pods a NetworkPolicy lets reach {@code target} on {@code port}. */
    private static Set<String> clientsOf(Rendered rendered, String target, int port) {
        Map<String, Map<String, String>> pods = rendered.podLabels();
        Map<String, Integer> targetPorts = rendered.podPorts().get(target);
        Set<String> clients = new TreeSet<>();
        boolean covered = false;
        for (NetworkPolicy policy : rendered.all(NetworkPolicy.class)) {
            Map<String, String> selector = policy.getSpec().getPodSelector().getMatchLabels();
            if (selector == null || selector.isEmpty() || !selected(pods, policy.getSpec().getPodSelector()).contains(target)) {
                continue;
            }
            covered = true;
            for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
                boolean portAllowed = rule.getPorts() == null || rule.getPorts().isEmpty() || rule.getPorts().stream().anyMatch(p ->
                        p.getPort().getStrVal() != null ? Objects.equals(targetPorts.get(p.getPort().getStrVal()), port) : p.getPort().getIntVal() == port);
                if (!portAllowed) {
                    continue;
                }
                assertThat(rule.getFrom()).as("nobody reaches " + target + ":" + port + " from anywhere").isNotEmpty();
                for (NetworkPolicyPeer peer : rule.getFrom()) {
                    assertThat(peer.getIpBlock()).as(target + " is not open to address blocks").isNull();
                    if (peer.getNamespaceSelector() != null) {
                        // whole namespaces only for the platform's own readers (Prometheus, KEDA), never the REST/AMQP clients
                        assertThat(peer.getPodSelector()).isNull();
                        clients.add("namespace " + peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"));
                        continue;
                    }
                    List<String> from = selected(pods, peer.getPodSelector());
                    clients.addAll(from.stream().filter(f -> !f.equals(target)).toList());
                }
            }
        }
        assertThat(covered).as("a NetworkPolicy selects " + target).isTrue();
        return clients;
    }

    private static void assertSecretKey(Rendered rendered, String where, String secret, String key, Set<String> exampleKeys,
                                        Set<String> operatorSecrets) {
        List<Secret> inOverlay = rendered.all(Secret.class).stream().filter(s -> s.getMetadata().getName().equals(secret)).toList();
        if (!inOverlay.isEmpty()) {
            Set<String> keys = new HashSet<>();
            if (inOverlay.get(0).getData() != null) {
                keys.addAll(inOverlay.get(0).getData().keySet());
            }
            if (inOverlay.get(0).getStringData() != null) {
                keys.addAll(inOverlay.get(0).getStringData().keySet());
            }
            assertThat(keys).as(where + ": key of " + secret).contains(key);
            assertThat(keys).as(where + ": the generated Secret has the keys of secret.example.yaml").isEqualTo(
                    secret.startsWith("mailroom-secrets") ? exampleKeys.stream().filter(k -> !k.equals("rabbitmq-amqp-uri"))
                            .collect(Collectors.toSet()) : keys);
        } else if (secret.equals("mailroom-secrets")) {
            assertThat(exampleKeys).as(where + ": key documented in k8s/base/secret.example.yaml").contains(key);
        } else {
            assertThat(operatorSecrets).as(where + ": Secret made by an operator of this overlay").contains(secret);
            assertThat(key).as(where).isIn("username", "password");
        }
    }

    private static Set<String> secretExampleKeys() {
        Map<String, Object> example = ManifestSources.load(HOME.resolve("k8s/base/secret.example.yaml"));
        assertThat(path(example, "metadata", "name")).isEqualTo("mailroom-secrets");
        return new TreeSet<>(map(example.get("stringData")).keySet());
    }

    /** mailroom-config, generated: its name carries a hash of its content, so that a change rolls the pods. */
    private static Map<String, String> config(Rendered rendered) {
        List<ConfigMap> generated = rendered.all(ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().matches("mailroom-config-[a-z0-9]{10}")).toList();
        assertThat(generated).as(rendered.overlay() + ": one mailroom-config-<hash>").hasSize(1);
        String name = generated.get(0).getMetadata().getName();
        rendered.all(Deployment.class).forEach(d -> assertThat(onlyContainer(d).getEnvFrom())
                .as(rendered.overlay() + ": " + d.getMetadata().getName() + " reads the current mailroom-config")
                .anySatisfy(source -> assertThat(source.getConfigMapRef().getName()).isEqualTo(name)));
        return generated.get(0).getData();
    }

    private static String env(Deployment deployment, String name) {
        return env(onlyContainer(deployment), name);
    }

    private static String env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .map(EnvVar::getValue).orElseThrow(() -> new AssertionError(container.getName() + ": no env " + name));
    }

    private static String secretRef(Deployment deployment, String name) {
        SecretKeySelector ref = onlyContainer(deployment).getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name)).getValueFrom().getSecretKeyRef();
        return ref.getName() + "/" + ref.getKey();
    }

    record JdbcUrl(String host, int port, String database) {

        static JdbcUrl parse(String url) {
            Matcher m = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/(\\w+)").matcher(url);
            assertThat(m.matches()).as("a PostgreSQL JDBC URL: " + url).isTrue();
            return new JdbcUrl(m.group(1), Integer.parseInt(m.group(2)), m.group(3));
        }
    }

    private static int seconds(String duration) {
        Matcher m = Pattern.compile("(\\d+)s").matcher(duration);
        assertThat(m.matches()).as("a duration in seconds: " + duration).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static int constantSeconds(String file, String constant) {
        Matcher m = Pattern.compile(constant + " = Duration\\.ofSeconds\\((\\d+)\\)").matcher(ManifestSources.read(HOME.resolve(file)));
        assertThat(m.find()).as(constant + " in " + file).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static void assertProbe(String where, Probe probe, String path, Map<String, Integer> ports) {
        assertThat(probe).as(where).isNotNull();
        assertThat(probe.getHttpGet().getPath()).as(where + " path").isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).as(where + " port").isEqualTo("http");
        assertThat(ports).containsKey("http");
        assertThat(probe.getTimeoutSeconds()).as(where + " timeout").isNotNull().isLessThan(probe.getPeriodSeconds());
    }

    private static Container onlyContainer(Deployment deployment) {
        List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).hasSize(1);
        assertThat(containers.get(0).getName()).isEqualTo(deployment.getMetadata().getName());
        return containers.get(0);
    }

    private static Map<String, Integer> namedPorts(PodTemplateSpec template) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (Container container : template.getSpec().getContainers()) {
            for (ContainerPort port : Objects.requireNonNullElse(container.getPorts(), List.<ContainerPort>of())) {
                assertThat(port.getName()).as(container.getName() + " port " + port.getContainerPort() + " has a name").isNotBlank();
                assertThat(ports.put(port.getName(), port.getContainerPort())).as("duplicate port name " + port.getName()).isNull();
            }
        }
        return ports;
    }

    private static List<String> selected(Map<String, Map<String, String>> pods, LabelSelector selector) {
        return pods.entrySet().stream().filter(e -> matches(selector, e.getValue())).map(Map.Entry::getKey).toList();
    }

    private static List<String> selected(Map<String, Map<String, String>> pods, Map<String, String> selector) {
        return selected(pods, new LabelSelector(null, selector));
    }

    private static boolean matches(LabelSelector selector, Map<String, String> labels) {
        assertThat(selector.getMatchExpressions()).as("selectors use matchLabels only").isNullOrEmpty();
        Map<String, String> wanted = selector.getMatchLabels();
        assertThat(wanted).as("a selector that selects something specific").isNotEmpty();
        return labels != null && labels.entrySet().containsAll(wanted.entrySet());
    }

    private static String name(Map<String, Object> resource) {
        return String.valueOf(path(resource, "metadata", "name"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> stringMap(Object node) {
        return (Map<String, String>) node;
    }

    /** Every value fabric8 could not bind to a field of the API (it keeps them in additionalProperties). */
    private static void unknownFields(Object node, String where, List<String> unknown, Set<Object> seen) {
        if (node == null || !seen.add(node)) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, where + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> entries) {
            entries.forEach((k, v) -> unknownFields(v, where + "." + k, unknown, seen));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers()) || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            String name = getter.getName();
            if (!name.startsWith("get") || name.equals("getClass")) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
                continue;
            }
            if (name.equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(where + ": " + extra.keySet());
                }
                continue;
            }
            unknownFields(value, where + "." + Character.toLowerCase(name.charAt(3)) + name.substring(4), unknown, seen);
        }
    }

    private static synchronized Rendered render(String overlay) {
        return RENDERED.computeIfAbsent(overlay, KubernetesManifestsTest::kustomize);
    }

    private static Rendered kustomize(String overlay) {
        Path kubectl = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .map(dir -> Path.of(dir, "kubectl")).filter(Files::isExecutable).findFirst().orElse(null);
        if (kubectl == null) {
            // like the services the integration tests need: fail in CI, skip with the reason on a laptop without it
            String reason = "kubectl is needed on the PATH to render the kustomize overlays (kubectl kustomize needs no cluster)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(reason);
            }
            Assumptions.abort(reason);
        }
        String yaml;
        try {
            Process process = new ProcessBuilder(kubectl.toString(), "kustomize", HOME.resolve("k8s").resolve(overlay).toString())
                    .redirectErrorStream(false).start();
            byte[] stderr;
            yaml = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            stderr = process.getErrorStream().readAllBytes();
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as("kubectl kustomize " + overlay + ": " + new String(stderr, StandardCharsets.UTF_8)).isZero();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        List<HasMetadata> typed = new ArrayList<>();
        List<Map<String, Object>> custom = new ArrayList<>();
        for (Map<String, Object> document : ManifestSources.loadAll(yaml)) {
            String kind = String.valueOf(document.get("kind"));
            if (CORE_KINDS.containsKey(kind)) {
                try {
                    typed.add(JSON.convertValue(document, CORE_KINDS.get(kind)));
                } catch (RuntimeException e) {
                    throw new AssertionError(overlay + ": " + kind + " " + name(document) + " does not fit the Kubernetes API: " + e.getMessage(), e);
                }
            } else if (CUSTOM_KINDS.containsKey(kind)) {
                custom.add(document);
            } else {
                fail(overlay + ": unexpected kind " + kind + " (" + name(document) + ")");
            }
        }
        return new Rendered(overlay, typed, custom);
    }
}
