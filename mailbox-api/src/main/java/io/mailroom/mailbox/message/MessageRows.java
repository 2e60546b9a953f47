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

    /** How many columns {@link #COLUMNS} selects; {@link #mapper} reads them by position. */
    static final int COLUMN_COUNT = 16;

    private static final String[] NO_KEYWORDS = new String[0];

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

    /**
     * Maps rows whose select list starts with {@link #COLUMNS} followed by {@link #columns}'s parts, in that order (any
     * further columns are ignored). Columns are read by position: by name, the driver's column look-up was a third of
     * the mapping's cost for a 500-message FETCH.
     */
    public RowMapper<MessageMetadata> mapper(Set<MessagePart> include) {
        Parts parts = new Parts(include);
        return (rs, row) -> metadata(rs,
                parts.envelope > 0 ? read(rs.getString(parts.envelope), Envelope.class) : null,
                parts.structure > 0 ? read(rs.getString(parts.structure), BodyStructure.class) : null,
                parts.headers);
    }

    /**
     * As {@link #mapper}, but the envelope and the body structure stay the JSON text PostgreSQL sends, for an answer
     * that only passes them on: parsing 500 envelopes to write them out again tripled a metadata call's CPU.
     */
    public RowMapper<StoredRow> storedMapper(Set<MessagePart> include) {
        Parts parts = new Parts(include);
        return (rs, row) -> new StoredRow(metadata(rs, null, null, parts.headers),
                parts.envelope > 0 ? rs.getString(parts.envelope) : null,
                parts.structure > 0 ? rs.getString(parts.structure) : null);
    }

    /**
     * A message's metadata with its envelope and body structure as stored (JSON text, or null when not asked for or not
     * known); {@link MetadataJson} writes it as the {@link MessageMetadata} it stands for.
     */
    public record StoredRow(MessageMetadata metadata, String envelope, String structure) {
    }

    /** The positions of the optional columns {@link #columns} adds, 0 for those not selected. */
    private static final class Parts {

        final int envelope;
        final int structure;
        final int headers;

        Parts(Set<MessagePart> include) {
            int next = COLUMN_COUNT + 1;
            envelope = include.contains(MessagePart.ENVELOPE) ? next++ : 0;
            structure = include.contains(MessagePart.STRUCTURE) ? next++ : 0;
            headers = include.contains(MessagePart.HEADERS) ? next : 0;
        }
    }

    private static MessageMetadata metadata(ResultSet rs, Envelope envelope, BodyStructure structure, int headers)
            throws SQLException {
        return new MessageMetadata(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6),
                MessageFlags.all(rs.getInt(7), keywords(rs.getArray(8))), instant(rs.getTimestamp(9)),
                instant(rs.getTimestamp(10)), rs.getLong(11), rs.getLong(12), rs.getLong(13), rs.getString(14),
                rs.getString(15), (Long) rs.getObject(16), envelope, structure, headers > 0 ? rs.getBytes(headers) : null);
    }

    public String write(Object value) {
        return value == null ? null : json.writeValueAsString(value);
    }

    static String[] keywords(ResultSet rs) throws SQLException {
        return keywords(rs.getArray("keywords"));
    }

    private static String[] keywords(Array array) throws SQLException {
        return array == null ? NO_KEYWORDS : (String[]) array.getArray();
    }

    private static java.time.Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private <T> T read(String value, Class<T> type) {
        return value == null ? null : json.readValue(value, type);
    }
}
