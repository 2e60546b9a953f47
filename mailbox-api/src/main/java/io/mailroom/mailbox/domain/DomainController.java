package io.mailroom.mailbox.domain;

import java.net.URI;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

import io.mailroom.mailbox.web.PageResponse;

/** Mail domains (admin only). */
@RestController
@RequestMapping("/api/v1/domains")
class DomainController {

    private final DomainService domains;

    DomainController(DomainService domains) {
        this.domains = domains;
    }

    @PostMapping
    ResponseEntity<DomainResponse> create(@Valid @RequestBody CreateDomainRequest request) {
        DomainResponse domain = domains.create(request.name());
        URI location = UriComponentsBuilder.fromPath("/api/v1/domains/{name}").buildAndExpand(domain.name()).encode().toUri();
        return ResponseEntity.created(location).body(domain);
    }

    @GetMapping
    PageResponse<DomainResponse> list(
            @RequestParam(defaultValue = "" + PageResponse.DEFAULT_LIMIT) @Min(1) @Max(PageResponse.MAX_LIMIT) int limit,
            @RequestParam(required = false) String cursor) {
        return domains.list(limit, cursor);
    }

    @GetMapping("/{name}")
    DomainResponse get(@PathVariable String name) {
        return domains.get(name);
    }

    /** Sets or removes the domain's catch-all account. */
    @PatchMapping("/{name}")
    DomainResponse update(@PathVariable String name, @Valid @RequestBody UpdateDomainRequest request) {
        return domains.update(name, request);
    }
}
