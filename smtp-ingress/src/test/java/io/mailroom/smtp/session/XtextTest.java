package io.mailroom.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class XtextTest {

    @Test
    void decodesHexEscapes() {
        assertThat(Xtext.decode("bob+2Bold@example.com")).isEqualTo("bob+old@example.com");
        assertThat(Xtext.decode("a+3Db")).isEqualTo("a=b");
    }

    @Test
    void refusesWhatIsNotXtext() {
        assertThatThrownBy(() -> Xtext.decode("a=b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Xtext.decode("a+2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Xtext.decode("a+ZZ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Xtext.decode("a b")).isInstanceOf(IllegalArgumentException.class);
    }
}
