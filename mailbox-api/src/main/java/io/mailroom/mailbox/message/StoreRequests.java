package io.mailroom.mailbox.message;

import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

import io.mailroom.mailbox.client.store.FetchOptions;
import io.mailroom.mailbox.client.store.FlagUpdate;
import io.mailroom.mailbox.client.store.MessagePart;
import io.mailroom.mailbox.client.store.UidSet;
import io.mailroom.mailbox.web.ApiProblem;

/** The bodies of the store API's requests (docs/rest-api.md, "Store API"). UID sets are in IMAP syntax. */
final class StoreRequests {

    private StoreRequests() {
    }

    /** @throws ApiProblem 400 {@code validation} for a malformed set */
    static UidSet uidSet(String text) {
        try {
            return UidSet.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.validation(e.getMessage());
        }
    }

    /**
     * @param uids         the UID set, e.g. {@code 1:5,7,10:*}
     * @param include      what to add to the basic metadata
     * @param changedSince only messages with a greater MODSEQ
     * @param limit        messages per page, 1 to 5000 (default 1000)
     */
    record Fetch(@NotBlank @Size(max = 100_000) String uids, List<MessagePart> include, @Positive Long changedSince,
                 @Min(1) @Max(FetchOptions.MAX_LIMIT) Integer limit) {
    }

    record ByEmailIds(@NotNull @Size(max = FetchOptions.MAX_LIMIT) List<@NotNull Long> emailIds, List<MessagePart> include) {
    }

    /** @param unchangedSince RFC 7162 UNCHANGEDSINCE; null for none */
    record Flags(@NotBlank @Size(max = 100_000) String uids, @NotNull FlagUpdate.Mode mode,
                 @NotNull @Size(max = 100) List<@NotNull String> flags, @Min(0) Long unchangedSince) {
    }

    /** @param to the target mailbox's id */
    record Transfer(@NotBlank @Size(max = 100_000) String uids, @NotNull Long to) {
    }

    /**
     * Either {@code uids} (a list, removes them whatever their flags: mailbox-client's {@code MailboxApiClient}) or
     * {@code uidSet} (IMAP syntax) with {@code deletedOnly}.
     */
    record Expunge(@Size(max = 100_000) List<@NotNull @Positive Long> uids, @Size(max = 100_000) String uidSet,
                   Boolean deletedOnly) {
    }

}
