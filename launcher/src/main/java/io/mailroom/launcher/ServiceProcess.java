package io.mailroom.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Mailroom service running as a child JVM from its runnable jar, exactly as it runs in a
 * container: the launcher and the end-to-end tests start, probe, stop and kill services through this.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final ServiceSpec spec;
    private final Path logFile;
    private Process process;

    private ServiceProcess(String name, ServiceSpec spec, Path logFile) {
        this.name = name;
        this.spec = spec;
        this.logFile = logFile;
    }

    /** Starts the service; its standard output and error go to {@code logFile} (appended, so restarts keep history). */
    public static ServiceProcess start(ServiceSpec spec, Path logFile) throws IOException {
        ServiceProcess service = new ServiceProcess(spec.name(), spec, logFile);
        service.launch();
        return service;
    }

    private void launch() throws IOException {
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(spec.jvmOptions());
        command.add("-jar");
        command.add(spec.jar().toString());
        spec.properties().forEach((key, value) -> command.add("--" + key + "=" + value));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        Map<String, String> environment = builder.environment();
        environment.putAll(spec.environment());
        process = builder.start();
    }

    public String name() {
        return name;
    }

    public ServiceSpec spec() {
        return spec;
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /**
     * The exit status of the last run, once it has ended: 143 after a graceful exit on SIGTERM (the JVM's 128 + 15),
     * 137 after SIGKILL (ours from {@link #stop} when the grace ran out, or anybody's).
     */
    public int exitValue() {
        if (process == null || process.isAlive()) {
            throw new IllegalStateException(name + " is running");
        }
        return process.exitValue();
    }

    /**
     * Waits until the readiness probe answers 200.
     *
     * @throws IllegalStateException when the process dies first or the time runs out; the message
     *                               ends with the tail of the service's log
     */
    public void awaitReady(Duration timeout) {
        URI probe = URI.create("http://127.0.0.1:" + spec.httpPort() + "/actuator/health/readiness");
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with status " + process.exitValue() + " before it was ready\n" + logTail());
            }
            try {
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            sleepQuietly(Duration.ofMillis(250));
        }
        throw new IllegalStateException(name + " was not ready within " + timeout + "\n" + logTail());
    }

    /** Asks the service to shut down (SIGTERM, graceful), and kills it if it has not exited within {@code grace}. */
    public void stop(Duration grace) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    /** SIGKILL: no shutdown hooks, no goodbye; what a crash looks like to everybody else. */
    public void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the same service again (after {@link #stop} or {@link #kill}). */
    public void restart() throws IOException {
        if (isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        launch();
    }

    /** The last lines of the service's log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return "---- last lines of " + logFile + " ----\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log at " + logFile + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(20));
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
