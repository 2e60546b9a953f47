package io.mailroom.mailbox.client;

/**
 * What became of one recipient of {@link MailboxApiClient#fileMessages}: filed (now, or before under the same delivery
 * id: {@link FiledMessage#duplicate()}), or refused with mailbox-api's problem code.
 *
 * @param filed  where the copy is; null when refused
 * @param code   for a refusal, the problem code the single filing call would have answered with
 *               ({@code account-not-found}, {@code quota-exceeded}, …), or {@link #UNAVAILABLE} when mailbox-api could
 *               not be reached for this recipient (it may or may not have been filed: filing again tells); null when
 *               filed
 * @param detail for a refusal, why, for people
 */
public record FilingOutcome(FilingRecipient recipient, FiledMessage filed, String code, String detail) {

    /** The code of a recipient mailbox-api could not be reached for (what {@link MailboxApiUnavailableException} says for one). */
    public static final String UNAVAILABLE = "unavailable";

    public static FilingOutcome unavailable(FilingRecipient recipient, String detail) {
        return new FilingOutcome(recipient, null, UNAVAILABLE, detail);
    }

    public boolean isUnavailable() {
        return UNAVAILABLE.equals(code);
    }

    public static FilingOutcome filed(FilingRecipient recipient, FiledMessage filed) {
        return new FilingOutcome(recipient, filed, null, null);
    }

    public static FilingOutcome refused(FilingRecipient recipient, String code, String detail) {
        return new FilingOutcome(recipient, null, code, detail);
    }

    public boolean isFiled() {
        return filed != null;
    }
}
