package io.mailroom.mailbox.message;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One message in one mailbox. The raw bytes are in the blob store under {@code blobSha256}; the columns hold what
 * IMAP and the tools ask for often. Keyed in the database by (account_id, id), like every table of account data.
 */
@Entity
@Table(name = "messages")
public class Message {

    @Column(name = "account_id", nullable = false, updatable = false)
    private long accountId;

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "mailbox_id", nullable = false)
    private long mailboxId;

    @Column(nullable = false)
    private long uid;

    @Column(nullable = false)
    private long modseq;

    @Column(name = "blob_sha256", nullable = false, updatable = false)
    private String blobSha256;

    @Column(nullable = false, updatable = false)
    private long size;

    @Column(name = "internal_date", nullable = false)
    private Instant internalDate;

    @Column(name = "save_date", nullable = false)
    private Instant saveDate;

    @Column(nullable = false)
    private short flags;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(nullable = false, columnDefinition = "text[]")
    private String[] keywords;

    @Column(name = "header_size", nullable = false, updatable = false)
    private int headerSize;

    @Column(name = "body_lines", nullable = false, updatable = false)
    private int bodyLines;

    private String subject;

    @Column(name = "from_address")
    private String fromAddress;

    @Column(name = "from_name")
    private String fromName;

    @Column(name = "message_id_header")
    private String messageIdHeader;

    protected Message() {
    }

    public Message(long accountId, long mailboxId, long uid, long modseq, String blobSha256, long size,
                   Instant internalDate, ParsedMessage parsed) {
        this.accountId = accountId;
        this.mailboxId = mailboxId;
        this.uid = uid;
        this.modseq = modseq;
        this.blobSha256 = blobSha256;
        this.size = size;
        this.internalDate = internalDate;
        this.saveDate = internalDate;
        this.flags = 0;
        this.keywords = new String[0];
        this.headerSize = parsed.headerSize();
        this.bodyLines = parsed.bodyLines();
        this.subject = parsed.subject();
        this.fromAddress = parsed.fromAddress();
        this.fromName = parsed.fromName();
        this.messageIdHeader = parsed.messageId();
    }

    public long accountId() {
        return accountId;
    }

    public Long id() {
        return id;
    }

    public long mailboxId() {
        return mailboxId;
    }

    public long uid() {
        return uid;
    }

    public long modseq() {
        return modseq;
    }

    public String blobSha256() {
        return blobSha256;
    }

    public long size() {
        return size;
    }

    public Instant internalDate() {
        return internalDate;
    }

    public Instant saveDate() {
        return saveDate;
    }

    public int flags() {
        return flags;
    }

    public String[] keywords() {
        return keywords.clone();
    }

    public int headerSize() {
        return headerSize;
    }

    public int bodyLines() {
        return bodyLines;
    }

    public String subject() {
        return subject;
    }

    public String fromAddress() {
        return fromAddress;
    }

    public String fromName() {
        return fromName;
    }

    public String messageIdHeader() {
        return messageIdHeader;
    }
}
