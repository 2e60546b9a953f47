package io.mailroom.mailbox.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

class SecurityPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Settings.class);

    @Test
    void bindsBothTokens() {
        runner.withPropertyValues("mailroom.admin.token=admin-secret", "mailroom.internal.token=internal-secret").run(context -> {
            SecurityProperties properties = context.getBean(SecurityProperties.class);
            assertThat(properties.admin().token()).isEqualTo("admin-secret");
            assertThat(properties.internal().token()).isEqualTo("internal-secret");
            assertThat(properties.toString()).doesNotContain("secret");
        });
    }

    @Test
    void refusesToStartWithoutTheAdminToken() {
        runner.withPropertyValues("mailroom.internal.token=internal-secret").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("mailroom.admin.token").hasMessageContaining("MAILROOM_ADMIN_TOKEN");
        });
    }

    @Test
    void refusesToStartWithoutTheInternalToken() {
        runner.withPropertyValues("mailroom.admin.token=admin-secret", "mailroom.internal.token= ").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("mailroom.internal.token");
        });
    }

    @Test
    void refusesOneTokenForBothAudiences() {
        runner.withPropertyValues("mailroom.admin.token=same", "mailroom.internal.token=same").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("must differ");
        });
    }

    @Test
    void comparesTokensExactly() {
        TokenMatcher matcher = new TokenMatcher("s3cret-token");

        assertThat(matcher.matches("s3cret-token")).isTrue();
        assertThat(matcher.matches("s3cret-token ")).isFalse();
        assertThat(matcher.matches("S3CRET-TOKEN")).isFalse();
        assertThat(matcher.matches("")).isFalse();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(SecurityProperties.class)
    static class Settings {
    }
}
