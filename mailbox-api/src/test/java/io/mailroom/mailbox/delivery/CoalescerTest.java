package io.mailroom.mailbox.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class CoalescerTest {

    @Test
    void aLoneCallerIsAGroupOfOneAndWaitsForNoOne() {
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        Coalescer<Integer, String> coalescer = new Coalescer<>(items -> items.stream().map(i -> "r" + i).toList(), 32, 2,
                sizes::add);

        assertThat(coalescer.submit(1)).isEqualTo("r1");
        assertThat(coalescer.submit(2)).isEqualTo("r2");
        assertThat(sizes).containsExactly(1, 1);
    }

    @Test
    void callersWhoArriveWhileTheGroupsAreBusyAreDoneTogetherEachWithItsOwnResult() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        List<List<Integer>> groups = Collections.synchronizedList(new ArrayList<>());
        Coalescer<Integer, String> coalescer = new Coalescer<>(items -> {
            groups.add(items);
            if (items.contains(0)) {
                firstStarted.countDown();
                await(releaseFirst);
            }
            return items.stream().map(i -> "r" + i).toList();
        }, 4, 1, size -> { });

        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> first = callers.submit(() -> coalescer.submit(0));
            assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();
            List<Future<String>> later = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                int item = i;
                later.add(callers.submit(() -> coalescer.submit(item)));
            }
            waitUntil(() -> coalescer.waiting() == 6); // all six wait: the only group allowed at work is the first's
            releaseFirst.countDown();

            assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("r0");
            for (int i = 1; i <= 6; i++) {
                assertThat(later.get(i - 1).get(5, TimeUnit.SECONDS)).isEqualTo("r" + i);
            }
        }
        assertThat(groups).hasSize(3);
        assertThat(groups.get(0)).containsExactly(0);
        assertThat(groups.get(1)).hasSize(4); // a group holds at most four
        assertThat(groups.get(2)).hasSize(2);
        List<Integer> all = new ArrayList<>();
        groups.forEach(all::addAll);
        assertThat(all).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6);
    }

    @Test
    void aFailedGroupFailsEachOfItsCallersAndTheNextGroupStillRuns() {
        Coalescer<Integer, String> coalescer = new Coalescer<>(items -> {
            if (items.contains(13)) {
                throw new IllegalStateException("database away");
            }
            return items.stream().map(i -> "r" + i).toList();
        }, 32, 2, size -> { });

        assertThatThrownBy(() -> coalescer.submit(13)).isInstanceOf(IllegalStateException.class).hasMessage("database away");
        assertThat(coalescer.submit(14)).isEqualTo("r14");
    }

    @Test
    void workThatAnswersTooFewResultsIsAnErrorForEveryCaller() {
        Coalescer<Integer, String> coalescer = new Coalescer<>(items -> List.of(), 32, 2, size -> { });

        assertThatThrownBy(() -> coalescer.submit(1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("0 results for a group of 1");
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
