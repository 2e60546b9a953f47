package io.mailroom.mailbox.client.store;

import java.util.List;
import java.util.Map;

/**
 * One MIME entity of a message, as IMAP BODYSTRUCTURE describes it (RFC 9051 §7.5.2), computed once at filing. The
 * root describes the message itself; its fields are also what James's store keeps as a message's "properties"
 * ({@code PropertyBuilder}: media type, subtype, Content-Type parameters, Content-ID, -Description,
 * -Transfer-Encoding, -MD5, -Disposition and its parameters, -Language, -Location, textual line count).
 *
 * @param mediaType            {@code text}, {@code multipart}, … in lower case; {@code text} when there is no
 *                             Content-Type
 * @param subType              {@code plain}, {@code mixed}, … in lower case
 * @param parameters           Content-Type parameters, names in lower case ({@code charset} is {@code us-ascii} for
 *                             text without one, as RFC 2045 §5.2 says)
 * @param id                   Content-ID, or null
 * @param description          Content-Description, or null
 * @param encoding             Content-Transfer-Encoding as written, or null (IMAP then says {@code 7BIT})
 * @param bodyOctets           size of this entity's body in bytes, as transferred
 * @param lines                for {@code text/*} and {@code message/rfc822}: line breaks in the body (the one before a
 *                             MIME boundary belongs to the boundary, as James counts them); null otherwise
 * @param md5                  Content-MD5, or null
 * @param disposition          Content-Disposition's type, or null
 * @param dispositionParameters its parameters, names in lower case
 * @param languages            Content-Language values
 * @param location             Content-Location, or null
 * @param parts                for {@code multipart/*}: the parts, in order; empty otherwise
 * @param envelope             for {@code message/rfc822}: the embedded message's envelope; null otherwise
 * @param message              for {@code message/rfc822}: the embedded message's structure; null otherwise
 */
public record BodyStructure(String mediaType, String subType, Map<String, String> parameters, String id,
                            String description, String encoding, long bodyOctets, Long lines, String md5,
                            String disposition, Map<String, String> dispositionParameters, List<String> languages,
                            String location, List<BodyStructure> parts, Envelope envelope, BodyStructure message) {

    public BodyStructure {
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        dispositionParameters = dispositionParameters == null ? Map.of() : Map.copyOf(dispositionParameters);
        languages = languages == null ? List.of() : List.copyOf(languages);
        parts = parts == null ? List.of() : List.copyOf(parts);
    }
}
