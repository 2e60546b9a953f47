package io.mailroom.mailbox.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;
import jakarta.validation.Valid;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Encoding;
import io.swagger.v3.oas.annotations.media.Schema;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;

import io.mailroom.mailbox.account.Account;
import io.mailroom.mailbox.account.AccountService;
import io.mailroom.mailbox.account.EmailAddress;
import io.mailroom.mailbox.blob.SpooledContent;
import io.mailroom.mailbox.message.MessageUploads;
import io.mailroom.mailbox.web.ApiProblem;

/** Filing, for delivery-service: one message for one recipient ({@code PUT}: repeating it is harmless), or for many. */
@RestController
class DeliveryController {

    static final int MAX_DELIVERY_ID_LENGTH = 255;

    private final AccountService accounts;
    private final FilingService filing;
    private final MessageUploads uploads;
    private final FilingObservations.FilingMetrics metrics;
    private final RecipientResolver resolver;

    DeliveryController(AccountService accounts, FilingService filing, MessageUploads uploads,
                       FilingObservations.FilingMetrics metrics, RecipientResolver resolver) {
        this.accounts = accounts;
        this.resolver = resolver;
        this.filing = filing;
        this.uploads = uploads;
        this.metrics = metrics;
    }

    /**
     * Files the request body (the raw RFC 5322 message, stored unchanged) into the account's INBOX: 201 the first
     * time, 200 with {@code duplicate: true} for a delivery id filed before.
     */
    @PutMapping(path = "/internal/v1/accounts/{address}/deliveries/{deliveryId}", consumes = "message/rfc822")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, description = "the raw RFC 5322 message",
            content = @Content(mediaType = "message/rfc822", schema = @Schema(type = "string", format = "binary")))
    ResponseEntity<FiledMessageResponse> file(@PathVariable String address, @PathVariable String deliveryId,
                                              HttpServletRequest request) throws IOException {
        long start = System.nanoTime();
        try {
            return fileOne(address, deliveryId, request);
        } finally {
            metrics.single(start);
        }
    }

    private ResponseEntity<FiledMessageResponse> fileOne(String address, String deliveryId, HttpServletRequest request)
            throws IOException {
        if (deliveryId.isBlank() || deliveryId.length() > MAX_DELIVERY_ID_LENGTH) {
            throw ApiProblem.validation("a delivery id has 1 to " + MAX_DELIVERY_ID_LENGTH + " characters");
        }
        // the account is found by the filing's own statement; a refusal before it still answers 404 for no account first
        String normalized = EmailAddress.normalize(address);
        SpooledContent read;
        try {
            read = uploads.read(request);
        } catch (ApiProblem refused) {
            accounts.require(address);
            throw refused;
        }
        FiledMessageResponse filed;
        try (SpooledContent content = read) {
            filed = filing.file(normalized, deliveryId, content);
        }
        if (filed.duplicate()) {
            return ResponseEntity.ok(filed);
        }
        URI location = location(normalized, filed.mailboxId(), filed.messageId());
        return ResponseEntity.created(location).body(filed);
    }

    /**
     * The tools API's address of a filed message: what {@code UriComponentsBuilder.fromPath(…).buildAndExpand(…).encode()}
     * gives, at a fraction of its cost (2 % of a filing's CPU).
     */
    static URI location(String address, long mailboxId, long messageId) {
        return URI.create("/api/v1/accounts/" + UriUtils.encodePath(address, StandardCharsets.UTF_8)
                + "/mailboxes/" + mailboxId + "/messages/" + messageId);
    }

    /**
     * Files one message for many recipients in one request (delivery-service, for a message with several local
     * recipients): the body is read, parsed and stored once. Each recipient is filed exactly once per its delivery id,
     * like the single call, and gets its own outcome; a refused recipient (no such account, quota used up) does not
     * keep the others from being filed. 200 with the outcomes in the order of the request.
     */
    @PostMapping(path = "/internal/v1/deliveries", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            description = "part recipients (application/json): who gets a copy; part message (message/rfc822): the raw "
                    + "RFC 5322 message, stored unchanged",
            content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
                    schema = @Schema(implementation = BatchFilingParts.class),
                    encoding = {@Encoding(name = "recipients", contentType = MediaType.APPLICATION_JSON_VALUE),
                            @Encoding(name = "message", contentType = "message/rfc822")}))
    BatchFilingResponse fileBatch(@Valid @RequestPart("recipients") BatchFilingRequest recipients,
                                  @RequestPart("message") Part message) throws IOException {
        long start = System.nanoTime();
        try {
            List<FilingService.BatchItem> items = new ArrayList<>(recipients.recipients().size());
            Map<String, Account> found = accounts.findAll(recipients.recipients().stream()
                    .map(BatchFilingRequest.Recipient::account).toList());
            for (BatchFilingRequest.Recipient recipient : recipients.recipients()) {
                if (recipient.deliveryId().isBlank() || recipient.deliveryId().length() > MAX_DELIVERY_ID_LENGTH) {
                    throw ApiProblem.validation("a delivery id has 1 to " + MAX_DELIVERY_ID_LENGTH + " characters");
                }
                items.add(new FilingService.BatchItem(recipient.account(),
                        found.get(EmailAddress.normalize(recipient.account())), recipient.deliveryId()));
            }
            List<FilingService.BatchOutcome> outcomes;
            try (InputStream in = message.getInputStream(); SpooledContent content = uploads.read(in, message.getSize())) {
                outcomes = filing.fileBatch(items, content);
            }
            return new BatchFilingResponse(outcomes.stream().map(BatchFilingResponse.Result::of).toList());
        } finally {
            metrics.batch(start, recipients.recipients().size());
        }
    }

    /**
     * Resolves the message's recipient addresses and files it for the local accounts they reach, in one request
     * (delivery-service, one per queued message): the resolution call and the batch filing in one. Each address gets
     * the resolution the resolution calls give; each account reached (once, however many addresses reach it), unless
     * the request lists it as done, gets a copy under the delivery id {@code deliveryIdPrefix + account} with its own
     * outcome, as a batch filing. 400 {@code invalid-address} when one of the addresses is none (nothing is filed: the
     * caller resolves and files them separately).
     */
    @PostMapping(path = FilingObservations.ADDRESSED_PATH, consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            description = "part recipients (application/json): the recipient addresses and how to name the copies; part "
                    + "message (message/rfc822): the raw RFC 5322 message, stored unchanged",
            content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
                    schema = @Schema(implementation = AddressedFilingParts.class),
                    encoding = {@Encoding(name = "recipients", contentType = MediaType.APPLICATION_JSON_VALUE),
                            @Encoding(name = "message", contentType = "message/rfc822")}))
    AddressedFilingResponse fileByAddress(@Valid @RequestPart("recipients") AddressedFilingRequest request,
                                          @RequestPart("message") Part message) throws IOException {
        long start = System.nanoTime();
        int copies = 0;
        try {
            List<RecipientResolutionResponse> resolutions = new ArrayList<>(request.addresses().size());
            for (String address : request.addresses()) {
                resolutions.add(resolver.resolve(address));
            }
            Set<String> skip = new HashSet<>();
            request.skip().forEach(account -> skip.add(EmailAddress.normalize(account)));
            Set<String> reached = new LinkedHashSet<>();
            for (RecipientResolutionResponse resolution : resolutions) {
                resolution.accounts().stream().filter(account -> !skip.contains(account)).forEach(reached::add);
            }
            if (reached.isEmpty()) {
                return new AddressedFilingResponse(resolutions, List.of());
            }
            Map<String, Account> found = accounts.findAll(reached);
            List<FilingService.BatchItem> items = new ArrayList<>(reached.size());
            for (String account : reached) {
                String deliveryId = request.deliveryIdPrefix() + account;
                if (deliveryId.length() > MAX_DELIVERY_ID_LENGTH) {
                    throw ApiProblem.validation("a delivery id has 1 to " + MAX_DELIVERY_ID_LENGTH + " characters");
                }
                items.add(new FilingService.BatchItem(account, found.get(account), deliveryId));
            }
            copies = items.size();
            List<FilingService.BatchOutcome> outcomes;
            try (InputStream in = message.getInputStream(); SpooledContent content = uploads.read(in, message.getSize())) {
                outcomes = filing.fileBatch(items, content);
            }
            return new AddressedFilingResponse(resolutions,
                    outcomes.stream().map(BatchFilingResponse.Result::of).toList());
        } finally {
            metrics.addressed(start, copies);
        }
    }

    /**
     * Files many messages, each into its own account's INBOX under its own delivery id, in one request (delivery-service,
     * for messages it took off the queue together): part {@code deliveries} says for each {@code message} part, in the
     * same order, whose it is. Each message is filed exactly once per delivery id, as by the single call, with its own
     * outcome; one that cannot be filed (no such account, quota used up, not a message) does not keep the others out.
     * 200 with the outcomes in the order of the request; 400 when the parts do not match up (nothing is filed).
     */
    @PostMapping(path = FilingObservations.MESSAGES_PATH, consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            description = "part deliveries (application/json): whose each message is and its delivery id; parts message "
                    + "(message/rfc822), one per delivery in the same order: the raw RFC 5322 messages, stored unchanged",
            content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
                    schema = @Schema(implementation = MessageBatchParts.class),
                    encoding = {@Encoding(name = "deliveries", contentType = MediaType.APPLICATION_JSON_VALUE),
                            @Encoding(name = "message", contentType = "message/rfc822")}))
    BatchFilingResponse fileMessages(@Valid @RequestPart("deliveries") MessageBatchRequest request,
                                     @RequestPart("message") List<Part> messages) throws IOException {
        long start = System.nanoTime();
        List<MessageBatchRequest.Delivery> wanted = request.deliveries();
        try {
            if (messages.size() != wanted.size()) {
                throw ApiProblem.validation(wanted.size() + " deliveries but " + messages.size() + " message parts");
            }
            BatchFilingResponse.Result[] results = new BatchFilingResponse.Result[wanted.size()];
            List<Integer> read = new ArrayList<>(wanted.size());
            List<FilingService.Delivery> deliveries = new ArrayList<>(wanted.size());
            try {
                for (int i = 0; i < wanted.size(); i++) {
                    MessageBatchRequest.Delivery delivery = wanted.get(i);
                    Part message = messages.get(i);
                    try (InputStream in = message.getInputStream()) {
                        deliveries.add(new FilingService.Delivery(delivery.account(), delivery.deliveryId(),
                                uploads.read(in, message.getSize())));
                        read.add(i);
                    } catch (ApiProblem refused) {
                        // empty, or too large: this message alone, as the single call would answer it
                        results[i] = BatchFilingResponse.Result.of(new FilingService.BatchOutcome(
                                new FilingService.BatchItem(delivery.account(), null, delivery.deliveryId()), null, refused));
                    }
                }
                List<FilingService.BatchOutcome> outcomes = filing.fileEach(deliveries);
                for (int i = 0; i < outcomes.size(); i++) {
                    results[read.get(i)] = BatchFilingResponse.Result.of(outcomes.get(i));
                }
                return new BatchFilingResponse(List.of(results));
            } finally {
                for (FilingService.Delivery delivery : deliveries) {
                    delivery.content().close();
                }
            }
        } finally {
            metrics.messages(start, wanted.size());
        }
    }

    /** The parts of a filing of many messages, for the OpenAPI document. */
    record MessageBatchParts(MessageBatchRequest deliveries,
                             @ArraySchema(schema = @Schema(type = "string", format = "binary",
                                     description = "a raw RFC 5322 message")) List<String> message) {
    }

    /** The parts of a filing by address, for the OpenAPI document. */
    record AddressedFilingParts(AddressedFilingRequest recipients,
                                @Schema(type = "string", format = "binary", description = "the raw RFC 5322 message") String message) {
    }

    /** The parts of a batch filing, for the OpenAPI document. */
    record BatchFilingParts(BatchFilingRequest recipients,
                            @Schema(type = "string", format = "binary", description = "the raw RFC 5322 message") String message) {
    }
}
