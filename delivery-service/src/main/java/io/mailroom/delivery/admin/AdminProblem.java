package io.mailroom.delivery.admin;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/** A failure of an admin request, answered as RFC 9457 problem details with a stable {@code code} (docs/delivery.md). */
class AdminProblem extends RuntimeException {

    static final String UNAUTHENTICATED = "unauthenticated";
    static final String NOT_FOUND = "queue-message-not-found";
    static final String IN_PROGRESS = "queue-message-in-progress";
    static final String QUEUE_UNAVAILABLE = "queue-unavailable";
    static final String INVALID_REQUEST = "invalid-request";
    static final String NOT_SUPPORTED = "not-supported";

    private final HttpStatus status;
    private final String code;

    AdminProblem(HttpStatus status, String code, String detail) {
        super(detail);
        this.status = status;
        this.code = code;
    }

    HttpStatus status() {
        return status;
    }

    ProblemDetail toProblemDetail() {
        return problem(status, code, getMessage());
    }

    static ProblemDetail problem(HttpStatus status, String code, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("urn:mailroom:problem:" + code));
        problem.setProperty("code", code);
        return problem;
    }
}
