package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.mailroom.mailbox.blob.Sha256;
import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiProperties;
import io.mailroom.mailbox.client.store.BodyStructure;
import io.mailroom.mailbox.client.store.ExpungeResult;
import io.mailroom.mailbox.client.store.FetchOptions;
import io.mailroom.mailbox.client.store.FlagUpdate;
import io.mailroom.mailbox.client.store.FlagUpdateResult;
import io.mailroom.mailbox.client.store.Flags;
import io.mailroom.mailbox.client.store.HttpMailboxStoreClient;
import io.mailroom.mailbox.client.store.MailboxAnnotation;
import io.mailroom.mailbox.client.store.MailboxChanges;
import io.mailroom.mailbox.client.store.MailboxInfo;
import io.mailroom.mailbox.client.store.MailboxRole;
import io.mailroom.mailbox.client.store.MessageMetadata;
import io.mailroom.mailbox.client.store.MessagePage;
import io.mailroom.mailbox.client.store.MessagePart;
import io.mailroom.mailbox.client.store.QuotaUsage;
import io.mailroom.mailbox.client.store.SearchCriterion;
import io.mailroom.mailbox.client.store.TransferResult;
import io.mailroom.mailbox.client.store.UidSet;

/**
 * mailbox-client's {@link HttpMailboxStoreClient} against the real service and PostgreSQL: every method of the store
 * contract the IMAP gateway builds on, and the IMAP invariants behind them (UIDs ascend and are never reused, every
 * change takes a new MODSEQ, expunges leave records, refused calls change nothing).
 */
class MailboxStoreClientIT extends MailboxApiITBase {

    private HttpMailboxStoreClient store;

    @org.springframework.beans.factory.annotation.Autowired
    private Housekeeping housekeeping;

    @BeforeEach
    void connect() {
        store = HttpMailboxStoreClient.create(new MailboxApiProperties(URI.create("http://127.0.0.1:" + port),
                Duration.ofSeconds(2), Duration.ofSeconds(20)), INTERNAL_TOKEN);
    }

    @AfterEach
    void disconnect() {
        store.close();
    }

    // ---- mailboxes ----

    @Test
    void listsTheDefaultMailboxesWithTheirImapState() {
        String account = newAccount();

        List<MailboxInfo> mailboxes = store.listMailboxes(account);

        assertThat(mailboxes).extracting(MailboxInfo::name)
                .containsExactly("Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash");
        assertThat(mailboxes).allSatisfy(mailbox -> {
            assertThat(mailbox.subscribed()).isTrue();
            assertThat(mailbox.uidNext()).isEqualTo(1);
            assertThat(mailbox.highestModSeq()).isEqualTo(1);
            assertThat(mailbox.messages()).isZero();
            assertThat(mailbox.firstUnseen()).isNull();
        });
        assertThat(mailboxes).extracting(MailboxInfo::uidValidity).doesNotHaveDuplicates();
        assertThat(mailboxes.stream().filter(m -> m.name().equals("Sent")).findFirst().orElseThrow().role())
                .isEqualTo(MailboxRole.SENT);
        assertThat(store.mailboxByName(account, "inbox")).map(MailboxInfo::role).contains(MailboxRole.INBOX);
        assertThat(store.mailboxByName(account, "Nope")).isEmpty();
        assertThat(store.mailbox(account, Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void createsMailboxesWithTheirSuperiorsAndRefusesBadNames() {
        String account = newAccount();

        MailboxInfo created = store.createMailbox(account, "Projects/2026/Q1", null);

        assertThat(created.name()).isEqualTo("Projects/2026/Q1");
        assertThat(created.subscribed()).as("CREATE does not subscribe (RFC 9051 §6.3.4)").isFalse();
        assertThat(store.listMailboxes(account)).extracting(MailboxInfo::name)
                .contains("Projects", "Projects/2026", "Projects/2026/Q1");
        assertThat(code(() -> store.createMailbox(account, "Projects/2026", null))).isEqualTo("mailbox-exists");
        assertThat(code(() -> store.createMailbox(account, "inbox", null))).isEqualTo("mailbox-exists");
        for (String bad : List.of("/lead", "trail/", "dou//ble", "star*", "per%cent", "ctl\u0001")) {
            assertThat(code(() -> store.createMailbox(account, bad, null))).as(bad).isEqualTo("invalid-mailbox-name");
        }
        assertThat(code(() -> store.createMailbox(account, "Other Sent", MailboxRole.SENT))).isEqualTo("role-taken");
        assertThat(store.listMailboxes(account)).hasSize(9);
    }

    @Test
    void renamesAWholeSubtreeKeepingIdsUidsAndSubscriptions() {
        String account = newAccount();
        MailboxInfo child = store.createMailbox(account, "Work/Clients", null);
        MailboxInfo parent = store.mailboxByName(account, "Work").orElseThrow();
        store.subscribe(account, "Work/Clients");
        MessageMetadata appended = append(account, child.id(), message("client mail", "hello"), Set.of());

        List<MailboxInfo> renamed = store.renameMailbox(account, parent.id(), "Archive/Work");

        assertThat(renamed).extracting(MailboxInfo::name).containsExactly("Archive/Work", "Archive/Work/Clients");
        MailboxInfo moved = store.mailbox(account, child.id()).orElseThrow();
        assertThat(moved.name()).isEqualTo("Archive/Work/Clients");
        assertThat(moved.uidValidity()).isEqualTo(child.uidValidity());
        assertThat(moved.messages()).isEqualTo(1);
        assertThat(store.fetchAll(account, child.id(), UidSet.all(), FetchOptions.metadata()))
                .extracting(MessageMetadata::uid).containsExactly(appended.uid());
        assertThat(store.subscriptions(account)).contains("Archive/Work/Clients").doesNotContain("Work/Clients");
        assertThat(code(() -> store.renameMailbox(account, parent.id(), "Archive/Work/Clients/Deeper")))
                .isEqualTo("rename-into-itself");
        assertThat(code(() -> store.renameMailbox(account, parent.id(), "Sent"))).isEqualTo("mailbox-exists");
        assertThat(store.mailbox(account, parent.id()).orElseThrow().name()).isEqualTo("Archive/Work");
    }

    @Test
    void renamingInboxMovesItsMessagesIntoANewMailbox() {
        String account = newAccount();
        long inbox = inbox(account);
        append(account, inbox, message("one", "1"), Set.of());
        append(account, inbox, message("two", "2"), Set.of());

        List<MailboxInfo> renamed = store.renameMailbox(account, inbox, "Old Inbox");

        assertThat(renamed).singleElement().satisfies(mailbox -> {
            assertThat(mailbox.name()).isEqualTo("Old Inbox");
            assertThat(mailbox.messages()).isEqualTo(2);
        });
        MailboxInfo after = store.mailbox(account, inbox).orElseThrow();
        assertThat(after.name()).isEqualTo("INBOX");
        assertThat(after.messages()).isZero();
        assertThat(after.uidNext()).as("UIDs are never reused").isEqualTo(3);
    }

    @Test
    void deletesAMailboxWithItsMessagesAndGivesTheQuotaBack() {
        String account = newAccount();
        MailboxInfo folder = store.createMailbox(account, "Temp", null);
        byte[] content = message("temporary", "x".repeat(500));
        append(account, folder.id(), content, Set.of());
        QuotaUsage before = store.quota(account);

        store.deleteMailbox(account, folder.id());

        assertThat(store.mailbox(account, folder.id())).isEmpty();
        QuotaUsage after = store.quota(account);
        assertThat(after.messagesUsed()).isEqualTo(before.messagesUsed() - 1);
        assertThat(after.storageUsed()).isEqualTo(before.storageUsed() - content.length);
        assertThat(jdbc.sql("SELECT count(*) FROM blobs WHERE sha256 = ?").param(Sha256.hex(content)).query(Long.class).single())
                .isZero();
        assertThat(code(() -> store.deleteMailbox(account, inbox(account)))).isEqualTo("mailbox-protected");
        MailboxInfo recreated = store.createMailbox(account, "Temp", null);
        assertThat(recreated.uidValidity()).as("a re-created name gets a new UIDVALIDITY").isGreaterThan(folder.uidValidity());
    }

    @Test
    void subscribesToNamesThatNeedNotExist() {
        String account = newAccount();

        store.subscribe(account, "Ghost/Folder");
        store.subscribe(account, "Ghost/Folder");
        store.unsubscribe(account, "Sent");
        store.unsubscribe(account, "never subscribed");

        assertThat(store.subscriptions(account)).contains("Ghost/Folder", "INBOX").doesNotContain("Sent");
        assertThat(store.mailboxByName(account, "Sent").orElseThrow().subscribed()).isFalse();
    }

    // ---- messages ----

    @Test
    void appendsWithFlagsAndDatesAndAnswersWhatFetchNeeds() throws IOException {
        String account = newAccount();
        long inbox = inbox(account);
        Instant internal = Instant.parse("2024-02-03T04:05:06Z");
        byte[] content = ("From: \"Ann Example\" <ann@example.org>\r\nTo: bob@example.net, Team: c@example.com;\r\n"
                + "Subject: =?UTF-8?Q?Caf=C3=A9?=\r\nDate: Sat, 3 Feb 2024 04:05:06 +0000\r\nMessage-ID: <m1@example.org>\r\n"
                + "Content-Type: multipart/mixed; boundary=XX\r\n\r\npreamble\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                + "line one\r\nline two\r\n--XX\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--XX--\r\n").getBytes(StandardCharsets.UTF_8);

        MessageMetadata appended = store.append(account, inbox, new ByteArrayInputStream(content), content.length,
                Set.of(Flags.SEEN, "$Forwarded"), internal);

        assertThat(appended.uid()).isEqualTo(1);
        assertThat(appended.modSeq()).isEqualTo(2);
        assertThat(appended.flags()).containsExactlyInAnyOrder(Flags.SEEN, "$Forwarded");
        assertThat(appended.internalDate()).isEqualTo(internal);
        assertThat(appended.saveDate()).isAfter(internal);
        assertThat(appended.size()).isEqualTo(content.length);

        MessageMetadata fetched = store.fetch(account, inbox, UidSet.of(1),
                FetchOptions.including(MessagePart.ENVELOPE, MessagePart.STRUCTURE, MessagePart.HEADERS)).messages().getFirst();
        int headerEnd = new String(content, StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n") + 4;
        assertThat(fetched.headerOctets()).isEqualTo(headerEnd);
        assertThat(fetched.bodyOctets()).isEqualTo(content.length - headerEnd);
        assertThat(fetched.header()).isEqualTo(java.util.Arrays.copyOf(content, headerEnd));
        assertThat(fetched.mediaType()).isEqualTo("multipart");
        assertThat(fetched.subType()).isEqualTo("mixed");
        assertThat(fetched.textLines()).isNull();
        assertThat(fetched.emailId()).isEqualTo(appended.emailId());
        assertThat(fetched.envelope().subject()).isEqualTo("=?UTF-8?Q?Caf=C3=A9?=");
        assertThat(fetched.envelope().messageId()).isEqualTo("<m1@example.org>");
        assertThat(fetched.envelope().from()).singleElement().satisfies(from -> {
            assertThat(from.name()).isEqualTo("Ann Example");
            assertThat(from.mailbox()).isEqualTo("ann");
            assertThat(from.host()).isEqualTo("example.org");
        });
        assertThat(fetched.envelope().sender()).isEqualTo(fetched.envelope().from());
        assertThat(fetched.envelope().to()).extracting(a -> a.mailbox()).containsExactly("bob", "Team", "c", null);
        BodyStructure structure = fetched.structure();
        assertThat(structure.parameters()).containsEntry("boundary", "XX");
        assertThat(structure.parts()).hasSize(2);
        assertThat(structure.parts().get(0).lines()).isEqualTo(1);
        assertThat(structure.parts().get(0).parameters()).containsEntry("charset", "utf-8");
        assertThat(structure.parts().get(1).disposition()).isEqualTo("attachment");
        assertThat(structure.parts().get(1).encoding()).isEqualTo("base64");
        assertThat(structure.parts().get(1).bodyOctets()).as("the line break before a boundary is the boundary's").isEqualTo(4);
        assertThat(store.search(account, inbox, new SearchCriterion.HasAttachment(true))).containsExactly(1L);

        try (InputStream raw = store.openMessage(account, inbox, 1)) {
            assertThat(raw.readAllBytes()).isEqualTo(content);
        }
        try (InputStream body = store.openMessage(account, inbox, 1, fetched.headerOctets(), fetched.bodyOctets())) {
            assertThat(body.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(content, headerEnd, content.length));
        }
        try (InputStream partial = store.openMessage(account, inbox, 1, 6, 1000)) {
            assertThat(new String(partial.readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("\"Ann Example\"");
        }
        try (InputStream past = store.openMessage(account, inbox, 1, content.length + 10, 5)) {
            assertThat(past.readAllBytes()).isEmpty();
        }
        MailboxInfo mailbox = store.mailbox(account, inbox).orElseThrow();
        assertThat(mailbox.keywords()).containsExactly("$Forwarded");
        assertThat(mailbox.unseen()).isZero();
    }

    @Test
    void refusesBadAppendsAndChangesNothing() {
        String account = newAccount();
        long inbox = inbox(account);
        byte[] content = message("x", "y");

        assertThat(code(() -> store.append(account, inbox, new ByteArrayInputStream(content), content.length,
                Set.of("\\Bogus"), null))).isEqualTo("validation");
        assertThat(code(() -> store.append(account, inbox, new ByteArrayInputStream(content), content.length,
                Set.of("bad keyword"), null))).isEqualTo("validation");
        assertThat(code(() -> store.append(account, inbox, new ByteArrayInputStream(new byte[0]), 0, Set.of(), null)))
                .isEqualTo("validation");
        assertThat(code(() -> store.append(account, Long.MAX_VALUE, new ByteArrayInputStream(content), content.length,
                Set.of(), null))).isEqualTo("mailbox-not-found");
        byte[] huge = new byte[MAX_MESSAGE_SIZE + 1];
        assertThat(code(() -> store.append(account, inbox, new ByteArrayInputStream(huge), huge.length, Set.of(), null)))
                .isEqualTo("message-too-large");

        MailboxInfo after = store.mailbox(account, inbox).orElseThrow();
        assertThat(after.uidNext()).isEqualTo(1);
        assertThat(after.highestModSeq()).isEqualTo(1);
        assertThat(store.quota(account).messagesUsed()).isZero();
    }

    @Test
    void fetchesAUidSetInPagesAndOnlyWhatChanged() {
        String account = newAccount();
        long inbox = inbox(account);
        for (int i = 0; i < 7; i++) {
            append(account, inbox, message("m" + i, "b"), Set.of());
        }
        store.expunge(account, inbox, UidSet.of(3), false);

        MessagePage first = store.fetch(account, inbox, UidSet.parse("1:*"), FetchOptions.metadata().limit(3));
        List<MessageMetadata> all = store.fetchAll(account, inbox, UidSet.parse("2:5,7"), FetchOptions.metadata().limit(2));
        long modSeqOf6 = store.fetch(account, inbox, UidSet.of(6), FetchOptions.metadata()).messages().getFirst().modSeq();
        store.updateFlags(account, inbox, UidSet.of(2), FlagUpdate.add(Flags.FLAGGED), null);
        List<MessageMetadata> changed = store.fetchAll(account, inbox, UidSet.all(), FetchOptions.metadata().changedSince(modSeqOf6));

        assertThat(first.messages()).extracting(MessageMetadata::uid).containsExactly(1L, 2L, 4L);
        assertThat(first.nextUid()).isEqualTo(5);
        assertThat(all).extracting(MessageMetadata::uid).containsExactly(2L, 4L, 5L, 7L);
        assertThat(changed).extracting(MessageMetadata::uid).containsExactly(2L, 7L);
    }

    @Test
    void storesFlagsWithANewModSeqPerChangedMessageAndHonoursUnchangedSince() {
        String account = newAccount();
        long inbox = inbox(account);
        for (int i = 0; i < 4; i++) {
            append(account, inbox, message("f" + i, "b"), Set.of());
        }
        long before = store.mailbox(account, inbox).orElseThrow().highestModSeq();

        FlagUpdateResult seen = store.updateFlags(account, inbox, UidSet.range(1, 3), FlagUpdate.add(Flags.SEEN, "$Label1"), null);
        assertThat(store.fetch(account, inbox, UidSet.range(1, 4), FetchOptions.metadata()).messages())
                .as("the rows carry the MODSEQs and flags the answer gave (one statement for the usual STORE)")
                .extracting(MessageMetadata::modSeq).containsExactly(before + 1, before + 2, before + 3, before);
        assertThat(store.mailbox(account, inbox).orElseThrow().highestModSeq()).isEqualTo(before + 3);
        FlagUpdateResult again = store.updateFlags(account, inbox, UidSet.range(1, 3), FlagUpdate.add(Flags.SEEN), null);
        FlagUpdateResult conditional = store.updateFlags(account, inbox, UidSet.range(1, 4),
                FlagUpdate.replace(Flags.ANSWERED), before);
        FlagUpdateResult removed = store.updateFlags(account, inbox, UidSet.all(), FlagUpdate.remove("$LABEL1"), null);

        assertThat(seen.updated()).extracting(FlagUpdateResult.Updated::modSeq).containsExactly(before + 1, before + 2, before + 3);
        assertThat(seen.updated()).allSatisfy(u -> assertThat(u.newFlags()).containsExactlyInAnyOrder(Flags.SEEN, "$Label1"));
        assertThat(seen.highestModSeq()).isEqualTo(before + 3);
        assertThat(again.updated()).as("nothing changed, nothing takes a MODSEQ").noneMatch(FlagUpdateResult.Updated::changed);
        assertThat(again.highestModSeq()).isEqualTo(before + 3);
        assertThat(conditional.modified()).as("changed after UNCHANGEDSINCE").containsExactly(1L, 2L, 3L);
        assertThat(conditional.updated()).singleElement().satisfies(u -> {
            assertThat(u.uid()).isEqualTo(4);
            assertThat(u.newFlags()).containsExactly(Flags.ANSWERED);
        });
        assertThat(removed.updated()).filteredOn(FlagUpdateResult.Updated::changed).extracting(FlagUpdateResult.Updated::uid)
                .as("keywords compare case-insensitively").containsExactly(1L, 2L, 3L);
        assertThat(store.mailbox(account, inbox).orElseThrow().unseen()).isEqualTo(1);
        assertThat(code(() -> store.updateFlags(account, inbox, UidSet.all(), FlagUpdate.add("\\Nope"), null))).isEqualTo("validation");
    }

    @Test
    void copiesAndMovesWithNewUidsInSourceOrder() {
        String account = newAccount();
        long inbox = inbox(account);
        byte[] content = message("shared body", "z".repeat(100));
        for (int i = 0; i < 3; i++) {
            append(account, inbox, i == 1 ? content : message("c" + i, "b"), Set.of(Flags.FLAGGED));
        }
        MailboxInfo archive = store.mailboxByName(account, "Archive").orElseThrow();
        MailboxInfo trash = store.mailboxByName(account, "Trash").orElseThrow();
        long storageBefore = store.quota(account).storageUsed();

        TransferResult copied = store.copy(account, inbox, UidSet.parse("3,1:2,99"), archive.id());
        TransferResult moved = store.move(account, inbox, UidSet.of(2), trash.id());

        assertThat(copied.uidValidity()).isEqualTo(archive.uidValidity());
        assertThat(copied.messages()).extracting(TransferResult.Transferred::sourceUid).containsExactly(1L, 2L, 3L);
        assertThat(copied.messages()).extracting(t -> t.message().uid()).containsExactly(1L, 2L, 3L);
        assertThat(copied.messages()).allSatisfy(t -> assertThat(t.message().flags()).contains(Flags.FLAGGED, Flags.RECENT));
        assertThat(store.quota(account).storageUsed()).isGreaterThan(storageBefore);
        assertThat(jdbc.sql("SELECT ref_count FROM blobs WHERE sha256 = ?").param(Sha256.hex(content)).query(Long.class).single())
                .as("a copy references the body, never stores it again").isEqualTo(2);

        assertThat(moved.messages()).singleElement().satisfies(t -> {
            assertThat(t.sourceUid()).isEqualTo(2);
            assertThat(t.message().mailboxId()).isEqualTo(trash.id());
            assertThat(t.message().emailId()).isEqualTo(copied.messages().get(1).message().emailId());
        });
        assertThat(store.fetchAll(account, inbox, UidSet.all(), FetchOptions.metadata())).extracting(MessageMetadata::uid)
                .containsExactly(1L, 3L);
        MailboxChanges inboxChanges = store.changesSince(account, inbox, 1, 100);
        assertThat(inboxChanges.vanished()).containsExactly(2L);
        assertThat(moved.sourceHighestModSeq()).isEqualTo(inboxChanges.highestModSeq());
        assertThat(store.quota(account).messagesUsed()).as("a move counts once").isEqualTo(6);
    }

    @Test
    void expungesOnlyDeletedMessagesWhenAskedAndNeverReusesUids() {
        String account = newAccount();
        long inbox = inbox(account);
        for (int i = 0; i < 4; i++) {
            append(account, inbox, message("e" + i, "b"), Set.of());
        }
        store.updateFlags(account, inbox, UidSet.parse("2,4"), FlagUpdate.add(Flags.DELETED), null);

        ExpungeResult result = store.expunge(account, inbox, UidSet.all(), true);
        MessageMetadata next = append(account, inbox, message("after", "b"), Set.of());

        assertThat(result.uids()).containsExactly(2L, 4L);
        assertThat(result.expunged()).allSatisfy(m -> assertThat(m.flags()).contains(Flags.DELETED));
        assertThat(result.expunged().get(1).modSeq()).isEqualTo(result.highestModSeq());
        assertThat(next.uid()).as("the highest UID expunged is not handed out again").isEqualTo(5);
        assertThat(store.mailbox(account, inbox).orElseThrow().messages()).isEqualTo(3);
    }

    @Test
    void answersChangesSinceAModSeqAsAddedChangedAndVanished() {
        String account = newAccount();
        long inbox = inbox(account);
        for (int i = 0; i < 3; i++) {
            append(account, inbox, message("c" + i, "b"), Set.of());
        }
        long since = store.mailbox(account, inbox).orElseThrow().highestModSeq();
        store.updateFlags(account, inbox, UidSet.of(1), FlagUpdate.add(Flags.SEEN), null);
        store.expunge(account, inbox, UidSet.of(2), false);
        append(account, inbox, message("new", "b"), Set.of());
        append(account, inbox, message("new and gone", "b"), Set.of());
        store.expunge(account, inbox, UidSet.of(5), false);

        MailboxChanges changes = store.changesSince(account, inbox, since, 100);
        MailboxChanges paged = store.changesSince(account, inbox, since, 1);
        MailboxChanges rest = store.changesSince(account, inbox, paged.throughModSeq(), 100);

        assertThat(changes.changed()).extracting(MessageMetadata::uid).containsExactly(1L);
        assertThat(changes.added()).extracting(MessageMetadata::uid).containsExactly(4L);
        assertThat(changes.vanished()).containsExactly(2L, 5L);
        assertThat(changes.vanishedComplete()).isTrue();
        assertThat(changes.hasMore()).isFalse();
        assertThat(changes.throughModSeq()).isEqualTo(changes.highestModSeq());
        assertThat(changes.uidNext()).isEqualTo(6);
        assertThat(paged.hasMore()).isTrue();
        assertThat(paged.changed()).extracting(MessageMetadata::uid).containsExactly(1L);
        assertThat(paged.vanished()).isEmpty();
        assertThat(rest.added()).extracting(MessageMetadata::uid).containsExactly(4L);
        assertThat(rest.vanished()).containsExactly(2L, 5L);
    }

    @Test
    void purgesOldExpungeRecordsAndTellsResynchronisingClientsTheListIsIncomplete() {
        String account = newAccount();
        long inbox = inbox(account);
        for (int i = 0; i < 3; i++) {
            append(account, inbox, message("p" + i, "b"), Set.of());
        }
        store.expunge(account, inbox, UidSet.of(1), false);
        long afterFirst = store.mailbox(account, inbox).orElseThrow().highestModSeq();
        store.expunge(account, inbox, UidSet.of(2), false);
        jdbc.sql("UPDATE expunged SET expunged_at = now() - interval '31 days' WHERE mailbox_id = ? AND uid = 1")
                .param(inbox).update();

        housekeeping.purgeExpungeRecords();

        MailboxChanges fromStart = store.changesSince(account, inbox, 1, 100);
        MailboxChanges recent = store.changesSince(account, inbox, afterFirst, 100);
        assertThat(fromStart.vanished()).containsExactly(2L);
        assertThat(fromStart.vanishedComplete()).isFalse();
        assertThat(recent.vanished()).containsExactly(2L);
        assertThat(recent.vanishedComplete()).isTrue();
    }

    @Test
    void searchesInTheDatabase() {
        String account = newAccount();
        long inbox = inbox(account);
        append(account, inbox, ("From: Alice <alice@example.org>\r\nSubject: Budget 2026\r\nDate: Mon, 5 Jan 2026 10:00:00 +0100\r\n\r\n"
                + "The numbers are in.\r\n").getBytes(StandardCharsets.UTF_8), Set.of(Flags.SEEN));
        append(account, inbox, ("From: Bob <bob@example.org>\r\nSubject: Lunch?\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n\r\nCaf=C3=A9 at noon, 100%_sure\r\n").getBytes(StandardCharsets.UTF_8),
                Set.of("$Important"));
        append(account, inbox, message("big one", "x".repeat(5000)), Set.of(Flags.DELETED));

        assertThat(store.search(account, inbox, SearchCriterion.all())).containsExactly(1L, 2L, 3L);
        assertThat(store.search(account, inbox, SearchCriterion.flagUnset(Flags.SEEN))).containsExactly(2L, 3L);
        assertThat(store.search(account, inbox, SearchCriterion.flagSet("$important"))).containsExactly(2L);
        assertThat(store.search(account, inbox, new SearchCriterion.Header("from", "BOB@"))).containsExactly(2L);
        assertThat(store.search(account, inbox, new SearchCriterion.Header("subject", "budget"))).containsExactly(1L);
        assertThat(store.search(account, inbox, new SearchCriterion.Header("x-missing", ""))).isEmpty();
        assertThat(store.search(account, inbox, new SearchCriterion.Text(SearchCriterion.Text.Scope.BODY, "café")))
                .as("decoded quoted-printable, case-insensitive").containsExactly(2L);
        assertThat(store.search(account, inbox, new SearchCriterion.Text(SearchCriterion.Text.Scope.BODY, "100%_")))
                .as("LIKE wildcards are literal").containsExactly(2L);
        assertThat(store.search(account, inbox, new SearchCriterion.Text(SearchCriterion.Text.Scope.FULL, "lunch"))).containsExactly(2L);
        assertThat(store.search(account, inbox, new SearchCriterion.Size(SearchCriterion.Comparison.GREATER, 4000))).containsExactly(3L);
        assertThat(store.search(account, inbox, new SearchCriterion.Date(SearchCriterion.Date.Field.SENT,
                Instant.parse("2026-01-05T00:00:00Z"), Instant.parse("2026-01-06T00:00:00Z")))).containsExactly(1L);
        assertThat(store.search(account, inbox, new SearchCriterion.Date(SearchCriterion.Date.Field.INTERNAL,
                Instant.now().minus(1, ChronoUnit.HOURS), null))).containsExactly(1L, 2L, 3L);
        assertThat(store.search(account, inbox, SearchCriterion.or(SearchCriterion.uids(UidSet.of(1)),
                SearchCriterion.not(SearchCriterion.flagUnset(Flags.DELETED))))).containsExactly(1L, 3L);
        assertThat(store.search(account, inbox, new SearchCriterion.ModSeq(SearchCriterion.Comparison.GREATER, 2)))
                .containsExactly(2L, 3L);
        assertThat(code(() -> store.search(account, inbox, new SearchCriterion.Header("bad name", "x")))).isEqualTo("validation");
    }

    @Test
    void enforcesTheQuotaOnEveryWritePath() {
        String account = newAccount();
        long inbox = inbox(account);
        byte[] content = message("q", "x".repeat(1000));
        long accountId = jdbc.sql("SELECT id FROM accounts WHERE address = ?").param(account).query(Long.class).single();
        jdbc.sql("UPDATE accounts SET quota_messages = 2, quota_storage = ? WHERE id = ?")
                .params(content.length * 10L, accountId).update();
        append(account, inbox, content, Set.of());
        append(account, inbox, content, Set.of());

        MailboxApiException append = catchThrowableOfType(MailboxApiException.class,
                () -> append(account, inbox, content, Set.of()));
        MailboxApiException copy = catchThrowableOfType(MailboxApiException.class,
                () -> store.copy(account, inbox, UidSet.all(), store.mailboxByName(account, "Archive").orElseThrow().id()));
        Response filing = file(account, "over-quota", content);
        String messages = "/api/v1/accounts/" + account + "/mailboxes/" + inbox + "/messages";
        Response upload = send("POST", messages, admin(), "message/rfc822", content);
        long firstId = get(messages, admin()).json().path("items").path(0).path("id").asLong();
        Response toolsCopy = post(messages + "/" + firstId + "/copy", admin(),
                java.util.Map.of("mailboxId", store.mailboxByName(account, "Archive").orElseThrow().id()));

        assertThat(upload.status()).isEqualTo(422);
        assertThat(upload.code()).isEqualTo("quota-exceeded");
        assertThat(toolsCopy.code()).isEqualTo("quota-exceeded");
        assertThat(append.code()).isEqualTo("quota-exceeded");
        assertThat(append.status()).isEqualTo(422);
        assertThat(copy.code()).isEqualTo("quota-exceeded");
        assertThat(filing.code()).isEqualTo("quota-exceeded");
        QuotaUsage usage = store.quota(account);
        assertThat(usage.messagesUsed()).isEqualTo(2);
        assertThat(usage.messagesLimit()).isEqualTo(2);
        assertThat(usage.storageUsed()).isEqualTo(2L * content.length);
        assertThat(store.mailbox(account, inbox).orElseThrow().uidNext()).as("refused writes take no UID").isEqualTo(3);
        store.expunge(account, inbox, UidSet.of(1), false);
        assertThat(store.quota(account).messagesUsed()).isEqualTo(1);
    }

    @Test
    void keepsMailboxMetadata() {
        String account = newAccount();
        long inbox = inbox(account);

        store.setAnnotations(account, inbox, List.of(new MailboxAnnotation("/private/comment", "my inbox"),
                new MailboxAnnotation("/shared/vendor/x/a", "1"), new MailboxAnnotation("/shared/vendor/x/a/b", "2")));

        assertThat(store.annotations(account, inbox, Set.of(), MailboxAnnotation.Depth.ZERO)).hasSize(3);
        assertThat(store.annotations(account, inbox, Set.of("/PRIVATE/Comment"), MailboxAnnotation.Depth.ZERO))
                .containsExactly(new MailboxAnnotation("/private/comment", "my inbox"));
        assertThat(store.annotations(account, inbox, Set.of("/shared/vendor/x"), MailboxAnnotation.Depth.ONE))
                .extracting(MailboxAnnotation::key).containsExactly("/shared/vendor/x/a");
        assertThat(store.annotations(account, inbox, Set.of("/shared/vendor/x"), MailboxAnnotation.Depth.INFINITY)).hasSize(2);
        assertThat(code(() -> store.setAnnotations(account, inbox, List.of(new MailboxAnnotation("/private/ok", "v"),
                new MailboxAnnotation("/private/big", "x".repeat(70_000)))))).isEqualTo("annotation-too-large");
        assertThat(code(() -> store.setAnnotations(account, inbox, List.of(new MailboxAnnotation("/elsewhere/x", "v")))))
                .isEqualTo("validation");
        store.setAnnotations(account, inbox, List.of(new MailboxAnnotation("/private/comment", null)));
        assertThat(store.annotations(account, inbox, Set.of(), MailboxAnnotation.Depth.ZERO))
                .as("the refused set changed nothing; the removal removed").extracting(MailboxAnnotation::key)
                .containsExactly("/shared/vendor/x/a", "/shared/vendor/x/a/b");
    }

    @Test
    void findsMessagesByEmailIdAcrossMailboxes() {
        String account = newAccount();
        long inbox = inbox(account);
        MessageMetadata original = append(account, inbox, message("twin", "b"), Set.of());
        long archive = store.mailboxByName(account, "Archive").orElseThrow().id();
        store.copy(account, inbox, UidSet.of(original.uid()), archive);

        List<MessageMetadata> found = store.findByEmailIds(account, List.of(original.emailId(), 999_999_999L), Set.of());

        assertThat(found).extracting(MessageMetadata::mailboxId).containsExactlyInAnyOrder(inbox, archive);
        assertThat(found).extracting(MessageMetadata::threadId).containsOnly(original.threadId());
    }

    @Test
    void threadsRepliesByTheirReferences() {
        String account = newAccount();
        long inbox = inbox(account);
        MessageMetadata first = append(account, inbox,
                "Message-ID: <root@example.org>\r\nSubject: a\r\n\r\nx\r\n".getBytes(StandardCharsets.UTF_8), Set.of());
        MessageMetadata reply = append(account, inbox,
                "Message-ID: <r1@example.org>\r\nIn-Reply-To: <root@example.org>\r\nSubject: Re: a\r\n\r\ny\r\n".getBytes(StandardCharsets.UTF_8), Set.of());
        MessageMetadata other = append(account, inbox, message("unrelated", "z"), Set.of());

        assertThat(reply.threadId()).isEqualTo(first.threadId()).isEqualTo(first.emailId());
        assertThat(other.threadId()).isNotEqualTo(first.threadId());
        assertThat(store.search(account, inbox, new SearchCriterion.ThreadId(first.threadId()))).containsExactly(1L, 2L);
    }

    @Test
    void anotherAccountsMailboxIsNotFound() {
        String alice = newAccount();
        String bob = newAccount();
        long bobsInbox = inbox(bob);
        append(bob, bobsInbox, message("bob's", "secret"), Set.of());

        assertThat(store.mailbox(alice, bobsInbox)).isEmpty();
        assertThat(code(() -> store.fetch(alice, bobsInbox, UidSet.all(), FetchOptions.metadata()))).isEqualTo("mailbox-not-found");
        assertThat(code(() -> store.updateFlags(alice, bobsInbox, UidSet.all(), FlagUpdate.add(Flags.SEEN), null)))
                .isEqualTo("mailbox-not-found");
        assertThat(code(() -> store.expunge(alice, bobsInbox, UidSet.all(), false))).isEqualTo("mailbox-not-found");
        assertThat(code(() -> store.copy(alice, bobsInbox, UidSet.all(), inbox(alice)))).isEqualTo("mailbox-not-found");
        assertThat(code(() -> store.copy(alice, inbox(alice), UidSet.all(), bobsInbox))).isEqualTo("mailbox-not-found");
        assertThat(code(() -> store.search(alice, bobsInbox, SearchCriterion.all()))).isEqualTo("mailbox-not-found");
        assertThat(code(() -> store.search(alice, bobsInbox, new SearchCriterion.Header("bad name", "x"))))
                .as("an unknown mailbox answers before a malformed criterion").isEqualTo("mailbox-not-found");
        assertThat(code(() -> store.changesSince(alice, bobsInbox, 0, 10))).isEqualTo("mailbox-not-found");
        assertThat(code(() -> store.openMessage(alice, bobsInbox, 1))).isEqualTo("mailbox-not-found");
        assertThat(store.mailbox(bob, bobsInbox).orElseThrow().messages()).isEqualTo(1);
    }

    private MessageMetadata append(String account, long mailbox, byte[] content, Set<String> flags) {
        return store.append(account, mailbox, new ByteArrayInputStream(content), content.length, flags, null);
    }

    private long inbox(String account) {
        return store.mailboxByName(account, "INBOX").orElseThrow().id();
    }

    private static String code(Runnable call) {
        MailboxApiException failure = catchThrowableOfType(MailboxApiException.class, call::run);
        assertThat(failure).as("the call was refused").isNotNull();
        return failure.code();
    }
}
