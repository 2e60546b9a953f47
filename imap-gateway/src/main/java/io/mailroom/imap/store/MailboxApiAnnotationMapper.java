package io.mailroom.imap.store;

import java.util.List;
import java.util.Set;

import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MailboxAnnotation;
import org.apache.james.mailbox.model.MailboxAnnotationKey;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.AnnotationMapper;

import io.mailroom.mailbox.client.store.MailboxAnnotation.Depth;

/**
 * METADATA entries of mailboxes (RFC 5464), kept in mailbox-api. James's annotation manager checks its own limits
 * first; mailbox-api enforces its own as well.
 */
class MailboxApiAnnotationMapper implements AnnotationMapper {

    private final SessionStore store;

    MailboxApiAnnotationMapper(SessionStore store) {
        this.store = store;
    }

    @Override
    public List<MailboxAnnotation> getAllAnnotations(MailboxId mailboxId) {
        return read(mailboxId, Set.of(), Depth.INFINITY);
    }

    @Override
    public List<MailboxAnnotation> getAnnotationsByKeys(MailboxId mailboxId, Set<MailboxAnnotationKey> keys) {
        return keys.isEmpty() ? List.of() : read(mailboxId, keys, Depth.ZERO);
    }

    @Override
    public List<MailboxAnnotation> getAnnotationsByKeysWithOneDepth(MailboxId mailboxId, Set<MailboxAnnotationKey> keys) {
        return keys.isEmpty() ? List.of() : read(mailboxId, keys, Depth.ONE);
    }

    @Override
    public List<MailboxAnnotation> getAnnotationsByKeysWithAllDepth(MailboxId mailboxId, Set<MailboxAnnotationKey> keys) {
        return keys.isEmpty() ? List.of() : read(mailboxId, keys, Depth.INFINITY);
    }

    @Override
    public void deleteAnnotation(MailboxId mailboxId, MailboxAnnotationKey key) {
        write(mailboxId, new io.mailroom.mailbox.client.store.MailboxAnnotation(key.asString(), null));
    }

    @Override
    public void insertAnnotation(MailboxId mailboxId, MailboxAnnotation annotation) {
        write(mailboxId, new io.mailroom.mailbox.client.store.MailboxAnnotation(annotation.getKey().asString(),
                annotation.getValue().orElse(null)));
    }

    @Override
    public boolean exist(MailboxId mailboxId, MailboxAnnotation annotation) {
        return !getAnnotationsByKeys(mailboxId, Set.of(annotation.getKey())).isEmpty();
    }

    @Override
    public int countAnnotations(MailboxId mailboxId) {
        return getAllAnnotations(mailboxId).size();
    }

    private List<MailboxAnnotation> read(MailboxId mailboxId, Set<MailboxAnnotationKey> keys, Depth depth) {
        Set<String> names = new java.util.LinkedHashSet<>();
        keys.forEach(key -> names.add(key.asString()));
        List<io.mailroom.mailbox.client.store.MailboxAnnotation> read = unchecked(() -> StoreFailures.call("read metadata",
                () -> store.client().annotations(store.account(), ApiMailboxId.value(mailboxId), names, depth)));
        return read.stream()
                .filter(annotation -> annotation.value() != null)
                .map(annotation -> MailboxAnnotation.newInstance(new MailboxAnnotationKey(annotation.key()), annotation.value()))
                .toList();
    }

    private void write(MailboxId mailboxId, io.mailroom.mailbox.client.store.MailboxAnnotation annotation) {
        unchecked(() -> {
            StoreFailures.run("write metadata",
                    () -> store.client().setAnnotations(store.account(), ApiMailboxId.value(mailboxId), List.of(annotation)));
            return null;
        });
    }

    @FunctionalInterface
    private interface Call<T> {
        T call() throws MailboxException;
    }

    /** The annotation mapper's methods declare no exception: a failure still ends the command in a NO. */
    private static <T> T unchecked(Call<T> call) {
        try {
            return call.call();
        } catch (MailboxException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
