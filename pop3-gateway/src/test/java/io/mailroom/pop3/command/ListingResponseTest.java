package io.mailroom.pop3.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Response;
import org.junit.jupiter.api.Test;

class ListingResponseTest {

    @Test
    void aLongListingHasJamesOwnLinesPutTogetherOnce() {
        POP3Response james = new POP3Response(POP3Response.OK_RESPONSE, "1000 4096000");
        for (int i = 1; i <= 1000; i++) {
            james.appendLine(i + " " + (4000 + i));
        }
        james.appendLine(".");

        Response listing = ListingResponse.of(james);

        assertThat(listing).isInstanceOf(ListingResponse.class);
        assertThat(listing.getLines()).hasSize(1002).containsExactlyElementsOf(james.getLines());
        assertThat(listing.getLines().getFirst().toString()).isEqualTo("+OK 1000 4096000");
        assertThat(listing.getRetCode()).isEqualTo(POP3Response.OK_RESPONSE);
        assertThat(listing.isEndSession()).isFalse();
    }

    @Test
    void shortAnswersAndOtherResponsesAreLeftAsTheyAre() {
        POP3Response single = new POP3Response(POP3Response.OK_RESPONSE, "1 4096");
        POP3Response empty = new POP3Response(POP3Response.OK_RESPONSE);

        assertThat(ListingResponse.of(single)).isSameAs(single);
        assertThat(ListingResponse.of(empty)).isSameAs(empty);
        assertThat(ListingResponse.of(null)).isNull();
    }
}
