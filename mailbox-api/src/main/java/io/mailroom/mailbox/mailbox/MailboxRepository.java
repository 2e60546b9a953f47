package io.mailroom.mailbox.mailbox;

import java.util.Optional;

import org.springframework.data.jpa.repository.JpaRepository;

public interface MailboxRepository extends JpaRepository<Mailbox, Long> {

    Optional<Mailbox> findByAccountIdAndRole(long accountId, MailboxRole role);

    Optional<Mailbox> findByAccountIdAndId(long accountId, long id);
}
