package io.mailroom.mailbox.security;

import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

import io.mailroom.mailbox.account.AccountService;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/**
 * Decides what the caller may do, on the route pattern and the path variables Spring MVC resolved (the very
 * values the controller will act on), so no path trick can make the check and the handler disagree:
 * <ul>
 *   <li>{@code /internal/**}: the internal token only;</li>
 *   <li>{@code /api/**}: an admin (the bootstrap token or an admin key); an account owner, or a key scoped to
 *   accounts, only on routes whose {@code {address}} is one of theirs. An unknown address is forbidden, not "not
 *   found", so that keys cannot probe which accounts exist.</li>
 * </ul>
 */
@Component
class AccessInterceptor implements HandlerInterceptor {

    private final AccountService accounts;

    AccessInterceptor(AccountService accounts) {
        this.accounts = accounts;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!(handler instanceof HandlerMethod)) {
            return true;
        }
        Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        String route = pattern == null ? "" : pattern.toString();
        boolean internal = route.startsWith("/internal/");
        if (!internal && !route.startsWith("/api/")) {
            return true;
        }
        Caller caller = Caller.of(request);
        if (caller == null) {
            throw new ApiProblem(HttpStatus.UNAUTHORIZED, ProblemCodes.UNAUTHENTICATED, "this resource needs credentials");
        }
        boolean allowed = switch (caller) {
            case Caller.Service service -> internal;
            case Caller.Admin admin -> !internal;
            case Caller.AccountOwner owner -> !internal && ownsRoute(owner.accountId(), request);
            case Caller.AccountsKey key -> !internal && key.accountIds().stream().anyMatch(id -> ownsRoute(id, request));
        };
        if (!allowed) {
            throw new ApiProblem(HttpStatus.FORBIDDEN, ProblemCodes.FORBIDDEN, "these credentials do not grant access to this resource");
        }
        return true;
    }

    /**
     * A gateway call that answered 404 may have used an account id {@link AccountService#requireId} remembered for an
     * account that is gone: forget it, so the next call looks the address up again.
     */
    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
        if (response.getStatus() != HttpStatus.NOT_FOUND.value()) {
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, String> variables = (Map<String, String>) request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        String address = variables == null ? null : variables.get("address");
        if (address != null) {
            accounts.forgetId(address);
        }
    }

    /** Whether the route names an account ({@code {address}}) and it is this one. */
    private boolean ownsRoute(long accountId, HttpServletRequest request) {
        @SuppressWarnings("unchecked")
        Map<String, String> variables = (Map<String, String>) request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        String address = variables == null ? null : variables.get("address");
        if (address == null) {
            return false;
        }
        return accounts.find(address).map(account -> account.id() == accountId).orElse(false);
    }
}
