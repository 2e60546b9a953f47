package io.mailroom.mailbox.account;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

/**
 * A password strong enough to accept: at least {@value #MIN_LENGTH} characters, at most
 * {@value PasswordHasher#MAX_PASSWORD_BYTES} bytes (bcrypt's limit), and not a short pattern repeated.
 */
@Documented
@Constraint(validatedBy = StrongPassword.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
@Retention(RetentionPolicy.RUNTIME)
public @interface StrongPassword {

    int MIN_LENGTH = 10;
    int MIN_DISTINCT_CHARACTERS = 4;

    String message() default "must be at least 10 characters (at most 72 bytes) with at least 4 different characters";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<StrongPassword, String> {
        @Override
        public boolean isValid(String password, ConstraintValidatorContext context) {
            if (password == null) {
                return true; // @NotNull's business
            }
            return password.codePointCount(0, password.length()) >= MIN_LENGTH
                    && password.getBytes(StandardCharsets.UTF_8).length <= PasswordHasher.MAX_PASSWORD_BYTES
                    && password.codePoints().distinct().count() >= MIN_DISTINCT_CHARACTERS
                    && !password.isBlank();
        }
    }
}
