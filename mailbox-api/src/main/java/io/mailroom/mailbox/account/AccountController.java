package io.mailroom.mailbox.account;

import java.net.URI;

import jakarta.validation.Valid;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/** Mail accounts. */
@RestController
@RequestMapping("/api/v1/accounts")
class AccountController {

    private final AccountService accounts;

    AccountController(AccountService accounts) {
        this.accounts = accounts;
    }

    @PostMapping
    ResponseEntity<AccountResponse> create(@Valid @RequestBody CreateAccountRequest request) {
        AccountResponse account = accounts.create(request);
        URI location = UriComponentsBuilder.fromPath("/api/v1/accounts/{address}").buildAndExpand(account.address()).encode().toUri();
        return ResponseEntity.created(location).body(account);
    }

    @GetMapping("/{address}")
    AccountResponse get(@PathVariable String address) {
        return accounts.get(address);
    }
}
