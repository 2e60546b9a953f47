package io.mailroom.mailbox.client.store;

import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;

/**
 * mailbox-api's store, shaped for an IMAP server: what James's store SPI ({@code MailboxMapper}, {@code MessageMapper},
 * {@code MessageIdMapper}, {@code SubscriptionMapper}, {@code AnnotationMapper}, {@code UidProvider},
 * {@code ModSeqProvider}, {@code MessageSearchIndex}, quota) needs, in calls that each cover a whole IMAP command: one
 * call per FETCH, STORE, COPY, MOVE, EXPUNGE or SEARCH however many messages it names. The wire format is in
 * {@code docs/rest-api.md} ("Store API"); {@code HttpMailboxStoreClient} is the implementation.
 *
 * <p><b>Who assigns what.</b> UIDVALIDITY, UIDs and MODSEQs are assigned by mailbox-api, never by the caller, because
 * other services (delivery-service, other gateway replicas, the tools API) write to the same mailboxes: UIDs ascend
 * strictly and are never reused within a UIDVALIDITY, and every change (a message added, its flags changed, its
 * removal) takes a new MODSEQ of the mailbox. A gateway learns of other writers' changes from change events
 * ({@code io.mailroom.mailbox.client.events}) and catches up with {@link #changesSince}.
 *
 * <p><b>Accounts</b> are named by address, as in every mailbox-api path; a mailbox id of another account is
 * "not found". <b>Mailbox names</b> are Unicode with {@code /} as the hierarchy delimiter and {@code INBOX} spelt so.
 *
 * <p><b>Failures.</b> Every call has a bounded timeout. Unreachable, timed out or 5xx: {@link
 * MailboxApiUnavailableException} (answer IMAP {@code NO [UNAVAILABLE]}). A refusal: {@link MailboxApiException} with
 * the stable problem code from {@code docs/errors.md}, e.g. {@code mailbox-not-found}, {@code mailbox-exists},
 * {@code invalid-mailbox-name}, {@code quota-exceeded} (IMAP {@code NO [OVERQUOTA]}), {@code message-too-large}
 * ({@code NO [TOOBIG]}). A refused call changes nothing.
 */
public interface MailboxStoreClient {

    // ---- mailboxes (MailboxMapper) ----

    /** Every mailbox of the account, by name, with its counts (LIST, LIST-STATUS, LSUB). */
    List<MailboxInfo> listMailboxes(String account);

    /** The mailbox with this id, or empty (SELECT by id, STATUS). */
    Optional<MailboxInfo> mailbox(String account, long mailboxId);

    /** The mailbox with this exact name, or empty ({@code INBOX} in any case finds the INBOX). */
    Optional<MailboxInfo> mailboxByName(String account, String name);

    /**
     * Creates a mailbox (CREATE, RFC 9051 §6.3.4), and any missing superiors of it ({@code a/b/c} creates {@code a} and
     * {@code a/b} when they are missing), each with a new UIDVALIDITY. New mailboxes are subscribed.
     *
     * @param role a special use to give it (RFC 6154 CREATE-SPECIAL-USE), or null
     * @return the mailbox named, not its superiors
     * @throws MailboxApiException {@code mailbox-exists}, {@code invalid-mailbox-name}, {@code role-taken}
     */
    MailboxInfo createMailbox(String account, String name, MailboxRole role);

    /**
     * Renames a mailbox and everything below it (RENAME, RFC 9051 §6.3.6). Ids, UIDVALIDITY, UIDs and messages stay
     * (RFC 9051 allows keeping UIDVALIDITY when the server can keep the UIDs), and subscriptions follow the names.
     * Renaming INBOX moves its messages into a new mailbox of the new name and leaves INBOX empty, as §6.3.6 says.
     *
     * @return every mailbox whose name changed (or, for INBOX, the new mailbox), with its new name
     * @throws MailboxApiException {@code mailbox-not-found}, {@code mailbox-exists}, {@code invalid-mailbox-name},
     *                             {@code rename-into-itself} (a new name below the old one)
     */
    List<MailboxInfo> renameMailbox(String account, long mailboxId, String newName);

    /**
     * Deletes a mailbox and its messages (DELETE, RFC 9051 §6.3.5). Mailboxes below it stay. Its expunge records go
     * with it: a re-created name gets a new UIDVALIDITY anyway.
     *
     * @throws MailboxApiException {@code mailbox-not-found}, {@code mailbox-protected} (INBOX)
     */
    void deleteMailbox(String account, long mailboxId);

    // ---- subscriptions (SubscriptionMapper) ----

    /**
     * The names the account subscribes to (LSUB, RFC 3501 §6.3.9), which may include names that do not exist
     * (RFC 9051 §6.3.7 allows subscribing to them).
     */
    List<String> subscriptions(String account);

    /** Subscribes to a name (SUBSCRIBE); subscribing twice is harmless. */
    void subscribe(String account, String name);

    /** Unsubscribes from a name (UNSUBSCRIBE); an unknown name is ignored. */
    void unsubscribe(String account, String name);

    // ---- messages (MessageMapper, MessageIdMapper, UidProvider, ModSeqProvider) ----

    /**
     * The metadata of the messages of a UID set, in ascending UID order, in one call per page (FETCH). UIDs that do not
     * exist are skipped (RFC 9051 §6.4.8: a UID FETCH of a missing UID answers nothing).
     *
     * @throws MailboxApiException {@code mailbox-not-found}
     */
    MessagePage fetch(String account, long mailboxId, UidSet uids, FetchOptions options);

    /** {@link #fetch} repeated until the set has been read to its end. Bound the set: every message is in memory. */
    default List<MessageMetadata> fetchAll(String account, long mailboxId, UidSet uids, FetchOptions options) {
        List<MessageMetadata> all = new ArrayList<>();
        UidSet rest = uids;
        while (true) {
            MessagePage page = fetch(account, mailboxId, rest, options);
            all.addAll(page.messages());
            if (page.nextUid() == null) {
                return all;
            }
            rest = uids.startingAt(page.nextUid());
        }
    }

    /**
     * The messages with these emailIds, in whatever mailboxes of the account they are (James's
     * {@code MessageIdMapper.find}); a copy appears once per mailbox. Unknown ids are skipped.
     */
    List<MessageMetadata> findByEmailIds(String account, Collection<Long> emailIds, Set<MessagePart> include);

    /**
     * Streams a message's raw bytes, unchanged since filing (BODY[], RFC822). The caller closes the stream.
     *
     * @throws MailboxApiException {@code message-not-found}, {@code mailbox-not-found}
     */
    InputStream openMessage(String account, long mailboxId, long uid);

    /**
     * Streams {@code length} bytes of a message from {@code offset} (an HTTP range request): BODY[]&lt;partial&gt;, or
     * the body alone from {@link MessageMetadata#headerOctets()}. A range past the end is cut at the end.
     */
    InputStream openMessage(String account, long mailboxId, long uid, long offset, long length);

    /**
     * Adds a message (APPEND, RFC 9051 §6.3.12), bytes unchanged, with a new UID and MODSEQ; counted against the quota.
     *
     * @param content      the raw RFC 5322 bytes; streamed, so a large message is never held whole in memory
     * @param size         how many bytes {@code content} holds
     * @param flags        the flags to set ({@link Flags}); {@code \Recent} may be among them
     * @param internalDate INTERNALDATE, or null for now
     * @return the message as stored, including its UID and the mailbox's UIDVALIDITY through {@link #mailbox} (APPENDUID)
     * @throws MailboxApiException {@code mailbox-not-found}, {@code quota-exceeded}, {@code message-too-large},
     *                             {@code validation} (an empty message, a malformed flag)
     */
    MessageMetadata append(String account, long mailboxId, InputStream content, long size, Set<String> flags,
                           Instant internalDate);

    /**
     * Changes flags (STORE, UID STORE; RFC 9051 §6.4.6), optionally only on messages not changed since a MODSEQ
     * (UNCHANGEDSINCE, RFC 7162 §3.1.3). Each message whose flags change takes a new MODSEQ. Atomic: the test and the
     * change happen under the mailbox's lock, so no other write slips between them.
     *
     * @param unchangedSince only messages whose MODSEQ is at most this are changed; the others are reported in
     *                       {@link FlagUpdateResult#modified()}; null for no condition
     * @throws MailboxApiException {@code mailbox-not-found}, {@code validation} (a malformed flag)
     */
    FlagUpdateResult updateFlags(String account, long mailboxId, UidSet uids, FlagUpdate update, Long unchangedSince);

    /**
     * Copies messages into another mailbox of the account (COPY, RFC 9051 §6.4.7; UIDPLUS COPYUID, RFC 4315): new UIDs
     * in source-UID order, flags carried over, {@code \Recent} set on the copies; counted against the quota. The
     * content is not stored again.
     *
     * @throws MailboxApiException {@code mailbox-not-found} (either mailbox), {@code quota-exceeded}
     */
    TransferResult copy(String account, long fromMailboxId, UidSet uids, long toMailboxId);

    /**
     * Moves messages into another mailbox (MOVE, RFC 6851): as {@link #copy} and an expunge of the originals, in one
     * transaction; each original leaves an expunge record in the source.
     */
    TransferResult move(String account, long fromMailboxId, UidSet uids, long toMailboxId);

    /**
     * Removes messages (EXPUNGE, UID EXPUNGE; RFC 9051 §6.4.3, RFC 4315 §2.1). Each removal takes a new MODSEQ and
     * leaves an expunge record (uid, modseq) for QRESYNC's VANISHED, kept for {@code mailroom.mailbox.expunge-retention}.
     *
     * @param deletedOnly remove only those of the set that carry {@code \Deleted} when the removal happens (EXPUNGE
     *                    semantics, safe against a concurrent STORE -FLAGS \Deleted); false removes the whole set
     */
    ExpungeResult expunge(String account, long mailboxId, UidSet uids, boolean deletedOnly);

    /**
     * What changed in the mailbox after {@code sinceModSeq}: added, flag-changed and vanished messages (CONDSTORE
     * and QRESYNC resynchronisation, RFC 7162 §3.2.5; catching up after missed change events).
     *
     * @param limit at most this many added plus changed messages in one answer (1 to {@link FetchOptions#MAX_LIMIT});
     *              the answer says whether more remain
     */
    MailboxChanges changesSince(String account, long mailboxId, long sinceModSeq, int limit);

    // ---- search (MessageSearchIndex) ----

    /**
     * The UIDs of the mailbox's messages that match, ascending (SEARCH, UID SEARCH, ESEARCH). Evaluated in
     * mailbox-api over what filing extracted: the gateway never reads messages to search them.
     *
     * @throws MailboxApiException {@code mailbox-not-found}, {@code validation} (a malformed criterion)
     */
    List<Long> search(String account, long mailboxId, SearchCriterion criterion);

    // ---- quota (QuotaManager, QuotaRootResolver) ----

    /** The account's quota and exact usage (GETQUOTA, GETQUOTAROOT; RFC 9208). */
    QuotaUsage quota(String account);

    // ---- METADATA (AnnotationMapper) ----

    /**
     * A mailbox's METADATA entries (GETMETADATA, RFC 5464 §4.2).
     *
     * @param keys  the entries asked for; empty for all of them
     * @param depth how far below each key to look
     */
    List<MailboxAnnotation> annotations(String account, long mailboxId, Set<String> keys, MailboxAnnotation.Depth depth);

    /**
     * Sets or (value null) removes METADATA entries (SETMETADATA, RFC 5464 §4.3), all or none.
     *
     * @throws MailboxApiException {@code annotation-too-large} (a value above the limit, RFC 5464 [METADATA MAXSIZE]),
     *                             {@code too-many-annotations} ([METADATA TOOMANY]), {@code validation} (a key
     *                             not under {@code /private} or {@code /shared})
     */
    void setAnnotations(String account, long mailboxId, List<MailboxAnnotation> annotations);
}
