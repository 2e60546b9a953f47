package io.mailroom.imap;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** imap-gateway: James's IMAP engine over mailbox-api (DESIGN.md "The flow"). */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ImapGatewayApplication {

    public static void main(String[] args) {
        SpringApplication.run(ImapGatewayApplication.class, args);
    }
}
