package io.mailroom.mailbox.web;

import java.io.IOException;
import java.net.URI;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every failure into RFC 9457 problem details that carry a stable {@code code}: Mailroom's own
 * {@link ApiProblem}s, Spring MVC's standard errors (validation, 404, 405, 415 …), an unreachable database (503)
 * and anything unexpected (500, without internals in the answer).
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler(ApiProblem.class)
    ResponseEntity<ProblemDetail> apiProblem(ApiProblem problem) {
        return ResponseEntity.status(problem.status()).body(problem.toProblemDetail());
    }

    @ExceptionHandler({CannotCreateTransactionException.class, DataAccessResourceFailureException.class,
            QueryTimeoutException.class})
    ResponseEntity<ProblemDetail> databaseUnavailable(Exception e) {
        LOG.error("Database unavailable", e);
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .body(ApiProblem.problem(HttpStatus.SERVICE_UNAVAILABLE, ProblemCodes.UNAVAILABLE,
                        "the mailbox store is unavailable; try again later"));
    }

    /** A multipart body that cannot be read (no boundary, cut short); one too large is 413 (the superclass's). */
    @ExceptionHandler(org.springframework.web.multipart.MultipartException.class)
    ResponseEntity<ProblemDetail> unreadableMultipart(org.springframework.web.multipart.MultipartException e) {
        return ResponseEntity.badRequest().body(ApiProblem.problem(HttpStatus.BAD_REQUEST, ProblemCodes.BAD_REQUEST,
                "the multipart body cannot be read: " + e.getMessage()));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletResponse response) {
        if (response.isCommitted()) {
            // typically the client went away half-way through a raw message: nothing left to answer
            LOG.debug("Failure after the response was committed", e);
            return null;
        }
        if (e instanceof IOException) {
            LOG.warn("I/O failure while serving a request: {}", e.toString());
        } else {
            LOG.error("Unexpected failure", e);
        }
        return ResponseEntity.internalServerError()
                .body(ApiProblem.problem(HttpStatus.INTERNAL_SERVER_ERROR, ProblemCodes.INTERNAL_ERROR,
                        "an unexpected error occurred; the trace id in the logs tells the details"));
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode statusCode, WebRequest request) {
        ProblemDetail problem = body instanceof ProblemDetail p ? p : ProblemDetail.forStatus(statusCode);
        Map<String, Object> properties = problem.getProperties();
        if (properties == null || !properties.containsKey("code")) {
            String code = codeFor(ex, statusCode);
            problem.setType(URI.create("urn:mailroom:problem:" + code));
            problem.setProperty("code", code);
        }
        if (ex instanceof MethodArgumentNotValidException invalid) {
            problem.setDetail("the request is invalid: see errors");
            problem.setProperty("errors", invalid.getBindingResult().getFieldErrors().stream()
                    .map(ProblemHandler::fieldError).toList());
        } else if (ex instanceof HandlerMethodValidationException invalid) {
            problem.setDetail("the request is invalid: see errors");
            problem.setProperty("errors", invalid.getParameterValidationResults().stream()
                    .flatMap(result -> result.getResolvableErrors().stream()
                            .map(error -> Map.of("field", result.getMethodParameter().getParameterName(),
                                    "message", String.valueOf(error.getDefaultMessage()))))
                    .toList());
        }
        return super.handleExceptionInternal(ex, problem, headers, statusCode, request);
    }

    private static Map<String, String> fieldError(FieldError error) {
        return Map.of("field", error.getField(), "message", String.valueOf(error.getDefaultMessage()));
    }

    private static String codeFor(Exception ex, HttpStatusCode status) {
        if (ex instanceof MethodArgumentNotValidException || ex instanceof HandlerMethodValidationException
                || ex instanceof org.springframework.beans.TypeMismatchException
                || ex instanceof org.springframework.web.bind.MissingServletRequestParameterException) {
            return ProblemCodes.VALIDATION;
        }
        if (ex instanceof HttpMessageNotReadableException) {
            return ProblemCodes.BAD_REQUEST;
        }
        return switch (status.value()) {
            case 404 -> ProblemCodes.NOT_FOUND;
            case 405 -> ProblemCodes.METHOD_NOT_ALLOWED;
            case 406 -> ProblemCodes.NOT_ACCEPTABLE;
            case 413 -> ProblemCodes.MESSAGE_TOO_LARGE;
            case 415 -> ProblemCodes.UNSUPPORTED_MEDIA_TYPE;
            case 503 -> ProblemCodes.UNAVAILABLE;
            default -> status.is4xxClientError() ? ProblemCodes.BAD_REQUEST : ProblemCodes.INTERNAL_ERROR;
        };
    }
}
