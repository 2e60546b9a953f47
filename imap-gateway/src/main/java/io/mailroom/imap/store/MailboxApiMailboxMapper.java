package io.mailroom.imap.store;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.acl.ACLDiff;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxACL;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.model.search.MailboxQuery;
import org.apache.james.mailbox.store.mail.MailboxMapper;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The mailboxes of the logged-in account, as mailbox-api knows them.
 *
 * <p>For now it knows one thing: every account has an INBOX, created with the account by
 * mailbox-api (the gateway never creates mailboxes on its own, since UIDVALIDITY and UIDs are
 * assigned there). That is what James asks right after LOGIN, before it would otherwise try to
 * create one. Everything else is the store issue's work and is refused cleanly.
 */
class MailboxApiMailboxMapper implements MailboxMapper {

    private final MailboxSession session;

    MailboxApiMailboxMapper(MailboxSession session) {
        this.session = session;
    }

    @Override
    public Mono<Boolean> pathExists(MailboxPath path) {
        if (path.isInbox() && path.belongsTo(session)) {
            return Mono.just(true);
        }
        return Mono.error(notYet("pathExists"));
    }

    @Override
    public Mono<Mailbox> create(MailboxPath mailboxPath, UidValidity uidValidity) {
        return Mono.error(notYet("create"));
    }

    @Override
    public Mono<MailboxId> rename(Mailbox mailbox) {
        return Mono.error(notYet("rename"));
    }

    @Override
    public Mono<Void> delete(Mailbox mailbox) {
        return Mono.error(notYet("delete"));
    }

    @Override
    public Mono<Mailbox> findMailboxByPath(MailboxPath mailboxName) {
        return Mono.error(notYet("findMailboxByPath"));
    }

    @Override
    public Mono<Mailbox> findMailboxById(MailboxId mailboxId) {
        return Mono.error(notYet("findMailboxById"));
    }

    @Override
    public Flux<Mailbox> findNonPersonalMailboxes(Username userName, MailboxACL.Right right) {
        return Flux.error(notYet("findNonPersonalMailboxes"));
    }

    @Override
    public Flux<Mailbox> findMailboxWithPathLike(MailboxQuery.UserBound query) {
        return Flux.error(notYet("findMailboxWithPathLike"));
    }

    @Override
    public Mono<Boolean> hasChildren(Mailbox mailbox, char delimiter) {
        return Mono.error(notYet("hasChildren"));
    }

    @Override
    public Mono<ACLDiff> updateACL(Mailbox mailbox, MailboxACL.ACLCommand mailboxACLCommand) {
        return Mono.error(notYet("updateACL"));
    }

    @Override
    public Mono<ACLDiff> setACL(Mailbox mailbox, MailboxACL mailboxACL) {
        return Mono.error(notYet("setACL"));
    }

    @Override
    public Flux<Mailbox> list() {
        return Flux.error(notYet("list"));
    }

    private static Exception notYet(String operation) {
        return NotYetServed.failure(MailboxMapper.class, operation);
    }
}
