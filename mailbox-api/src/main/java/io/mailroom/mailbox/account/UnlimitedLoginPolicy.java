package io.mailroom.mailbox.account;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** No throttling yet: logs failures so that guessing is at least visible. */
@Component
class UnlimitedLoginPolicy implements LoginPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(UnlimitedLoginPolicy.class);

    @Override
    public void beforeAttempt(String username, String protocol, String remoteIp) {
    }

    @Override
    public void onSuccess(String username, String protocol, String remoteIp) {
    }

    @Override
    public void onFailure(String username, String protocol, String remoteIp) {
        LOG.info("Authentication failed for {} over {} from {}", username, protocol, remoteIp);
    }
}
