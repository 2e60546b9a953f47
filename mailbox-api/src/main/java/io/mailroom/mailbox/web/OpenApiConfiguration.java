package io.mailroom.mailbox.web;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.annotations.servers.Server;

import org.springframework.context.annotation.Configuration;

/** The OpenAPI document (at {@code /v3/api-docs}) is generated from the controllers; this adds what they cannot say. */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(
        info = @Info(title = "Mailroom mailbox-api", version = "v1",
                description = "The system of record for domains, accounts, mailboxes and messages. "
                        + "/api/v1 serves tools (the admin token, an API key, or an account's own credentials); "
                        + "/internal/v1 serves the other Mailroom services (the internal token or a gateway API key). "
                        + "Errors are RFC 9457 problem details with a stable code (docs/errors.md)."),
        // a relative server: the committed document (docs/openapi.json) must not depend on where it was generated
        servers = @Server(url = "/"),
        security = {@SecurityRequirement(name = "bearer"), @SecurityRequirement(name = "basic")})
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "mailroom.admin.token or an API key (mrk_…) for /api/v1; mailroom.internal.token or a gateway key for /internal/v1")
@SecurityScheme(name = "basic", type = SecuritySchemeType.HTTP, scheme = "basic",
        description = "an account's address and password (or an app password): that account's own resources only")
class OpenApiConfiguration {
}
