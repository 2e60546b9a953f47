package io.mailroom.mailbox;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationExcludeFilter;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;
import org.springframework.scheduling.annotation.EnableScheduling;

import io.mailroom.mailbox.account.LoginProperties;
import io.mailroom.mailbox.security.OidcProperties;
import io.mailroom.mailbox.security.SecurityProperties;

/**
 * mailbox-api: the system of record for domains, accounts, mailboxes and messages.
 *
 * <p>{@code @SpringBootApplication} spelt out, to keep mailbox-client (here for its wire types and its event
 * subscriber; its package lies inside this one) out of the component scan and its HTTP clients out of the context:
 * this service never calls itself.
 */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = {"io.mailroom.mailbox.client.MailboxApiClientAutoConfiguration",
        "io.mailroom.mailbox.client.events.MailboxEventsAutoConfiguration"})
@ComponentScan(excludeFilters = {
        @ComponentScan.Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class),
        @ComponentScan.Filter(type = FilterType.CUSTOM, classes = AutoConfigurationExcludeFilter.class),
        @ComponentScan.Filter(type = FilterType.REGEX, pattern = "io\\.mailroom\\.mailbox\\.client\\..*")})
@EnableConfigurationProperties({MailboxProperties.class, SecurityProperties.class, LoginProperties.class, OidcProperties.class})
@EnableScheduling
public class MailboxApiApplication {

    public static void main(String[] args) {
        SpringApplication.run(MailboxApiApplication.class, args);
    }
}
