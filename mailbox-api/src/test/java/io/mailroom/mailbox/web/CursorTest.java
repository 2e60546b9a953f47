package io.mailroom.mailbox.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CursorTest {

    @Test
    void roundTrips() {
        assertThat(Cursor.decode(Cursor.encode(12345))).isEqualTo(12345);
        assertThat(Cursor.decode(null)).isZero();
        assertThat(Cursor.decode("")).isZero();
        assertThat(Cursor.encode(7)).matches("[A-Za-z0-9_-]+");
    }

    @ParameterizedTest
    @ValueSource(strings = {"@@@", "MTpub3Q", "Mjo1", "MTotNQ"})
    void refusesCursorsItDidNotIssue(String cursor) {
        assertThatThrownBy(() -> Cursor.decode(cursor))
                .isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.code()).isEqualTo(ProblemCodes.INVALID_CURSOR));
    }

    @Test
    void pagesKnowWhetherMoreFollow() {
        PageResponse<String> last = PageResponse.of(List.of(1L, 2L), 2, Long::longValue, String::valueOf);
        PageResponse<String> more = PageResponse.of(List.of(1L, 2L, 3L), 2, Long::longValue, String::valueOf);

        assertThat(last.items()).containsExactly("1", "2");
        assertThat(last.nextCursor()).isNull();
        assertThat(more.items()).containsExactly("1", "2");
        assertThat(Cursor.decode(more.nextCursor())).isEqualTo(2);
    }
}
