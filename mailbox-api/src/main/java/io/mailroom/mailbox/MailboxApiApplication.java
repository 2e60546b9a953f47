package io.mailroom.mailbox;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** mailbox-api: the system of record for domains, accounts, mailboxes and messages. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class MailboxApiApplication {

    public static void main(String[] args) {
        SpringApplication.run(MailboxApiApplication.class, args);
    }
}
