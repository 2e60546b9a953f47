package io.mailroom.mailbox.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class MessageParserTest {

    private final MessageParser parser = new MessageParser();

    @Test
    void readsTheHeaderFacts() {
        ParsedMessage parsed = parse("""
                Received: from mx.example.org\r
                From: "Doe, Jane" <Jane.Doe@Example.org>, other@example.org\r
                Subject: Meeting\r
                  tomorrow\r
                Message-ID:\r
                 <abc@example.org>\r
                Subject: a second subject is ignored\r
                \r
                line 1\r
                line 2\r
                """);

        assertThat(parsed.subject()).isEqualTo("Meeting  tomorrow");
        assertThat(parsed.fromAddress()).isEqualTo("Jane.Doe@Example.org");
        assertThat(parsed.fromName()).isEqualTo("Doe, Jane");
        assertThat(parsed.messageId()).isEqualTo("<abc@example.org>");
        assertThat(parsed.bodyLines()).isEqualTo(2);
    }

    @Test
    void decodesEncodedWordsAndRawUtf8() {
        ParsedMessage encoded = parse("Subject: =?UTF-8?Q?Caf=C3=A9?= =?UTF-8?B?w6AgbGE=?= carte\r\nFrom: =?UTF-8?B?SsO2cmc=?= <j@example.org>\r\n\r\n");
        ParsedMessage raw = parse("Subject: Grüße\r\n\r\nbody");

        assertThat(encoded.subject()).isEqualTo("Caféà la carte");
        assertThat(encoded.fromName()).isEqualTo("Jörg");
        assertThat(raw.subject()).isEqualTo("Grüße");
    }

    @Test
    void fallsBackToLatin1ForHeadersThatAreNotUtf8() {
        byte[] latin1 = "Subject: caf\u00e9\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

        assertThat(parser.parse(latin1).subject()).isEqualTo("café");
    }

    @Test
    void measuresTheHeaderBlockWithItsBlankLine() {
        assertThat(MessageParser.headerSize(bytes("A: b\r\n\r\nbody"))).isEqualTo(8);
        assertThat(MessageParser.headerSize(bytes("A: b\n\nbody"))).isEqualTo(6);
        assertThat(MessageParser.headerSize(bytes("A: b\r\nC: d\r\n"))).as("no body at all").isEqualTo(12);
        assertThat(MessageParser.headerSize(bytes("\r\nbody only"))).isEqualTo(2);
    }

    @Test
    void countsBodyLinesLikeImap() {
        byte[] message = bytes("A: b\r\n\r\none\r\ntwo\r\nthree without break");

        assertThat(MessageParser.bodyLines(message, MessageParser.headerSize(message))).isEqualTo(3);
        assertThat(MessageParser.bodyLines(bytes("A: b\r\n\r\n"), 8)).isZero();
    }

    @Test
    void survivesGarbage() {
        ParsedMessage parsed = parse("this is not a header\r\nFrom: <<<@@@>>>\r\nSubject: \u0000nul\r\n\r\n");

        assertThat(parsed.subject()).isEqualTo("nul");
        assertThat(parsed.messageId()).isNull();
        assertThat(parser.parse(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1}).subject()).isNull();
    }

    @Test
    void capsLongValues() {
        ParsedMessage parsed = parse("Subject: " + "x".repeat(5000) + "\r\n\r\n");

        assertThat(parsed.subject()).hasSize(MessageParser.MAX_TEXT);
    }

    private ParsedMessage parse(String message) {
        return parser.parse(bytes(message));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsTheMimeTreeOfAMultipartMessage() {
        ParsedMessage parsed = parse("""
                From: a@example.org
                Content-Type: multipart/mixed; boundary=XX
                
                preamble
                --XX
                Content-Type: text/plain; charset=utf-8
                
                line one
                line two
                --XX
                Content-Type: message/rfc822
                
                Subject: inner
                From: b@example.org
                
                inner body
                --XX--
                """);

        assertThat(parsed.mediaType()).isEqualTo("multipart");
        assertThat(parsed.structure().parts()).hasSize(2);
        assertThat(parsed.structure().parts().get(0).lines()).as("line breaks, as James counts them: the last one belongs to the boundary").isEqualTo(1);
        assertThat(parsed.structure().parts().get(1).envelope().subject()).isEqualTo("inner");
        assertThat(parsed.structure().parts().get(1).message().mediaType()).isEqualTo("text");
        assertThat(parsed.bodyText()).contains("line one").contains("inner body");
        assertThat(parsed.textLines()).isNull();
    }

    @Test
    void aSinglePartTextMessageCountsItsLines() {
        ParsedMessage parsed = parse("Subject: x\r\nDate: Mon, 5 Jan 2026 10:00:00 +0100 (CET)\r\n\r\none\r\ntwo\r\n");

        assertThat(parsed.mediaType()).isEqualTo("text");
        assertThat(parsed.subType()).isEqualTo("plain");
        assertThat(parsed.textLines()).isEqualTo(2);
        assertThat(parsed.structure().parameters()).containsEntry("charset", "us-ascii");
        assertThat(parsed.sentDate()).isEqualTo(java.time.Instant.parse("2026-01-05T09:00:00Z"));
        assertThat(parsed.hasAttachment()).isFalse();
    }

    /** The hand-written reader of the usual Date shape gives the RFC 1123 formatter's answer, or leaves it to it. */
    @Test
    void readsCommonDatesAsTheRfc1123FormatterDoes() {
        java.util.Random random = new java.util.Random(7);
        String[] months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "nov", "FEB", "Foo"};
        String[] days = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "sun", "Xyz"};
        String[] offsets = {"+0000", "-0000", "+0100", "-0800", "+0530", "+1759", "+1800", "+1900", "+0060", "GMT", "gmt",
                "UT", "Z", "+01:00", "EST", "+100"};
        int handled = 0;
        int total = 20_000;
        for (int k = 0; k < total; k++) {
            StringBuilder date = new StringBuilder();
            if (random.nextInt(3) > 0) {
                date.append(days[random.nextInt(days.length)]).append(random.nextInt(20) == 0 ? "," : ", ");
            }
            int day = random.nextInt(33);
            date.append(random.nextInt(5) == 0 && day < 10 ? "0" + day : String.valueOf(day)).append(' ')
                    .append(months[random.nextInt(months.length)]).append(' ')
                    .append(random.nextInt(30) == 0 ? String.valueOf(random.nextInt(100)) : String.valueOf(1990 + random.nextInt(50)))
                    .append(' ').append(String.format("%02d:%02d", random.nextInt(26), random.nextInt(62)));
            if (random.nextBoolean()) {
                date.append(String.format(":%02d", random.nextInt(62)));
            }
            date.append(' ').append(offsets[random.nextInt(offsets.length)]);
            String value = date.toString();
            java.time.Instant expected;
            try {
                expected = java.time.ZonedDateTime.parse(value, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                expected = null;
            }
            java.time.Instant common = MessageParser.commonDate(value);
            if (common != null) {
                handled++;
                assertThat(common).as(value).isEqualTo(expected);
            }
            assertThat(MessageParser.sentDate(value)).as(value).isEqualTo(expected);
        }
        // the usual shape is read by hand: a good share of these (about a fifth are valid and usual)
        assertThat(handled).isGreaterThan(total / 20);
        assertThat(MessageParser.commonDate("Fri, 27 Nov 2026 17:23:52 +0000")).isEqualTo(java.time.Instant.parse("2026-11-27T17:23:52Z"));
        assertThat(MessageParser.commonDate("Sat, 27 Nov 2026 17:23:52 +0000")).as("wrong day of the week").isNull();
        assertThat(MessageParser.sentDate("Sat, 27 Nov 2026 17:23:52 +0000")).isNull();
        assertThat(MessageParser.sentDate(" Fri,  27 Nov 2026 17:23 (comment) -0130 ")).isEqualTo(java.time.Instant.parse("2026-11-27T18:53:00Z"));
    }
}
