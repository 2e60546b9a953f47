package io.mailroom.mailbox.account;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * @param address      the account's address; its domain must exist
 * @param password     the password mail clients log in with; or
 * @param passwordHash an existing Dovecot-style hash to import instead ({@code {BLF-CRYPT}$2y$…},
 *                     {@code {SHA512-CRYPT}$6$…}, {@code {ARGON2ID}$argon2id$…}): the user keeps their password
 * @param displayName  optional, shown in tools
 * @param quotaStorage optional storage limit in bytes
 * @param quotaMessages optional message-count limit
 */
public record CreateAccountRequest(
        @NotBlank @Size(max = 320) String address,
        @StrongPassword String password,
        @Size(max = 1000) String passwordHash,
        @Size(max = 200) String displayName,
        Long quotaStorage,
        Long quotaMessages) {

    public CreateAccountRequest(String address, String password, String displayName) {
        this(address, password, null, displayName, null, null);
    }

    @Schema(hidden = true)
    @AssertTrue(message = "give either password or passwordHash")
    public boolean isOnePasswordGiven() {
        return (password == null || password.isEmpty()) != (passwordHash == null || passwordHash.isEmpty());
    }

    @Override
    public String toString() {
        return "CreateAccountRequest[address=" + address + ", displayName=" + displayName + "]";
    }
}
