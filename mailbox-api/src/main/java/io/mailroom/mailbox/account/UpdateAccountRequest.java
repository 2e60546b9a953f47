package io.mailroom.mailbox.account;

import jakarta.validation.constraints.Size;

/**
 * Changes to an account; absent fields stay as they are.
 *
 * @param enabled  false: the account receives no mail and nobody logs in to it
 * @param password a new password (admin only; it replaces the old one at once)
 */
public record UpdateAccountRequest(@Size(max = 200) String displayName, Boolean enabled, @StrongPassword String password) {

    @Override
    public String toString() {
        return "UpdateAccountRequest[displayName=" + displayName + ", enabled=" + enabled + "]";
    }
}
