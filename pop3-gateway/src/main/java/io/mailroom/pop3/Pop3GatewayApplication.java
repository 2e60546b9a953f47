package io.mailroom.pop3;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** pop3-gateway: POP3 over mailbox-api (DESIGN.md "The flow"). */
@SpringBootApplication
@ConfigurationPropertiesScan
public class Pop3GatewayApplication {

    public static void main(String[] args) {
        SpringApplication.run(Pop3GatewayApplication.class, args);
    }
}
