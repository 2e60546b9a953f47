package io.mailroom.mailbox.message;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.Base64InputStream;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;
import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.AddressList;
import org.apache.james.mime4j.dom.address.Group;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.dom.address.MailboxList;
import org.apache.james.mime4j.field.LenientFieldParser;
import org.apache.james.mime4j.field.address.LenientAddressParser;
import org.apache.james.mime4j.message.DefaultBodyDescriptorBuilder;
import org.apache.james.mime4j.message.MaximalBodyDescriptor;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;
import org.springframework.stereotype.Component;

import io.mailroom.mailbox.blob.SpooledContent;
import io.mailroom.mailbox.client.store.BodyStructure;
import io.mailroom.mailbox.client.store.Envelope;

/**
 * Reads the facts Mailroom keeps about a message from its raw bytes, leniently: mail in the wild is often malformed,
 * and a message must be filed whatever its headers look like. Header values are taken as UTF-8 (RFC 6532) when they
 * are valid UTF-8 and as ISO-8859-1 otherwise; encoded words (RFC 2047) are decoded by mime4j. The MIME tree is read
 * with mime4j's streaming parser, so a large message is parsed from its spool file without being held in memory.
 */
@Component
public class MessageParser {

    static final int MAX_TEXT = 1000;
    /** Header blocks beyond this are kept cut (BODY[HEADER] then reads the blob). */
    public static final int MAX_HEADER = 256 * 1024;
    /** Body text kept for searching, in characters. */
    public static final int MAX_BODY_TEXT = 256 * 1024;
    private static final int MAX_HEADER_TEXT = 64 * 1024;
    private static final int MAX_DEPTH = 10;
    private static final Pattern MESSAGE_ID = Pattern.compile("<[^<>\\s]{1,998}>");
    private static final Pattern COMMENT = Pattern.compile("\\([^()]*\\)");
    private static final Pattern TAG = Pattern.compile("<[^>]*>");

    public ParsedMessage parse(byte[] content) {
        return parse(SpooledContent.of(content));
    }

    public ParsedMessage parse(SpooledContent content) {
        Scan scan;
        try (InputStream in = content.open()) {
            scan = Scan.of(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] header = content.prefix((int) Math.min(scan.headerSize, MAX_HEADER));
        Map<String, String> headers = headers(decode(header, header.length));
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

        Structure structure;
        try (InputStream in = content.open()) {
            structure = new Structure();
            structure.root = structure.message(in, 0).structure();
            if (structure.root == null) {
                throw new IllegalStateException("no entity");
            }
        } catch (IOException | MimeException | RuntimeException e) {
            // a message mime4j cannot walk is still filed: as one text/plain entity
            structure = new Structure();
            structure.root = new BodyStructure("text", "plain", Map.of("charset", "us-ascii"), null, null, null,
                    content.size() - scan.headerSize, (long) scan.bodyNewlines, null, null, null, null, null, null,
                    null, null);
        }
        BodyStructure root = structure.root;
        boolean text = "text".equals(root.mediaType());
        List<String> references = new ArrayList<>();
        for (String name : List.of("in-reply-to", "references")) {
            if (headers.containsKey(name)) {
                Matcher ids = MESSAGE_ID.matcher(headers.get(name));
                while (ids.find() && references.size() < 100) {
                    references.add(ids.group());
                }
            }
        }
        return new ParsedMessage((int) scan.headerSize, (int) scan.bodyLines(), subject, fromAddress, fromName,
                messageId == null || messageId.isEmpty() ? null : messageId, header, headerText(headers, header),
                clean(structure.bodyText.toString()), envelope(headers), root, root.mediaType(), root.subType(),
                text ? Long.valueOf(scan.bodyNewlines) : null, sentDate(headers.get("date")), structure.attachment,
                references);
    }

    /** The offset just past the blank line that ends the header block (CRLF CRLF, or bare LF LF); all of it if none. */
    static int headerSize(byte[] content) {
        try {
            return (int) Scan.of(new ByteArrayInputStream(content)).headerSize;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    /** One pass over the raw bytes: where the header ends and how many lines the body has. */
    private static final class Scan {
        long headerSize = -1;
        long size;
        long bodyNewlines;
        int last = -1;

        static Scan of(InputStream in) throws IOException {
            Scan scan = new Scan();
            byte[] buffer = new byte[64 * 1024];
            // the header ends at the first empty line: LF LF, LF CR LF, or an empty first line
            int state = 1; // 1: at the start of a line; 2: after CR at the start of a line; 0: inside a line
            int n;
            while ((n = in.read(buffer)) >= 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    scan.size++;
                    if (scan.headerSize < 0) {
                        if (b == '\n') {
                            if (state != 0) {
                                scan.headerSize = scan.size;
                            }
                            state = 1;
                        } else if (b == '\r' && state == 1) {
                            state = 2;
                        } else {
                            state = 0;
                        }
                    } else if (b == '\n') {
                        scan.bodyNewlines++;
                    }
                    scan.last = b;
                }
            }
            if (scan.headerSize < 0) {
                scan.headerSize = scan.size;
            }
            return scan;
        }

        long bodyLines() {
            return bodyNewlines + (size > headerSize && last != '\n' ? 1 : 0);
        }
    }

    /** Walks the MIME tree, collecting each entity's description, the searchable text and whether it has attachments. */
    private final class Structure {
        BodyStructure root;
        final StringBuilder bodyText = new StringBuilder();
        boolean attachment;

        /** A message's MIME tree and its own (top-level) header fields, unfolded, by lower-case name. */
        record Walked(BodyStructure structure, Map<String, String> fields) {
        }

        Walked message(InputStream in, int depth) throws IOException, MimeException {
            MimeConfig config = new MimeConfig.Builder().setMaxLineLen(-1).setMaxHeaderLen(-1).setMaxHeaderCount(-1)
                    .setMaxContentLen(-1).build();
            MimeTokenStream parser = new MimeTokenStream(config,
                    new DefaultBodyDescriptorBuilder(null, LenientFieldParser.getParser(), DecodeMonitor.SILENT));
            parser.setRecursionMode(RecursionMode.M_NO_RECURSE);
            parser.parse(in);
            List<Entity> stack = new ArrayList<>();
            BodyStructure result = null;
            Map<String, String> top = new LinkedHashMap<>();
            for (EntityState state = parser.getState(); state != EntityState.T_END_OF_STREAM; state = parser.next()) {
                switch (state) {
                    case T_START_MESSAGE, T_START_BODYPART -> stack.add(new Entity());
                    case T_FIELD -> stack.getLast().fields.add(parser.getField());
                    case T_START_MULTIPART -> stack.getLast().descriptor = (MaximalBodyDescriptor) parser.getBodyDescriptor();
                    case T_BODY -> {
                        stack.getLast().descriptor = (MaximalBodyDescriptor) parser.getBodyDescriptor();
                        leaf(stack.getLast(), parser, depth);
                    }
                    case T_END_MESSAGE, T_END_BODYPART -> {
                        Entity entity = stack.removeLast();
                        BodyStructure done = entity.build(!stack.isEmpty() || depth > 0);
                        if (stack.isEmpty()) {
                            for (Field field : entity.fields) {
                                top.putIfAbsent(field.getName().toLowerCase(Locale.ROOT), unfold(field.getBody()));
                            }
                            result = done;
                        } else {
                            stack.getLast().parts.add(done);
                        }
                    }
                    default -> {
                    }
                }
            }
            return new Walked(result, top);
        }

        private void leaf(Entity entity, MimeTokenStream parser, int depth) throws IOException, MimeException {
            MaximalBodyDescriptor d = entity.descriptor;
            Counting raw = new Counting(parser.getInputStream());
            if ("message".equalsIgnoreCase(d.getMediaType()) && "rfc822".equalsIgnoreCase(d.getSubType()) && depth < MAX_DEPTH) {
                Walked embedded = message(raw, depth + 1);
                entity.message = embedded.structure();
                entity.envelope = envelope(embedded.fields());
            } else if ("text".equalsIgnoreCase(d.getMediaType()) && bodyText.length() < MAX_BODY_TEXT) {
                byte[] kept = raw.readNBytes(MAX_BODY_TEXT * 2);
                appendText(kept, d);
            }
            raw.transferTo(OutputStreamNull.INSTANCE);
            entity.octets = raw.count;
            entity.lines = raw.newlines;
        }

        private void appendText(byte[] kept, MaximalBodyDescriptor d) throws IOException {
            InputStream decoded = new ByteArrayInputStream(kept);
            String encoding = d.getTransferEncoding() == null ? "" : d.getTransferEncoding().toLowerCase(Locale.ROOT);
            if (encoding.equals("quoted-printable")) {
                decoded = new QuotedPrintableInputStream(decoded, DecodeMonitor.SILENT);
            } else if (encoding.equals("base64")) {
                decoded = new Base64InputStream(decoded, DecodeMonitor.SILENT);
            }
            String text = new String(decoded.readAllBytes(), charset(d.getCharset()));
            if ("html".equalsIgnoreCase(d.getSubType())) {
                text = TAG.matcher(text).replaceAll(" ");
            }
            if (!bodyText.isEmpty()) {
                bodyText.append('\n');
            }
            bodyText.append(text, 0, Math.min(text.length(), MAX_BODY_TEXT - bodyText.length()));
        }

        /** One MIME entity while it is being read. */
        private final class Entity {
            final List<Field> fields = new ArrayList<>();
            final List<BodyStructure> parts = new ArrayList<>();
            MaximalBodyDescriptor descriptor;
            BodyStructure message;
            Envelope envelope;
            long octets;
            Long lines;

            BodyStructure build(boolean nested) {
                MaximalBodyDescriptor d = descriptor;
                String mediaType = lower(d.getMediaType(), "text");
                String subType = lower(d.getSubType(), "plain");
                Map<String, String> parameters = new LinkedHashMap<>();
                d.getContentTypeParameters().forEach((name, value) -> parameters.put(name.toLowerCase(Locale.ROOT), value));
                if (mediaType.equals("text") && !parameters.containsKey("charset")) {
                    parameters.put("charset", "us-ascii"); // RFC 2045 §5.2
                }
                Map<String, String> disposition = new LinkedHashMap<>();
                d.getContentDispositionParameters().forEach((name, value) -> disposition.put(name.toLowerCase(Locale.ROOT), value));
                boolean leaf = !mediaType.equals("multipart");
                boolean named = disposition.containsKey("filename") || parameters.containsKey("name");
                if (nested && leaf && ("attachment".equalsIgnoreCase(d.getContentDispositionType())
                        || named && !mediaType.equals("text"))) {
                    attachment = true;
                }
                boolean counted = mediaType.equals("text") || mediaType.equals("message") && subType.equals("rfc822");
                return new BodyStructure(mediaType, subType, parameters, d.getContentId(), d.getContentDescription(),
                        d.getTransferEncoding() == null || isDefault(d) ? null : d.getTransferEncoding(), octets,
                        counted && leaf ? lines : null, d.getContentMD5Raw(), lower(d.getContentDispositionType(), null),
                        disposition, d.getContentLanguage(), d.getContentLocation(), parts, envelope, message);
            }

            private boolean isDefault(MaximalBodyDescriptor d) {
                return fields.stream().noneMatch(f -> f.getName().equalsIgnoreCase("content-transfer-encoding"));
            }
        }
    }

    private static String lower(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.toLowerCase(Locale.ROOT);
    }

    private static Charset charset(String name) {
        try {
            return name == null ? StandardCharsets.US_ASCII : Charset.forName(name);
        } catch (RuntimeException unknown) {
            return StandardCharsets.ISO_8859_1;
        }
    }

    /** Counts bytes and line feeds as they are read. */
    private static final class Counting extends FilterInputStream {
        long count;
        long newlines;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
                if (b == '\n') {
                    newlines++;
                }
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            for (int i = 0; i < n; i++) {
                if (buffer[offset + i] == '\n') {
                    newlines++;
                }
            }
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    private static final class OutputStreamNull extends java.io.OutputStream {
        static final OutputStreamNull INSTANCE = new OutputStreamNull();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }

    private static Envelope envelope(Map<String, String> headers) {
        return new Envelope(raw(headers.get("date")), raw(headers.get("subject")), addresses(headers.get("from")),
                addresses(headers.getOrDefault("sender", headers.get("from"))),
                addresses(headers.getOrDefault("reply-to", headers.get("from"))), addresses(headers.get("to")),
                addresses(headers.get("cc")), addresses(headers.get("bcc")), raw(headers.get("in-reply-to")),
                raw(headers.get("message-id")));
    }

    private static String raw(String value) {
        return value == null || value.isBlank() ? null : truncate(value.strip());
    }

    private static List<Envelope.Address> addresses(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        List<Envelope.Address> result = new ArrayList<>();
        try {
            for (Address address : LenientAddressParser.DEFAULT.parseAddressList(value)) {
                if (address instanceof Group group) {
                    result.add(new Envelope.Address(null, truncate(group.getName()), null));
                    for (Mailbox member : group.getMailboxes()) {
                        result.add(address(member));
                    }
                    result.add(new Envelope.Address(null, null, null));
                } else if (address instanceof Mailbox mailbox) {
                    result.add(address(mailbox));
                }
                if (result.size() >= 100) {
                    break;
                }
            }
        } catch (RuntimeException malformed) {
            return List.of();
        }
        return result;
    }

    private static Envelope.Address address(Mailbox mailbox) {
        String name = mailbox.getName() == null || mailbox.getName().isBlank() ? null : truncate(mailbox.getName());
        return new Envelope.Address(name, truncate(mailbox.getLocalPart()), truncate(mailbox.getDomain()));
    }

    static Instant sentDate(String value) {
        if (value == null) {
            return null;
        }
        String cleaned = plain(value) ? value : COMMENT.matcher(value).replaceAll("").strip().replaceAll("\\s+", " ");
        Instant common = commonDate(cleaned);
        if (common != null) {
            return common;
        }
        try {
            return ZonedDateTime.parse(cleaned, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Printable ASCII, no comment, no leading, trailing or repeated space: what cleaning would leave unchanged. */
    private static boolean plain(String value) {
        int n = value.length();
        if (n == 0 || value.charAt(0) == ' ' || value.charAt(n - 1) == ' ') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < ' ' || c > '~' || c == '(' || (c == ' ' && value.charAt(i - 1) == ' ')) {
                return false;
            }
        }
        return true;
    }

    private static final String[] MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    private static final String[] DAYS = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

    /**
     * The usual shape of a Date header ({@code [Fri, ]27 Nov 2026 17:23:52 +0000}, seconds optional, or {@code GMT}),
     * read without {@link DateTimeFormatter} (a few percent of a filing's CPU). Null when the value has any other
     * shape or is not a valid date (a day of the week that does not match included): the caller then asks the
     * RFC 1123 formatter, so the answers are always the formatter's.
     */
    static Instant commonDate(String s) {
        int n = s.length();
        int i = 0;
        int dayOfWeek = -1;
        if (n > 5 && s.charAt(3) == ',' && s.charAt(4) == ' ') {
            dayOfWeek = indexOf(DAYS, s, 0);
            if (dayOfWeek < 0) {
                return null;
            }
            i = 5;
        }
        int dayDigits = i + 1 < n && isDigit(s.charAt(i + 1)) ? 2 : 1;
        int day = digits(s, i, dayDigits);
        i += dayDigits;
        if (day < 0 || i + 19 > n || s.charAt(i) != ' ' || s.charAt(i + 4) != ' ') {
            return null;
        }
        int month = indexOf(MONTHS, s, i + 1);
        int year = digits(s, i + 5, 4);
        i += 9;
        if (month < 0 || year < 0 || s.charAt(i) != ' ') {
            return null;
        }
        int hour = digits(s, i + 1, 2);
        int minute = i + 3 < n && s.charAt(i + 3) == ':' ? digits(s, i + 4, 2) : -1;
        i += 6;
        int second = 0;
        if (i < n && s.charAt(i) == ':') {
            second = digits(s, i + 1, 2);
            i += 3;
        }
        if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || i >= n || s.charAt(i) != ' ') {
            return null;
        }
        i++;
        java.time.ZoneOffset offset;
        if (n - i == 3 && s.regionMatches(true, i, "GMT", 0, 3)) {
            offset = java.time.ZoneOffset.UTC;
        } else if (n - i == 5 && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            int hours = digits(s, i + 1, 2);
            int minutes = digits(s, i + 3, 2);
            if (hours < 0 || hours > 17 || minutes < 0 || minutes > 59) {
                return null;
            }
            int sign = s.charAt(i) == '-' ? -1 : 1;
            offset = java.time.ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
        } else {
            return null;
        }
        if (day < 1 || day > java.time.YearMonth.of(year, month + 1).lengthOfMonth()) {
            return null;
        }
        java.time.LocalDate date = java.time.LocalDate.of(year, month + 1, day);
        if (dayOfWeek >= 0 && date.getDayOfWeek().ordinal() != dayOfWeek) {
            return null;
        }
        return date.atTime(hour, minute, second).toInstant(offset);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The number written with exactly {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String s, int from, int count) {
        if (from < 0 || from + count > s.length()) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** The index of the three-letter name (any case) at {@code from}, or -1. */
    private static int indexOf(String[] names, String s, int from) {
        if (from + 3 > s.length()) {
            return -1;
        }
        for (int k = 0; k < names.length; k++) {
            if (s.regionMatches(true, from, names[k], 0, 3)) {
                return k;
            }
        }
        return -1;
    }

    private static String headerText(Map<String, String> first, byte[] header) {
        StringBuilder text = new StringBuilder();
        for (String line : allFields(decode(header, header.length))) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = decodeWordsUncut(line.substring(colon + 1).strip());
            text.append(name).append(": ").append(value).append('\n');
            if (text.length() > MAX_HEADER_TEXT) {
                break;
            }
        }
        return clean(text.length() > MAX_HEADER_TEXT ? text.substring(0, MAX_HEADER_TEXT) : text.toString());
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

    /** Every header field, unfolded, as {@code name:value}, in order. */
    private static List<String> allFields(String block) {
        List<String> fields = new ArrayList<>();
        StringBuilder current = null;
        for (String line : block.split("\r?\n", -1)) {
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                if (current != null) {
                    current.append(line); // unfolding (RFC 5322 §2.2.3) removes only the line break
                }
                continue;
            }
            if (current != null) {
                fields.add(current.toString());
                current = null;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                current = new StringBuilder(line);
            }
        }
        if (current != null) {
            fields.add(current.toString());
        }
        return fields;
    }

    /** Unfolded header fields, by lower-case name; the first occurrence of a name wins. */
    private static Map<String, String> headers(String block) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : allFields(block)) {
            int colon = field.indexOf(':');
            fields.putIfAbsent(field.substring(0, colon).strip().toLowerCase(Locale.ROOT), field.substring(colon + 1).strip());
        }
        return fields;
    }

    private static String unfold(String value) {
        return value == null ? null : value.replaceAll("\r?\n", "");
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
        return truncate(decodeWordsUncut(value));
    }

    private static String decodeWordsUncut(String value) {
        try {
            return DecoderUtil.decodeEncodedWords(value, DecodeMonitor.SILENT);
        } catch (RuntimeException malformed) {
            return value;
        }
    }

    /** PostgreSQL text cannot hold NUL. */
    private static String clean(String value) {
        return value.indexOf('\u0000') >= 0 ? value.replace("\u0000", "") : value;
    }

    private static String truncate(String value) {
        if (value == null) {
            return null;
        }
        String clean = clean(value);
        return clean.length() <= MAX_TEXT ? clean : clean.substring(0, MAX_TEXT);
    }
}
