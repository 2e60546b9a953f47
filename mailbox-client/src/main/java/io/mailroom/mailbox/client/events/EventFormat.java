package io.mailroom.mailbox.client.events;

import tools.jackson.databind.json.JsonMapper;

/**
 * How an event travels, shared by mailbox-api's publishers and the subscribers here: JSON of
 * {@link MailboxChangeEvent}, on the PostgreSQL channel {@code mailroom_account_<accountId>} or with the RabbitMQ
 * routing key {@code account.<accountId>}. See {@code docs/events.md}.
 */
public final class EventFormat {

    /** The largest payload PostgreSQL's NOTIFY carries (8000 bytes, less a margin). */
    public static final int MAX_NOTIFY_PAYLOAD = 7900;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private EventFormat() {
    }

    public static String channel(long accountId) {
        return "mailroom_account_" + accountId;
    }

    public static String routingKey(long accountId) {
        return "account." + accountId;
    }

    public static String write(MailboxChangeEvent event) {
        return JSON.writeValueAsString(event);
    }

    public static MailboxChangeEvent read(String json) {
        return JSON.readValue(json, MailboxChangeEvent.class);
    }

    public static MailboxChangeEvent read(byte[] json) {
        return JSON.readValue(json, MailboxChangeEvent.class);
    }
}
