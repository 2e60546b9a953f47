package io.mailroom.mailbox.account;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * @param address     the account's address; its domain must exist
 * @param password    the password mail clients log in with
 * @param displayName optional, shown in tools
 */
public record CreateAccountRequest(
        @NotBlank @Size(max = 320) String address,
        @NotBlank @StrongPassword String password,
        @Size(max = 200) String displayName) {

    @Override
    public String toString() {
        return "CreateAccountRequest[address=" + address + ", displayName=" + displayName + "]";
    }
}
