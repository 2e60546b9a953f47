package io.mailroom.mailbox.message;

import java.util.List;
import java.util.Optional;

import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;

public interface MessageRepository extends JpaRepository<Message, Long> {

    List<Message> findByAccountIdAndMailboxIdAndUidGreaterThanOrderByUid(long accountId, long mailboxId, long uid, Limit limit);

    Optional<Message> findByAccountIdAndMailboxIdAndId(long accountId, long mailboxId, long id);

    Optional<Message> findByAccountIdAndMailboxIdAndUid(long accountId, long mailboxId, long uid);
}
