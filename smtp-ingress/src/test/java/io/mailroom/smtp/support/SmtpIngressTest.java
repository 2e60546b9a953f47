package io.mailroom.smtp.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The running smtp-ingress with all three listeners on free ports, mailbox-api and the queue as in-memory
 * stand-ins, and a small spool threshold so that most messages go through a spool file. Test classes with this
 * annotation share one application context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "mailroom.smtp.hostname=mx.test",
        "mailroom.smtp.max-message-size=64KB",
        "mailroom.smtp.max-recipients=100",
        "mailroom.smtp.spool.memory-threshold=1KB",
        "mailroom.smtp.spool.directory=target/test-spool",
        "mailroom.smtp.listeners.mx.port=0",
        "mailroom.smtp.listeners.mx.bind-address=127.0.0.1",
        "mailroom.smtp.listeners.submission.port=0",
        "mailroom.smtp.listeners.submission.bind-address=127.0.0.1",
        "mailroom.smtp.listeners.submissions.port=0",
        "mailroom.smtp.listeners.submissions.bind-address=127.0.0.1",
        "mailroom.tls.hostname=localhost",
        "mailroom.tls.self-signed-directory=target/test-tls"})
@Import(SmtpIngressTest.StandIns.class)
public @interface SmtpIngressTest {

    @TestConfiguration
    class StandIns {

        @Bean
        InMemoryMailQueue mailQueue() {
            return new InMemoryMailQueue();
        }

        @Bean
        InMemoryMailboxApi mailboxApiClient() {
            return new InMemoryMailboxApi();
        }
    }
}
