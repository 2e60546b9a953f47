package io.mailroom.imap.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.james.imap.api.message.BodyFetchElement;
import org.apache.james.imap.api.message.FetchData;
import org.apache.james.imap.api.message.SectionType;
import org.junit.jupiter.api.Test;

/** Which FETCHes read whole messages and nothing else of them (their reads need no header block nor MIME tree). */
class RecordsFetchProcessorTest {

    private static final BodyFetchElement WHOLE = new BodyFetchElement("BODY[]", SectionType.CONTENT, null, null, null, null);
    private static final BodyFetchElement PARTIAL = new BodyFetchElement("BODY[]", SectionType.CONTENT, new int[0], null, 0L, 10L);

    @Test
    void wholeMessagesWithBasicItemsOnly() {
        assertThat(RecordsFetchProcessor.wholeMessagesOnly(FetchData.builder().add(WHOLE, true).build())).isTrue();
        assertThat(RecordsFetchProcessor.wholeMessagesOnly(FetchData.builder()
                .fetch(FetchData.Item.UID, FetchData.Item.FLAGS, FetchData.Item.SIZE, FetchData.Item.INTERNAL_DATE,
                        FetchData.Item.MODSEQ, FetchData.Item.EMAILID, FetchData.Item.THREADID, FetchData.Item.SAVEDATE)
                .add(PARTIAL, true).add(BodyFetchElement.createRFC822(), false).build())).isTrue();
    }

    @Test
    void anythingThatNeedsTheHeaderOrTheMimeTreeIsNot() {
        assertThat(RecordsFetchProcessor.wholeMessagesOnly(FetchData.builder().fetch(FetchData.Item.FLAGS).build()))
                .as("no body at all").isFalse();
        for (FetchData.Item item : List.of(FetchData.Item.ENVELOPE, FetchData.Item.BODY, FetchData.Item.BODY_STRUCTURE)) {
            assertThat(RecordsFetchProcessor.wholeMessagesOnly(FetchData.builder().fetch(item).add(WHOLE, true).build()))
                    .as(item.name()).isFalse();
        }
        for (BodyFetchElement element : List.of(BodyFetchElement.createRFC822Header(), BodyFetchElement.createRFC822Text(),
                new BodyFetchElement("BODY[1]", SectionType.CONTENT, new int[] {1}, null, null, null),
                new BodyFetchElement("BODY[1.MIME]", SectionType.MIME, new int[] {1}, null, null, null),
                new BodyFetchElement("BODY[HEADER.FIELDS (SUBJECT)]", SectionType.HEADER_FIELDS, null, List.of("SUBJECT"),
                        null, null))) {
            assertThat(RecordsFetchProcessor.wholeMessagesOnly(FetchData.builder().add(WHOLE, true).add(element, true)
                    .build())).as(element.toString()).isFalse();
        }
    }
}
