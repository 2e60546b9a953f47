package io.mailroom.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The bench's load generator: one command per scenario. See docs/benchmarks.md; bench/run.sh drives it against
 * Mailroom and the anchors (Postfix, Dovecot) alternately and prints the ratios.
 */
public final class Load {

    private static final String USAGE = """
            usage: java -jar bench-load-exec.jar <command> [--option value ...]

              smtp     SMTP accept rate          --host --port --sessions 20 --messages 2000 --per-connection 10
                                                 --size 4K --to user100@example.test[,..] [--lmtp] --max-seconds 600
                                                 [--rate MSGS_PER_S: open loop, message i due at start + i/rate]
              deliver  smtp + wait until filed   (smtp options) --count maildir:/tmp/anchors/mail | api:http://127.0.0.1:8080
                                                 | db:jdbc:postgresql://127.0.0.1:PORT/mailroom (INBOX message_count, one query)
                                                 [--token T (default $MAILROOM_ADMIN_TOKEN)] --deliver-timeout 300 --stall-seconds 60
                                                 --recipients 1 (per message, taken in turn from --to)
                                                 --poll-seconds 0.1 --poll-parallel 2 (mailbox counting)
              fill     top K messages up in U mailboxes  (smtp options) --users 20 --per-user 200 --rcpts-per-message 20 --count ...
              pop3     POP3 retrieval            --host --port --users 20 --rounds 5 | --sessions N --clients 20 [--stls]
                                                 --password pass --max-retr N
              monitor  memory sampler            --out mem.tsv [--phase-file F] [--stop-file F] [--mailroom-pid P] [--mailroom-match DATA_DIR]
                                                 [--mailroom-by-jar] --interval 1
              report   the table                 --results results.tsv [--memory mem.tsv] [--out summary.txt]

              --threads platform|virtual (any command, default platform): one OS thread per connection, like
              separate client processes, so the client gets its fair share of CPU next to a multi-process server
              users are <--user-prefix user><--first-user 1 ..>@<--domain example.test>
              measuring commands take --side mailroom|anchor --run N --results results.tsv to append a result row
            """;

    /** A run that did not do what it should: reported, and the exit status says so. */
    static final class Failed extends RuntimeException {
        Failed(String message) {
            super(message);
        }
    }

    private static boolean virtualThreads;

    private Load() {
    }

    /** One thread per connection; platform threads by default (see --threads in the usage). */
    static ExecutorService workers() {
        return virtualThreads ? Executors.newVirtualThreadPerTaskExecutor() : Executors.newThreadPerTaskExecutor(
                Thread.ofPlatform().name("load-", 0).factory());
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            System.out.print(USAGE);
            System.exit(args.length == 0 ? 64 : 0);
        }
        List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        try {
            int t = rest.indexOf("--threads");
            if (t >= 0 && t + 1 < rest.size()) {
                String kind = rest.remove(t + 1);
                rest.remove(t);
                if (!kind.equals("platform") && !kind.equals("virtual")) {
                    throw new IllegalArgumentException("--threads is platform or virtual, not " + kind);
                }
                virtualThreads = kind.equals("virtual");
            }
            Options o = new Options(rest);
            switch (args[0]) {
                case "smtp" -> SmtpScenario.run(o, false);
                case "deliver" -> SmtpScenario.run(o, true);
                case "fill" -> FillScenario.run(o);
                case "pop3" -> Pop3Scenario.run(o);
                case "monitor" -> Monitor.run(o);
                case "report" -> Report.run(o);
                default -> throw new IllegalArgumentException("unknown command " + args[0]);
            }
            System.exit(0);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(64);
        } catch (Failed e) {
            System.err.println("FAILED: " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("FAILED: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }
}
