package io.mailroom.mailbox.message;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Set;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

import io.mailroom.mailbox.client.store.BodyStructure;
import io.mailroom.mailbox.client.store.Envelope;
import io.mailroom.mailbox.client.store.MessageMetadata;
import io.mailroom.mailbox.client.store.MessagePart;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads message rows into the store API's {@link MessageMetadata}, joining the content facts only when asked, so that
 * FETCH FLAGS of thousands of messages touches the narrow {@code messages} rows alone.
 */
@Component
public class MessageRows {

    /** The columns every metadata read selects, from {@code messages m}. */
    public static final String COLUMNS = """
            m.id, m.mailbox_id, m.uid, m.modseq, m.email_id, m.thread_id, m.flags, m.keywords, m.internal_date,
            m.save_date, m.size, m.header_size, m.body_lines, m.media_type, m.sub_type, m.text_lines""";

    private final JsonMapper json;

    MessageRows(JsonMapper json) {
        this.json = json;
    }

    /** The select list for these parts. */
    public String columns(Set<MessagePart> include) {
        StringBuilder columns = new StringBuilder(COLUMNS);
        if (include.contains(MessagePart.ENVELOPE)) {
            columns.append(", c.envelope");
        }
        if (include.contains(MessagePart.STRUCTURE)) {
            columns.append(", c.structure");
        }
        if (include.contains(MessagePart.HEADERS)) {
            columns.append(", c.header");
        }
        return columns.toString();
    }

    /** The join that brings the content facts in, when a part asks for them. */
    public String join(Set<MessagePart> include) {
        return include.isEmpty() ? ""
                : " LEFT JOIN message_contents c ON c.account_id = m.account_id AND c.email_id = m.email_id";
    }

    public RowMapper<MessageMetadata> mapper(Set<MessagePart> include) {
        boolean envelope = include.contains(MessagePart.ENVELOPE);
        boolean structure = include.contains(MessagePart.STRUCTURE);
        boolean headers = include.contains(MessagePart.HEADERS);
        return (rs, row) -> new MessageMetadata(rs.getLong("mailbox_id"), rs.getLong("uid"), rs.getLong("modseq"),
                rs.getLong("email_id"), rs.getLong("thread_id"),
                MessageFlags.all(rs.getInt("flags"), keywords(rs)), instant(rs, "internal_date"),
                instant(rs, "save_date"), rs.getLong("size"), rs.getLong("header_size"), rs.getLong("body_lines"),
                rs.getString("media_type"), rs.getString("sub_type"), (Long) rs.getObject("text_lines"),
                envelope ? read(rs.getString("envelope"), Envelope.class) : null,
                structure ? read(rs.getString("structure"), BodyStructure.class) : null,
                headers ? rs.getBytes("header") : null);
    }

    public String write(Object value) {
        return value == null ? null : json.writeValueAsString(value);
    }

    static String[] keywords(ResultSet rs) throws SQLException {
        Array array = rs.getArray("keywords");
        return array == null ? new String[0] : (String[]) array.getArray();
    }

    static java.time.Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp timestamp = rs.getTimestamp(column);
        return timestamp == null ? null : timestamp.toInstant();
    }

    private <T> T read(String value, Class<T> type) {
        return value == null ? null : json.readValue(value, type);
    }
}
