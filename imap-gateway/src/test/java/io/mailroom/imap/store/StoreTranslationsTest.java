package io.mailroom.imap.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Set;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.apache.james.mailbox.store.mail.MessageMapper.FetchType;
import org.junit.jupiter.api.Test;

import io.mailroom.mailbox.client.events.MailboxChangeEvent.Kind;
import io.mailroom.mailbox.client.store.FlagUpdate;
import io.mailroom.mailbox.client.store.MessagePart;
import io.mailroom.mailbox.client.store.SearchCriterion;
import io.mailroom.mailbox.client.store.UidSet;

/** How James's store requests become mailbox-api calls. */
class StoreTranslationsTest {

    @Test
    void aFlagsUpdateBecomesOneStoreOfTheWholeRange() {
        Flags flags = new Flags(Flags.Flag.SEEN);
        flags.add("$Important");
        FlagUpdate update = FlagsUpdates.toApi(new FlagsUpdateCalculator(flags, MessageManager.FlagsUpdateMode.ADD));
        assertThat(update.mode()).isEqualTo(FlagUpdate.Mode.ADD);
        assertThat(update.flags()).containsExactlyInAnyOrder("\\Seen", "$Important");
        assertThat(FlagsUpdates.toApi(new FlagsUpdateCalculator(new Flags(Flags.Flag.DELETED),
                MessageManager.FlagsUpdateMode.REPLACE))).isEqualTo(FlagUpdate.replace("\\Deleted"));
    }

    @Test
    void messageRangesBecomeUidSets() {
        assertThat(UidSets.of(MessageRange.all())).contains(UidSet.all());
        assertThat(UidSets.of(MessageRange.from(MessageUid.of(7)))).contains(UidSet.from(7));
        assertThat(UidSets.of(MessageRange.range(MessageUid.of(3), MessageUid.of(9)))).contains(UidSet.range(3, 9));
        assertThat(UidSets.of(MessageRange.one(MessageUid.of(4)))).contains(UidSet.of(4));
        assertThat(UidSets.of(MessageRange.one(MessageUid.of(UidSet.MAX_UID + 1)))).isEmpty();
    }

    @Test
    void searchesAreTranslatedWithJamesDaySemanticsAndSessionRecent() throws Exception {
        Date day = Date.from(Instant.parse("2008-02-14T15:00:00Z"));
        SearchQuery query = SearchQuery.builder()
                .andCriteria(SearchQuery.internalDateOn(day, SearchQuery.DateResolution.Day),
                        SearchQuery.headerContains("Subject", "rhubarb"),
                        SearchQuery.flagIsSet(Flags.Flag.RECENT),
                        SearchQuery.flagIsUnSet(Flags.Flag.SEEN))
                .addRecentMessageUids(List.of(MessageUid.of(5)))
                .build();
        assertThat(SearchQueries.toApi(query)).isEqualTo(new SearchCriterion.And(List.of(
                new SearchCriterion.Date(SearchCriterion.Date.Field.INTERNAL, Instant.parse("2008-02-14T00:00:00Z"),
                        Instant.parse("2008-02-15T00:00:00Z")),
                new SearchCriterion.Header("subject", "rhubarb"),
                SearchCriterion.uids(UidSet.of(5)),
                new SearchCriterion.Flag("\\Seen", false))));
        assertThat(SearchQueries.toApi(SearchQuery.internalDateBefore(day, SearchQuery.DateResolution.Day)))
                .isEqualTo(new SearchCriterion.Date(SearchCriterion.Date.Field.INTERNAL, null, Instant.parse("2008-02-14T00:00:00Z")));
    }

    @Test
    void ownWritesAreRecognisedOnceAndOthersAreNot() {
        LocalChanges changes = new LocalChanges(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
        changes.record(3, Kind.FLAGS_CHANGED, 10, 40);
        changes.record(3, Kind.FLAGS_CHANGED, 11, 41);
        assertThat(changes.foreign(3, Kind.FLAGS_CHANGED, List.of(10, 11, 12).stream().map(Long::valueOf).toList(), 41))
                .containsExactly(12L);
        assertThat(changes.foreign(3, Kind.FLAGS_CHANGED, List.of(10L), 45))
                .as("a later change of the same message is someone else's").containsExactly(10L);
        changes.record(3, Kind.MESSAGES_ADDED, 20, 50);
        assertThat(changes.foreign(3, Kind.MESSAGES_ADDED, List.of(20L), 49))
                .as("an event older than the write is not the write's").containsExactly(20L);
        changes.begin(3);
        assertThat(changes.writing(3)).isTrue();
        changes.end(3);
        assertThat(changes.writing(3)).isFalse();
    }

    @Test
    void flagsRoundTripInImapSpelling() {
        Flags flags = ImapFlags.toJames(Set.of("\\Seen", "\\RECENT", "$Label1"));
        assertThat(flags.contains(Flags.Flag.SEEN)).isTrue();
        assertThat(flags.contains(Flags.Flag.RECENT)).isTrue();
        assertThat(flags.contains("$Label1")).isTrue();
        assertThat(ImapFlags.toApi(flags)).containsExactlyInAnyOrder("\\Seen", "\\Recent", "$Label1");
    }

    /**
     * ENVELOPE and BODY[HEADER…] (James's HEADERS) read the header block without the MIME tree (a good part of each
     * message's answer); BODYSTRUCTURE and body sections (FULL) read both.
     */
    @Test
    void aFetchReadsTheMimeTreeOnlyWhenItsStructureIsNeeded() {
        assertThat(MailboxApiMessageMapper.parts(FetchType.METADATA)).isEmpty();
        assertThat(MailboxApiMessageMapper.parts(FetchType.HEADERS)).containsExactly(MessagePart.HEADERS);
        assertThat(MailboxApiMessageMapper.parts(FetchType.ATTACHMENTS_METADATA))
                .containsExactlyInAnyOrder(MessagePart.HEADERS, MessagePart.STRUCTURE);
        assertThat(MailboxApiMessageMapper.parts(FetchType.FULL))
                .containsExactlyInAnyOrder(MessagePart.HEADERS, MessagePart.STRUCTURE);
    }
}
