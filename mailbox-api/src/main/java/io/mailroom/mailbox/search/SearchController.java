package io.mailroom.mailbox.search;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.mailroom.mailbox.account.AccountService;
import io.mailroom.mailbox.client.store.SearchCriterion;

/** SEARCH for the IMAP gateway: a criterion tree in, UIDs out. */
@RestController
class SearchController {

    private final AccountService accounts;
    private final SearchService search;

    SearchController(AccountService accounts, SearchService search) {
        this.accounts = accounts;
        this.search = search;
    }

    record SearchRequest(@NotNull SearchCriterion criterion) {
    }

    record SearchResponse(List<Long> uids) {
    }

    @PostMapping("/internal/v1/accounts/{address}/mailboxes/{mailboxId}/search")
    SearchResponse search(@PathVariable String address, @PathVariable long mailboxId,
                          @Valid @RequestBody SearchRequest request) {
        return new SearchResponse(search.search(accounts.requireId(address), mailboxId, request.criterion()));
    }
}
