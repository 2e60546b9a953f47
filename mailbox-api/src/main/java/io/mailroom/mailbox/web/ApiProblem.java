package io.mailroom.mailbox.web;

import java.net.URI;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * A refusal with a stable problem code, answered as RFC 9457 problem details. Services throw it; the
 * exception handler turns it into the response.
 */
public class ApiProblem extends RuntimeException {

    private static final String TYPE_PREFIX = "urn:mailroom:problem:";

    private final HttpStatus status;
    private final String code;
    private final Map<String, Object> properties;

    public ApiProblem(HttpStatus status, String code, String detail) {
        this(status, code, detail, Map.of());
    }

    public ApiProblem(HttpStatus status, String code, String detail, Map<String, Object> properties) {
        super(detail);
        this.status = status;
        this.code = code;
        this.properties = Map.copyOf(properties);
    }

    public static ApiProblem notFound(String code, String detail) {
        return new ApiProblem(HttpStatus.NOT_FOUND, code, detail);
    }

    public static ApiProblem validation(String detail) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, ProblemCodes.VALIDATION, detail);
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public ProblemDetail toProblemDetail() {
        ProblemDetail problem = problem(status, code, getMessage());
        properties.forEach(problem::setProperty);
        return problem;
    }

    /** A problem document in Mailroom's shape: a {@code urn:mailroom:problem:<code>} type and the {@code code} property. */
    public static ProblemDetail problem(HttpStatus status, String code, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_PREFIX + code));
        problem.setProperty("code", code);
        return problem;
    }
}
