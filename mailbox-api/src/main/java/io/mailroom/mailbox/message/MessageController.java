package io.mailroom.mailbox.message;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;

import org.springframework.core.io.Resource;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

import io.mailroom.mailbox.account.AccountService;
import io.mailroom.mailbox.blob.SpooledContent;
import io.mailroom.mailbox.client.store.FlagUpdate;
import io.mailroom.mailbox.client.store.TransferResult;
import io.mailroom.mailbox.client.store.UidSet;
import io.mailroom.mailbox.search.MessageFilter;
import io.mailroom.mailbox.search.MessageQueryService;
import io.mailroom.mailbox.web.PageResponse;

/**
 * The messages of an account, for tools: lists with filters and cursors, search across mailboxes, one message's facts
 * and bytes, uploads, flag changes, move, copy and delete. Messages are named by id, which stays when a message moves.
 * A message that is gone (expunged, or never there) is 404 {@code message-not-found} and nothing changes.
 */
@RestController
class MessageController {

    private static final String MAILBOX_MESSAGES = "/api/v1/accounts/{address}/mailboxes/{mailboxId}/messages";

    private final AccountService accounts;
    private final MessageService messages;
    private final MessageQueryService queries;
    private final StoreService store;
    private final MessageWriter writer;
    private final MessageUploads uploads;
    private final TransactionTemplate transaction;

    MessageController(AccountService accounts, MessageService messages, MessageQueryService queries, StoreService store,
                      MessageWriter writer, MessageUploads uploads, TransactionTemplate transaction) {
        this.accounts = accounts;
        this.messages = messages;
        this.queries = queries;
        this.store = store;
        this.writer = writer;
        this.uploads = uploads;
        this.transaction = transaction;
    }

    /**
     * Flag changes: {@code add} and {@code remove}, or {@code replace} with the complete set. Flags in IMAP spelling.
     */
    record FlagsRequest(@Size(max = 100) List<String> add, @Size(max = 100) List<String> remove,
                        @Size(max = 100) List<String> replace) {
    }

    /** @param mailboxId the target mailbox */
    record TransferRequest(@NotNull Long mailboxId) {
    }

    /** A page of the mailbox's messages in UID order, filtered. */
    @GetMapping(MAILBOX_MESSAGES)
    PageResponse<MessageSummaryResponse> list(
            @PathVariable String address, @PathVariable long mailboxId,
            @RequestParam(defaultValue = "" + PageResponse.DEFAULT_LIMIT) @Min(1) @Max(PageResponse.MAX_LIMIT) int limit,
            @RequestParam(required = false) String cursor,
            @RequestParam(required = false) String from, @RequestParam(required = false) String to,
            @RequestParam(required = false) String subject, @RequestParam(required = false) String text,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant after,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant before,
            @RequestParam(required = false) Long minSize, @RequestParam(required = false) Long maxSize,
            @RequestParam(required = false) List<String> flag, @RequestParam(required = false) List<String> notFlag) {
        return queries.list(accounts.require(address).id(), mailboxId,
                new MessageFilter(from, to, subject, text, after, before, minSize, maxSize, flag, notFlag), limit, cursor);
    }

    /**
     * Searches the account's messages (all mailboxes, or one), newest first: the same filters, with {@code text} in
     * PostgreSQL full-text search over subject and text body.
     */
    @GetMapping("/api/v1/accounts/{address}/messages")
    PageResponse<MessageSummaryResponse> search(
            @PathVariable String address,
            @RequestParam(required = false) Long mailboxId,
            @RequestParam(defaultValue = "" + PageResponse.DEFAULT_LIMIT) @Min(1) @Max(PageResponse.MAX_LIMIT) int limit,
            @RequestParam(required = false) String cursor,
            @RequestParam(required = false) String from, @RequestParam(required = false) String to,
            @RequestParam(required = false) String subject, @RequestParam(required = false) String text,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant after,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant before,
            @RequestParam(required = false) Long minSize, @RequestParam(required = false) Long maxSize,
            @RequestParam(required = false) List<String> flag, @RequestParam(required = false) List<String> notFlag) {
        return queries.search(accounts.require(address).id(), mailboxId,
                new MessageFilter(from, to, subject, text, after, before, minSize, maxSize, flag, notFlag), limit, cursor);
    }

    @GetMapping(MAILBOX_MESSAGES + "/{messageId}")
    MessageResponse get(@PathVariable String address, @PathVariable long mailboxId, @PathVariable long messageId) {
        return messages.get(accounts.require(address).id(), mailboxId, messageId);
    }

    /** The exact bytes that were filed; with {@code Range: bytes=first-last} just those (206). */
    @GetMapping(path = MAILBOX_MESSAGES + "/{messageId}/raw", produces = RawMessageResponses.MESSAGE_RFC822)
    ResponseEntity<Resource> raw(@PathVariable String address, @PathVariable long mailboxId, @PathVariable long messageId,
                                 @RequestHeader(name = HttpHeaders.RANGE, required = false) String range) {
        MessageService.RawSource source = messages.rawById(accounts.require(address).id(), mailboxId, messageId);
        return RawMessageResponses.of(source.size(), range, (offset, length) -> messages.open(source, offset, length));
    }

    /** Uploads a message (the raw bytes) into the mailbox, e.g. a migration or a saved draft. */
    @PostMapping(path = MAILBOX_MESSAGES, consumes = RawMessageResponses.MESSAGE_RFC822)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, description = "the raw RFC 5322 message",
            content = @Content(mediaType = "message/rfc822", schema = @Schema(type = "string", format = "binary")))
    ResponseEntity<MessageResponse> upload(@PathVariable String address, @PathVariable long mailboxId,
                                           @RequestParam(required = false) List<String> flag,
                                           @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant internalDate,
                                           HttpServletRequest request) throws IOException {
        long accountId = accounts.require(address).id();
        MessageFlags.Parsed flags = MessageFlags.parse(flag);
        MessageWriter.Added added;
        try (SpooledContent content = uploads.read(request)) {
            MessageWriter.Prepared prepared = writer.prepare(content);
            added = transaction.execute(status -> writer.add(accountId, mailboxId, prepared, flags, internalDate));
        }
        URI location = UriComponentsBuilder.fromPath(MAILBOX_MESSAGES + "/{messageId}")
                .buildAndExpand(address, mailboxId, added.messageId()).encode().toUri();
        return ResponseEntity.created(location).body(messages.get(accountId, mailboxId, added.messageId()));
    }

    /** Changes flags; each change takes a new MODSEQ and is announced like an IMAP STORE. */
    @PatchMapping(MAILBOX_MESSAGES + "/{messageId}")
    MessageResponse updateFlags(@PathVariable String address, @PathVariable long mailboxId, @PathVariable long messageId,
                                @Valid @RequestBody FlagsRequest request) {
        long accountId = accounts.require(address).id();
        UidSet uid = UidSet.of(store.uidOf(accountId, mailboxId, messageId));
        if (request.replace() != null) {
            store.updateFlags(accountId, mailboxId, uid, new FlagUpdate(FlagUpdate.Mode.REPLACE, Set.copyOf(request.replace())), null);
        }
        if (request.add() != null && !request.add().isEmpty()) {
            store.updateFlags(accountId, mailboxId, uid, new FlagUpdate(FlagUpdate.Mode.ADD, Set.copyOf(request.add())), null);
        }
        if (request.remove() != null && !request.remove().isEmpty()) {
            store.updateFlags(accountId, mailboxId, uid, new FlagUpdate(FlagUpdate.Mode.REMOVE, Set.copyOf(request.remove())), null);
        }
        return messages.get(accountId, mailboxId, messageId);
    }

    /** Moves the message; it keeps its id and gets a UID in the target. */
    @PostMapping(MAILBOX_MESSAGES + "/{messageId}/move")
    MessageResponse move(@PathVariable String address, @PathVariable long mailboxId, @PathVariable long messageId,
                         @Valid @RequestBody TransferRequest request) {
        long accountId = accounts.require(address).id();
        store.move(accountId, mailboxId, UidSet.of(store.uidOf(accountId, mailboxId, messageId)), request.mailboxId());
        return messages.get(accountId, request.mailboxId(), messageId);
    }

    /** Copies the message; the copy has an id of its own (the body is not stored again). */
    @PostMapping(MAILBOX_MESSAGES + "/{messageId}/copy")
    ResponseEntity<MessageResponse> copy(@PathVariable String address, @PathVariable long mailboxId,
                                         @PathVariable long messageId, @Valid @RequestBody TransferRequest request) {
        long accountId = accounts.require(address).id();
        TransferResult copied = store.copy(accountId, mailboxId, UidSet.of(store.uidOf(accountId, mailboxId, messageId)),
                request.mailboxId());
        MessageResponse copy = messages.getByUid(accountId, request.mailboxId(), copied.messages().getFirst().message().uid());
        URI location = UriComponentsBuilder.fromPath(MAILBOX_MESSAGES + "/{messageId}")
                .buildAndExpand(address, request.mailboxId(), copy.id()).encode().toUri();
        return ResponseEntity.created(location).body(copy);
    }

    /** Deletes (expunges) the message. */
    @DeleteMapping(MAILBOX_MESSAGES + "/{messageId}")
    ResponseEntity<Void> delete(@PathVariable String address, @PathVariable long mailboxId, @PathVariable long messageId) {
        long accountId = accounts.require(address).id();
        store.expunge(accountId, mailboxId, UidSet.of(store.uidOf(accountId, mailboxId, messageId)), false);
        return ResponseEntity.noContent().build();
    }
}
