package io.mailroom.mailbox.message;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

import org.springframework.core.io.InputStreamResource;
import org.springframework.core.io.Resource;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.mailroom.mailbox.account.AccountService;
import io.mailroom.mailbox.blob.SpooledContent;
import io.mailroom.mailbox.client.store.ExpungeResult;
import io.mailroom.mailbox.client.store.FetchOptions;
import io.mailroom.mailbox.client.store.FlagUpdate;
import io.mailroom.mailbox.client.store.FlagUpdateResult;
import io.mailroom.mailbox.client.store.MailboxChanges;
import io.mailroom.mailbox.client.store.MessageMetadata;
import io.mailroom.mailbox.client.store.MessagePage;
import io.mailroom.mailbox.client.store.MessagePart;
import io.mailroom.mailbox.client.store.TransferResult;
import io.mailroom.mailbox.client.store.UidSet;
import io.mailroom.mailbox.web.ApiProblem;

/**
 * Messages as the gateways address them: by UID, a whole IMAP or POP3 command per request (docs/rest-api.md, "Gateway
 * API" and "Store API"). The answers are mailbox-client's own records, so the two sides cannot drift.
 */
@RestController
@RequestMapping("/internal/v1/accounts/{address}")
class GatewayMessageController {

    private final AccountService accounts;
    private final MessageService messages;
    private final StoreService store;
    private final MessageWriter writer;
    private final MessageUploads uploads;
    private final TransactionTemplate transaction;

    GatewayMessageController(AccountService accounts, MessageService messages, StoreService store, MessageWriter writer,
                             MessageUploads uploads, TransactionTemplate transaction) {
        this.accounts = accounts;
        this.messages = messages;
        this.store = store;
        this.writer = writer;
        this.uploads = uploads;
        this.transaction = transaction;
    }

    @GetMapping("/maildrop")
    MaildropResponse maildrop(@PathVariable String address) {
        return messages.maildrop(accounts.require(address).id());
    }

    /** The exact bytes; with {@code Range: bytes=first-last} just those (206). */
    @GetMapping(path = "/mailboxes/{mailboxId}/messages/{uid}/raw", produces = RawMessageResponses.MESSAGE_RFC822)
    ResponseEntity<Resource> raw(@PathVariable String address, @PathVariable long mailboxId, @PathVariable long uid,
                                 @RequestHeader(name = HttpHeaders.RANGE, required = false) String range) {
        MessageService.RawSource source = messages.rawByUid(accounts.requireId(address), mailboxId, uid);
        return RawMessageResponses.of(source.size(), range, (offset, length) -> messages.open(source, offset, length));
    }

    /**
     * Several messages' exact bytes in one answer, framed as {@link RawBatch} describes: POP3's read-ahead asks for the
     * next messages of a maildrop with one request instead of one each.
     */
    @PostMapping(path = "/mailboxes/{mailboxId}/messages/raw", produces = RawBatch.MEDIA_TYPE)
    @ApiResponse(responseCode = "200", description = "one entry per UID asked, in that order: `<uid> <size>` CRLF and "
            + "the bytes, `<uid> missing` CRLF, or `<uid> deferred` CRLF (over the byte budget: read it on its own)",
            content = @Content(mediaType = RawBatch.MEDIA_TYPE, schema = @Schema(type = "string", format = "binary")))
    ResponseEntity<Resource> rawBatch(@PathVariable String address, @PathVariable long mailboxId,
                                      @Valid @RequestBody RawBatch.RawBatchRequest request) {
        List<RawBatch.Entry> entries = messages.rawBatch(accounts.requireId(address), mailboxId, request.uids(),
                request.budget());
        RawBatch.Framed framed = RawBatch.frame(entries);
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType(RawBatch.MEDIA_TYPE))
                .contentLength(framed.length())
                .body(new InputStreamResource(framed.content()) {
                    @Override
                    public long contentLength() {
                        return framed.length(); // never read the stream to learn its length
                    }
                });
    }

    /** APPEND (RFC 9051 §6.3.12): the body is the raw message. */
    @PostMapping(path = "/mailboxes/{mailboxId}/messages", consumes = RawMessageResponses.MESSAGE_RFC822)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, description = "the raw RFC 5322 message",
            content = @Content(mediaType = "message/rfc822", schema = @Schema(type = "string", format = "binary")))
    ResponseEntity<MessageMetadata> append(@PathVariable String address, @PathVariable long mailboxId,
                                           @RequestParam(required = false) List<String> flags,
                                           @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant internalDate,
                                           HttpServletRequest request) throws IOException {
        long accountId = accounts.requireId(address);
        MessageFlags.Parsed parsed = MessageFlags.parse(flags);
        try (SpooledContent content = uploads.read(request)) {
            MessageWriter.Prepared prepared = writer.prepare(content);
            MessageMetadata added = transaction.execute(status ->
                    writer.add(accountId, mailboxId, prepared, parsed, internalDate).metadata());
            return ResponseEntity.status(HttpStatus.CREATED).body(added);
        }
    }

    @PostMapping("/mailboxes/{mailboxId}/messages/fetch")
    @ApiResponse(responseCode = "200", description = "OK",
            content = @Content(mediaType = "*/*", schema = @Schema(implementation = MessagePage.class)))
    StoreService.StoredPage fetch(@PathVariable String address, @PathVariable long mailboxId,
                                  @Valid @RequestBody StoreRequests.Fetch request) {
        return store.fetch(accounts.requireId(address), mailboxId, StoreRequests.uidSet(request.uids()),
                include(request.include()), request.changedSince(),
                request.limit() == null ? FetchOptions.DEFAULT_LIMIT : request.limit());
    }

    @PostMapping("/messages/by-email-id")
    List<MessageMetadata> byEmailIds(@PathVariable String address, @Valid @RequestBody StoreRequests.ByEmailIds request) {
        return store.byEmailIds(accounts.require(address).id(), request.emailIds(), include(request.include()));
    }

    @PostMapping("/mailboxes/{mailboxId}/flags")
    FlagUpdateResult flags(@PathVariable String address, @PathVariable long mailboxId,
                           @Valid @RequestBody StoreRequests.Flags request) {
        return store.updateFlags(accounts.requireId(address), mailboxId, StoreRequests.uidSet(request.uids()),
                new FlagUpdate(request.mode(), Set.copyOf(request.flags())), request.unchangedSince());
    }

    @PostMapping("/mailboxes/{mailboxId}/copy")
    TransferResult copy(@PathVariable String address, @PathVariable long mailboxId,
                        @Valid @RequestBody StoreRequests.Transfer request) {
        return store.copy(accounts.requireId(address), mailboxId, StoreRequests.uidSet(request.uids()), request.to());
    }

    @PostMapping("/mailboxes/{mailboxId}/move")
    TransferResult move(@PathVariable String address, @PathVariable long mailboxId,
                        @Valid @RequestBody StoreRequests.Transfer request) {
        return store.move(accounts.requireId(address), mailboxId, StoreRequests.uidSet(request.uids()), request.to());
    }

    @PostMapping("/mailboxes/{mailboxId}/expunge")
    ExpungeResult expunge(@PathVariable String address, @PathVariable long mailboxId,
                          @Valid @RequestBody StoreRequests.Expunge request) {
        long accountId = accounts.requireId(address);
        if ((request.uids() == null) == (request.uidSet() == null)) {
            throw ApiProblem.validation("give either uids (a list) or uidSet (IMAP syntax)");
        }
        UidSet set = request.uids() != null ? UidSet.of(request.uids()) : StoreRequests.uidSet(request.uidSet());
        return store.expunge(accountId, mailboxId, set, request.uidSet() != null && Boolean.TRUE.equals(request.deletedOnly()));
    }

    @GetMapping("/mailboxes/{mailboxId}/changes")
    MailboxChanges changes(@PathVariable String address, @PathVariable long mailboxId, @RequestParam long since,
                           @RequestParam(defaultValue = "" + FetchOptions.DEFAULT_LIMIT) int limit) {
        if (since < 0 || limit < 1 || limit > FetchOptions.MAX_LIMIT) {
            throw ApiProblem.validation("since must be 0 or more, limit 1 to " + FetchOptions.MAX_LIMIT);
        }
        return store.changesSince(accounts.requireId(address), mailboxId, since, limit);
    }

    private static Set<MessagePart> include(List<MessagePart> include) {
        return include == null ? Set.of() : Set.copyOf(include);
    }
}
