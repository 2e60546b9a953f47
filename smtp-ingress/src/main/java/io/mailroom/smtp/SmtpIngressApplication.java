package io.mailroom.smtp;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** smtp-ingress: SMTP in, onto the queue. */
@SpringBootApplication
@EnableConfigurationProperties(SmtpProperties.class)
public class SmtpIngressApplication {

    public static void main(String[] args) {
        SpringApplication.run(SmtpIngressApplication.class, args);
    }
}
