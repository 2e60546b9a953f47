package io.mailroom.imap.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.model.ComposedMessageId;
import org.apache.james.mailbox.model.ComposedMessageIdWithMetaData;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageAttachmentMetadata;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.mail.model.impl.Properties;
import org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder;

import io.mailroom.mailbox.client.store.BodyStructure;
import io.mailroom.mailbox.client.store.MailboxStoreClient;
import io.mailroom.mailbox.client.store.MessageMetadata;

/**
 * One message of a mailbox as James's store sees it, backed by the metadata mailbox-api answered for the whole FETCH
 * range in one call. The bytes are read only when a command needs them: the header block comes with the metadata
 * when it was asked for (ENVELOPE, BODY[HEADER…]), the body is streamed from mailbox-api on demand (BODY[], BODY[TEXT]).
 */
final class ApiMailboxMessage implements MailboxMessage {

    private final MailboxStoreClient client;
    private final String account;
    private final MessageMetadata metadata;
    private final MailboxId mailboxId;
    private MessageUid uid;
    private ModSeq modSeq;
    private Flags flags;
    private Optional<Date> saveDate;

    ApiMailboxMessage(MailboxStoreClient client, String account, MessageMetadata metadata) {
        this(client, account, metadata, ApiMailboxId.of(metadata.mailboxId()));
    }

    private ApiMailboxMessage(MailboxStoreClient client, String account, MessageMetadata metadata, MailboxId mailboxId) {
        this.client = client;
        this.account = account;
        this.metadata = metadata;
        this.mailboxId = mailboxId;
        this.uid = MessageUid.of(metadata.uid());
        this.modSeq = ModSeq.of(metadata.modSeq());
        this.flags = ImapFlags.toJames(metadata);
        this.saveDate = Optional.ofNullable(metadata.saveDate()).map(Date::from);
    }

    MessageMetadata apiMetadata() {
        return metadata;
    }

    @Override
    public ThreadId getThreadId() {
        return ThreadId.fromBaseMessageId(new ApiMessageId(metadata.threadId()));
    }

    @Override
    public ComposedMessageIdWithMetaData getComposedMessageIdWithMetaData() {
        return new ComposedMessageIdWithMetaData(new ComposedMessageId(mailboxId, getMessageId(), uid), createFlags(),
                modSeq, getThreadId());
    }

    @Override
    public MailboxId getMailboxId() {
        return mailboxId;
    }

    @Override
    public MessageUid getUid() {
        return uid;
    }

    @Override
    public void setUid(MessageUid uid) {
        this.uid = uid;
    }

    @Override
    public void setModSeq(ModSeq modSeq) {
        this.modSeq = modSeq;
    }

    @Override
    public ModSeq getModSeq() {
        return modSeq;
    }

    @Override
    public boolean isAnswered() {
        return flags.contains(Flags.Flag.ANSWERED);
    }

    @Override
    public boolean isDeleted() {
        return flags.contains(Flags.Flag.DELETED);
    }

    @Override
    public boolean isDraft() {
        return flags.contains(Flags.Flag.DRAFT);
    }

    @Override
    public boolean isFlagged() {
        return flags.contains(Flags.Flag.FLAGGED);
    }

    @Override
    public boolean isRecent() {
        return flags.contains(Flags.Flag.RECENT);
    }

    @Override
    public boolean isSeen() {
        return flags.contains(Flags.Flag.SEEN);
    }

    @Override
    public synchronized void setFlags(Flags flags) {
        this.flags = new Flags(flags);
    }

    @Override
    public synchronized Flags createFlags() {
        return new Flags(flags);
    }

    @Override
    public void setSaveDate(Date saveDate) {
        this.saveDate = Optional.ofNullable(saveDate);
    }

    @Override
    public Optional<Date> getSaveDate() {
        return saveDate;
    }

    @Override
    public MailboxMessage copy(Mailbox mailbox) {
        return new ApiMailboxMessage(client, account, metadata, mailbox.getMailboxId());
    }

    @Override
    public MessageId getMessageId() {
        return new ApiMessageId(metadata.emailId());
    }

    @Override
    public Date getInternalDate() {
        return Date.from(metadata.internalDate());
    }

    @Override
    public InputStream getBodyContent() throws IOException {
        return open(metadata.headerOctets(), metadata.bodyOctets());
    }

    @Override
    public String getMediaType() {
        return metadata.mediaType();
    }

    @Override
    public String getSubType() {
        return metadata.subType();
    }

    @Override
    public long getBodyOctets() {
        return metadata.bodyOctets();
    }

    @Override
    public long getFullContentOctets() {
        return metadata.size();
    }

    @Override
    public long getHeaderOctets() {
        return metadata.headerOctets();
    }

    @Override
    public Long getTextualLineCount() {
        return metadata.textLines();
    }

    @Override
    public InputStream getHeaderContent() throws IOException {
        if (metadata.header() != null) {
            return new ByteArrayInputStream(metadata.header());
        }
        return open(0, metadata.headerOctets());
    }

    @Override
    public InputStream getFullContent() throws IOException {
        try {
            return client.openMessage(account, metadata.mailboxId(), metadata.uid());
        } catch (RuntimeException e) {
            throw new IOException("cannot read message " + metadata.uid() + ": " + e.getMessage(), e);
        }
    }

    private InputStream open(long offset, long length) throws IOException {
        try {
            return client.openMessage(account, metadata.mailboxId(), metadata.uid(), offset, length);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (RuntimeException e) {
            throw new IOException("cannot read message " + metadata.uid() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Properties getProperties() {
        PropertyBuilder builder = new PropertyBuilder();
        builder.setMediaType(metadata.mediaType());
        builder.setSubType(metadata.subType());
        builder.setTextualLineCount(metadata.textLines());
        BodyStructure root = metadata.structure();
        if (root == null) {
            builder.setContentTransferEncoding("7bit");
        }
        if (root != null) {
            builder.setContentTypeParameters(root.parameters());
            builder.setContentID(root.id());
            builder.setContentDescription(root.description());
            // RFC 2045 §6.1: no Content-Transfer-Encoding means 7bit, which is what BODYSTRUCTURE says then
            builder.setContentTransferEncoding(root.encoding() == null ? "7bit" : root.encoding());
            builder.setContentMD5(root.md5());
            builder.setContentDispositionType(root.disposition());
            builder.setContentDispositionParameters(root.dispositionParameters());
            if (!root.languages().isEmpty()) {
                builder.setContentLanguage(root.languages());
            }
            builder.setContentLocation(root.location());
        }
        return builder.build();
    }

    @Override
    public List<MessageAttachmentMetadata> getAttachments() {
        return List.of();
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(mailboxId, uid);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ApiMailboxMessage that && that.mailboxId.equals(mailboxId) && that.uid.equals(uid);
    }

    @Override
    public String toString() {
        return "ApiMailboxMessage[mailbox=" + mailboxId + ", uid=" + uid + "]";
    }
}
