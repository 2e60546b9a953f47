package io.mailroom.mailbox.account;

import java.util.Map;

import jakarta.validation.Valid;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/** Credential checks for the gateways (SMTP AUTH, POP3 PASS, IMAP LOGIN/AUTHENTICATE). */
@RestController
class AuthenticationController {

    private final CredentialService credentials;

    AuthenticationController(CredentialService credentials) {
        this.credentials = credentials;
    }

    @PostMapping("/internal/v1/authentications")
    AuthenticatedAccountResponse authenticate(@Valid @RequestBody AuthenticationRequest request) {
        String protocol = request.protocol() == null ? "unknown" : request.protocol();
        return credentials.verify(request.username(), request.password(), protocol, request.remoteIp())
                .orElseThrow(() -> new ApiProblem(HttpStatus.UNAUTHORIZED, ProblemCodes.AUTH_FAILED,
                        "authentication failed", Map.of("temporary", false)));
    }

    @ExceptionHandler(LoginPolicy.LoginLockedException.class)
    ResponseEntity<ProblemDetail> locked(LoginPolicy.LoginLockedException locked) {
        ProblemDetail problem = ApiProblem.problem(HttpStatus.UNAUTHORIZED, ProblemCodes.AUTH_LOCKED, locked.getMessage());
        problem.setProperty("temporary", true);
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, locked.retryAfter().toSeconds())))
                .body(problem);
    }
}
