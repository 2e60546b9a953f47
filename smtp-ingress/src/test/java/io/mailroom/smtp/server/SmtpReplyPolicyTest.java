package io.mailroom.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.junit.jupiter.api.Test;

class SmtpReplyPolicyTest {

    @Test
    void aReplyWithoutAnEnhancedCodeGetsOneForEachLine() {
        SMTPResponse help = new SMTPResponse("214", "See RFC 5321");
        help.appendLine("End of HELP");

        Response rewritten = SmtpReplyPolicy.withEnhancedCode(help);

        assertThat(rewritten.getLines()).extracting(CharSequence::toString)
                .containsExactly("214-2.0.0 See RFC 5321", "214 2.0.0 End of HELP");
    }

    @Test
    void aReplyWithOneIsLeftAlone() {
        SMTPResponse reply = new SMTPResponse("550", "5.1.1 No such user here");

        assertThat(SmtpReplyPolicy.withEnhancedCode(reply)).isSameAs(reply);
    }

    @Test
    void defaultsFollowRfc3463() {
        assertThat(SmtpReplyPolicy.defaultEnhancedCode("500")).isEqualTo("5.5.2");
        assertThat(SmtpReplyPolicy.defaultEnhancedCode("501")).isEqualTo("5.5.4");
        assertThat(SmtpReplyPolicy.defaultEnhancedCode("503")).isEqualTo("5.5.1");
        assertThat(SmtpReplyPolicy.defaultEnhancedCode("451")).isEqualTo("4.3.0");
        assertThat(SmtpReplyPolicy.defaultEnhancedCode("221")).isEqualTo("2.0.0");
    }
}
