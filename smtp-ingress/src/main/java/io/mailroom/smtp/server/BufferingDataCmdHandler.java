package io.mailroom.smtp.server;

import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.smtp.core.DataCmdHandler;

/** James's DATA command (RFC 5321 4.1.1.4), with the message body going to a {@link MessageBuffer}. */
final class BufferingDataCmdHandler extends DataCmdHandler {

    private final MessageBuffer buffer;

    BufferingDataCmdHandler(MetricFactory metricFactory, MessageBuffer buffer) {
        super(metricFactory);
        this.buffer = buffer;
    }

    @Override
    protected MailEnvelope createEnvelope(MaybeSender sender, List<MailAddress> recipients) {
        return buffer.newEnvelope(sender, recipients);
    }
}
