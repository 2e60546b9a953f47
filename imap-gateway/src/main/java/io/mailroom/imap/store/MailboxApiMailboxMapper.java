package io.mailroom.imap.store;

import java.util.List;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.acl.ACLDiff;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.exception.UnsupportedRightException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxACL;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.model.search.MailboxQuery;
import org.apache.james.mailbox.store.mail.MailboxMapper;

import io.mailroom.mailbox.client.store.MailboxInfo;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The account's mailboxes, as mailbox-api keeps them (RFC 9051 §6.3). mailbox-api assigns ids and UIDVALIDITY (the
 * one James proposes at creation is ignored), creates missing superiors itself, renames a mailbox's inferiors with
 * it, and moves their subscriptions. There is no sharing: another user's mailbox is never found.
 */
class MailboxApiMailboxMapper implements MailboxMapper {

    private final MailboxSession session;
    private final SessionStore store;

    MailboxApiMailboxMapper(MailboxSession session, SessionStore store) {
        this.session = session;
        this.store = store;
    }

    @Override
    public Mono<Mailbox> create(MailboxPath mailboxPath, UidValidity uidValidity) {
        return StoreFailures.mono("create mailbox", () -> {
            requireOwn(mailboxPath);
            String name = MailboxNames.toApi(mailboxPath);
            MailboxInfo created = store.client().createMailbox(store.account(), name, null);
            store.mailboxesChanged();
            store.remember(created);
            return toMailbox(created);
        });
    }

    @Override
    public Mono<MailboxId> rename(Mailbox mailbox) {
        return StoreFailures.mono("rename mailbox", () -> {
            requireOwn(mailbox.generateAssociatedPath());
            long id = ApiMailboxId.value(mailbox.getMailboxId());
            String newName = MailboxNames.toApi(mailbox.generateAssociatedPath());
            List<MailboxInfo> renamed = store.client().renameMailbox(store.account(), id, newName);
            store.mailboxesChanged();
            renamed.forEach(store::remember);
            return mailbox.getMailboxId();
        });
    }

    @Override
    public Mono<Void> delete(Mailbox mailbox) {
        return StoreFailures.mono("delete mailbox", () -> {
            store.client().deleteMailbox(store.account(), ApiMailboxId.value(mailbox.getMailboxId()));
            store.mailboxesChanged();
            return null;
        }).then();
    }

    @Override
    public Mono<Mailbox> findMailboxByPath(MailboxPath mailboxName) {
        if (!MailboxNames.isOwn(mailboxName, session)) {
            return Mono.empty();
        }
        return StoreFailures.mono("find mailbox", () -> store.infoByName(MailboxNames.toApi(mailboxName)).orElse(null))
                .map(this::toMailbox);
    }

    @Override
    public Mono<Mailbox> findMailboxById(MailboxId mailboxId) {
        return StoreFailures.mono("find mailbox", () -> store.entity(ApiMailboxId.value(mailboxId)))
                .map(this::toMailbox)
                .onErrorMap(MailboxNotFoundException.class, e -> new MailboxNotFoundException(mailboxId));
    }

    @Override
    public Flux<Mailbox> findNonPersonalMailboxes(Username userName, MailboxACL.Right right) {
        return Flux.empty();
    }

    @Override
    public Flux<Mailbox> findMailboxWithPathLike(MailboxQuery.UserBound query) {
        if (!query.getFixedUser().equals(session.getUser())) {
            return Flux.empty();
        }
        return all().filter(query::matches);
    }

    @Override
    public Mono<Boolean> hasChildren(Mailbox mailbox, char delimiter) {
        String prefix = mailbox.getName() + delimiter;
        return all().any(candidate -> candidate.getName().startsWith(prefix));
    }

    @Override
    public Flux<Mailbox> list() {
        return all();
    }

    @Override
    public Mono<Boolean> pathExists(MailboxPath path) {
        return findMailboxByPath(path).hasElement();
    }

    /** ACL is not offered (the ACL capability is not advertised): a user has every right on their own mailboxes. */
    @Override
    public Mono<ACLDiff> updateACL(Mailbox mailbox, MailboxACL.ACLCommand mailboxACLCommand) {
        return Mono.error(new UnsupportedRightException());
    }

    @Override
    public Mono<ACLDiff> setACL(Mailbox mailbox, MailboxACL mailboxACL) {
        return Mono.error(new UnsupportedRightException());
    }

    private Flux<Mailbox> all() {
        return StoreFailures.flux("list mailboxes", store::mailboxes).map(this::toMailbox);
    }

    private Mailbox toMailbox(MailboxInfo info) {
        return MailboxNames.toMailbox(info, store.user());
    }

    private void requireOwn(MailboxPath path) throws MailboxNotFoundException {
        if (!MailboxNames.isOwn(path, session)) {
            throw new MailboxNotFoundException(path);
        }
    }
}
