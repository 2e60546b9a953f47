package io.mailroom.mailbox.security;

import java.net.URI;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.PageResponse;
import io.mailroom.mailbox.web.ProblemCodes;

/** API keys (admin only; only the bootstrap admin token creates them). */
@RestController
@RequestMapping("/api/v1/api-keys")
class ApiKeyController {

    private final ApiKeyService keys;

    ApiKeyController(ApiKeyService keys) {
        this.keys = keys;
    }

    /** Creates a key; the answer is the only time its secret ({@code key}) is shown. */
    @PostMapping
    ResponseEntity<ApiKeyService.ApiKeyResponse> create(@Valid @RequestBody ApiKeyService.CreateApiKeyRequest request,
                                                        HttpServletRequest http) {
        if (!(Caller.of(http) instanceof Caller.Admin admin) || !admin.bootstrap()) {
            throw new ApiProblem(HttpStatus.FORBIDDEN, ProblemCodes.FORBIDDEN, "only the bootstrap admin token creates API keys");
        }
        ApiKeyService.ApiKeyResponse created = keys.create(request);
        return ResponseEntity.created(URI.create("/api/v1/api-keys/" + created.id())).body(created);
    }

    @GetMapping
    PageResponse<ApiKeyService.ApiKeyResponse> list(
            @RequestParam(defaultValue = "" + PageResponse.DEFAULT_LIMIT) @Min(1) @Max(PageResponse.MAX_LIMIT) int limit,
            @RequestParam(required = false) String cursor) {
        return keys.list(limit, cursor);
    }

    @GetMapping("/{id}")
    ApiKeyService.ApiKeyResponse get(@PathVariable long id) {
        return keys.get(id);
    }

    /** Revokes a key at once; it stays listed, with {@code revokedAt}. */
    @DeleteMapping("/{id}")
    ResponseEntity<Void> revoke(@PathVariable long id) {
        keys.revoke(id);
        return ResponseEntity.noContent().build();
    }
}
