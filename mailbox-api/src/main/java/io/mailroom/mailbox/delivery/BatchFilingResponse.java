package io.mailroom.mailbox.delivery;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * One outcome per recipient of a batch filing, in the order of the request. Mirrors mailbox-client's
 * {@code FilingOutcome}.
 */
public record BatchFilingResponse(List<Result> results) {

    @Schema(name = "BatchFilingOutcome")
    public enum Outcome {
        /** Filed now. */
        FILED,
        /** Filed before under this delivery id; nothing new was stored. */
        DUPLICATE,
        /** Not filed: {@code code} says why ({@code account-not-found}, {@code quota-exceeded}). */
        REFUSED
    }

    /**
     * @param messageId, mailboxId, uid, modSeq where the copy is (FILED, DUPLICATE)
     * @param code      the problem code (docs/errors.md) for REFUSED
     * @param detail    why, for people, for REFUSED
     */
    @Schema(name = "BatchFilingResult")
    public record Result(String account, String deliveryId, Outcome outcome, Long messageId, Long mailboxId, Long uid,
                         Long modSeq, String code, String detail) {

        static Result of(FilingService.BatchOutcome outcome) {
            FilingService.BatchItem item = outcome.item();
            FiledMessageResponse filed = outcome.filed();
            if (filed != null) {
                return new Result(item.address(), item.deliveryId(), filed.duplicate() ? Outcome.DUPLICATE : Outcome.FILED,
                        filed.messageId(), filed.mailboxId(), filed.uid(), filed.modSeq(), null, null);
            }
            return new Result(item.address(), item.deliveryId(), Outcome.REFUSED, null, null, null, null,
                    outcome.refused().code(), outcome.refused().getMessage());
        }
    }
}
