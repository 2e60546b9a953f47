package io.mailroom.mailbox.message;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.dom.address.AddressList;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.dom.address.MailboxList;
import org.apache.james.mime4j.field.address.LenientAddressParser;
import org.springframework.stereotype.Component;

/**
 * Reads the facts Mailroom keeps about a message from its raw bytes, leniently: mail in the wild is often
 * malformed, and a message must be filed whatever its headers look like. Header values are taken as UTF-8
 * (RFC 6532) when they are valid UTF-8 and as ISO-8859-1 otherwise; encoded words (RFC 2047) are decoded by mime4j.
 */
@Component
public class MessageParser {

    static final int MAX_TEXT = 1000;

    public ParsedMessage parse(byte[] content) {
        int headerSize = headerSize(content);
        Map<String, String> headers = headers(decode(content, headerSize));
        String subject = headers.containsKey("subject") ? decodeWords(headers.get("subject")) : null;
        String fromAddress = null;
        String fromName = null;
        if (headers.containsKey("from")) {
            Mailbox from = firstMailbox(headers.get("from"));
            if (from != null) {
                fromAddress = truncate(from.getAddress());
                fromName = from.getName() == null || from.getName().isBlank() ? null : decodeWords(from.getName());
            }
        }
        String messageId = headers.containsKey("message-id") ? truncate(headers.get("message-id").strip()) : null;
        return new ParsedMessage(headerSize, bodyLines(content, headerSize), subject, fromAddress, fromName,
                messageId == null || messageId.isEmpty() ? null : messageId);
    }

    /** The offset just past the blank line that ends the header block (CRLF CRLF, or bare LF LF); all of it if none. */
    static int headerSize(byte[] content) {
        if (content.length > 0 && content[0] == '\n') {
            return 1;
        }
        if (content.length > 1 && content[0] == '\r' && content[1] == '\n') {
            return 2;
        }
        for (int i = 0; i < content.length - 1; i++) {
            if (content[i] == '\n') {
                if (content[i + 1] == '\n') {
                    return i + 2;
                }
                if (content[i + 1] == '\r' && i + 2 < content.length && content[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return content.length;
    }

    static int bodyLines(byte[] content, int headerSize) {
        int lines = 0;
        for (int i = headerSize; i < content.length; i++) {
            if (content[i] == '\n') {
                lines++;
            }
        }
        if (content.length > headerSize && content[content.length - 1] != '\n') {
            lines++; // a last line without a line break still counts
        }
        return lines;
    }

    private static String decode(byte[] content, int length) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            return new String(content, 0, length, StandardCharsets.ISO_8859_1);
        }
    }

    /** Unfolded header fields, by lower-case name; the first occurrence of a name wins. */
    private static Map<String, String> headers(String block) {
        Map<String, String> fields = new LinkedHashMap<>();
        String name = null;
        StringBuilder value = new StringBuilder();
        for (String line : block.split("\r?\n", -1)) {
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                if (name != null) {
                    value.append(line); // unfolding (RFC 5322 §2.2.3) removes only the line break
                }
                continue;
            }
            if (name != null) {
                fields.putIfAbsent(name, value.toString().strip());
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                name = null;
                continue;
            }
            name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            value.setLength(0);
            value.append(line, colon + 1, line.length());
        }
        if (name != null) {
            fields.putIfAbsent(name, value.toString().strip());
        }
        return fields;
    }

    private static Mailbox firstMailbox(String value) {
        try {
            AddressList addresses = LenientAddressParser.DEFAULT.parseAddressList(value);
            MailboxList mailboxes = addresses.flatten();
            return mailboxes.isEmpty() ? null : mailboxes.get(0);
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    private static String decodeWords(String value) {
        try {
            return truncate(DecoderUtil.decodeEncodedWords(value, DecodeMonitor.SILENT));
        } catch (RuntimeException malformed) {
            return truncate(value);
        }
    }

    private static String truncate(String value) {
        if (value == null) {
            return null;
        }
        // PostgreSQL text cannot hold NUL
        String clean = value.replace("\u0000", "");
        return clean.length() <= MAX_TEXT ? clean : clean.substring(0, MAX_TEXT);
    }
}
