package io.mailroom.mailbox.client;

import java.util.List;
import java.util.Locale;

/**
 * What {@link MailboxApiClient#deliver} did with one message: what each recipient address resolved to, and what became
 * of each account's copy.
 *
 * @param resolutions one per address, in the order of the call: the accounts it reaches, its external
 *                    {@link RecipientResolution#forwards() forwards} (for the caller to relay), or
 *                    {@link RecipientResolution.Status#UNKNOWN_USER} / {@link RecipientResolution.Status#NON_LOCAL_DOMAIN}
 * @param outcomes    one per account filed (each account once, however many addresses reach it; none for the accounts
 *                    the call said to skip), in the order the addresses first reach them
 */
public record DeliveryReport(List<RecipientResolution> resolutions, List<FilingOutcome> outcomes) {

    public DeliveryReport {
        resolutions = List.copyOf(resolutions);
        outcomes = List.copyOf(outcomes);
    }

    /** The outcome of this account's copy (any case); null when it was not filed (skipped, or reached by no address). */
    public FilingOutcome outcomeOf(String account) {
        for (FilingOutcome outcome : outcomes) {
            if (outcome.recipient().account().equalsIgnoreCase(account)) {
                return outcome;
            }
        }
        return null;
    }

    /** The delivery id of an account's copy, as {@link MailboxApiClient#deliver} forms it from its prefix. */
    public static String deliveryId(String deliveryIdPrefix, String account) {
        return deliveryIdPrefix + account.toLowerCase(Locale.ROOT);
    }
}
