package io.mailroom.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;

import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void freePortsAreTwelveDistinctPortsThatAreFree() {
        Ports ports = Ports.free();
        assertThat(new HashSet<>(ports.byUse().values())).hasSize(12);
        assertThatCode(ports::requireFree).doesNotThrowAnyException();
    }

    @Test
    void aTakenPortIsNamedBeforeAnythingStarts() throws Exception {
        Ports ports = Ports.free();
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(ports.pop3()));
            assertThatThrownBy(ports::requireFree)
                    .hasMessageContaining(ports.pop3() + " (POP3)")
                    .hasMessageContaining("another Mailroom");
        }
    }

    @Test
    void freePortsLieOutsideTheKernelsEphemeralRange() {
        int[] ephemeral = Ports.ephemeralRange();
        for (int i = 0; i < 50; i++) {
            int port = Ports.freePort();
            assertThat(port < ephemeral[0] || port > ephemeral[1])
                    .as("port %d against ephemeral range %d-%d", port, ephemeral[0], ephemeral[1]).isTrue();
        }
    }
}
