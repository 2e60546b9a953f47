package io.mailroom.mailbox.alias;

import java.net.URI;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

import io.mailroom.mailbox.web.PageResponse;

/** Aliases (admin only). */
@RestController
@RequestMapping("/api/v1/aliases")
class AliasController {

    private final AliasService aliases;

    AliasController(AliasService aliases) {
        this.aliases = aliases;
    }

    @PostMapping
    ResponseEntity<AliasService.AliasResponse> create(@Valid @RequestBody AliasService.AliasRequest request) {
        AliasService.AliasResponse alias = aliases.create(request);
        URI location = UriComponentsBuilder.fromPath("/api/v1/aliases/{address}").buildAndExpand(alias.address()).encode().toUri();
        return ResponseEntity.created(location).body(alias);
    }

    @GetMapping
    PageResponse<AliasService.AliasResponse> list(
            @RequestParam(required = false) String domain,
            @RequestParam(defaultValue = "" + PageResponse.DEFAULT_LIMIT) @Min(1) @Max(PageResponse.MAX_LIMIT) int limit,
            @RequestParam(required = false) String cursor) {
        return aliases.list(domain, limit, cursor);
    }

    @GetMapping("/{alias}")
    AliasService.AliasResponse get(@PathVariable String alias) {
        return aliases.require(alias);
    }

    @PutMapping("/{alias}")
    AliasService.AliasResponse replaceTargets(@PathVariable String alias, @Valid @RequestBody AliasService.TargetsRequest request) {
        return aliases.replaceTargets(alias, request);
    }

    @DeleteMapping("/{alias}")
    ResponseEntity<Void> delete(@PathVariable String alias) {
        aliases.delete(alias);
        return ResponseEntity.noContent().build();
    }
}
