package dev.pareto.ruler;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import software.amazon.event.ruler.Machine;

/**
 * Line-oriented oracle around aws/event-ruler (issue 25).
 *
 * <p>Input (stdin, UTF-8): one case per line, {@code PATTERN<TAB>EVENT}, both compact JSON.
 * Output (stdout, UTF-8): exactly one line per input line, flushed at once:
 * <ul>
 *   <li>{@code match} / {@code no-match} — result of {@code machine.rulesForJSONEvent(event)}
 *       (array-consistent matching) on a fresh {@code Machine.builder().build()} holding the
 *       single rule {@code "r"};</li>
 *   <li>{@code invalid<TAB>message} — {@code addRule("r", pattern)} threw (the pattern is rejected);</li>
 *   <li>{@code bad-event<TAB>message} — {@code rulesForJSONEvent} threw (the event is not usable),
 *       or the line itself is malformed (no TAB).</li>
 * </ul>
 * Messages never contain TAB, CR or LF. One bad line never stops the run.
 *
 * <p>Option {@code --ac-finder}: build machines with {@code withStructuredMatching(false)}, i.e. the
 * pre-2.0 ACFinder walker instead of the default StructuredFinder (for cross-checking the two).
 */
public final class RulerOracle {

    private RulerOracle() {}

    public static void main(String[] args) throws IOException {
        boolean acFinder = false;
        for (String a : args) {
            if ("--ac-finder".equals(a)) {
                acFinder = true;
            } else if ("--help".equals(a) || "-h".equals(a)) {
                System.out.println("usage: java -jar ruler-oracle.jar [--ac-finder] < cases.tsv");
                System.out.println("  each input line: PATTERN<TAB>EVENT; each output line: "
                        + "match | no-match | invalid<TAB>msg | bad-event<TAB>msg");
                return;
            } else {
                System.err.println("ruler-oracle: unknown argument: " + a);
                System.exit(2);
            }
        }

        BufferedReader in = new BufferedReader(
                new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
        Writer out = new BufferedWriter(
                new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);

        String line;
        while ((line = in.readLine()) != null) {
            out.write(answer(line, acFinder));
            out.write('\n');
            out.flush();
        }
        out.flush();
    }

    /** The single output line (without newline) for one input line. */
    static String answer(String line, boolean acFinder) {
        if (!line.isEmpty() && line.charAt(line.length() - 1) == '\r') {
            line = line.substring(0, line.length() - 1);
        }
        int tab = line.indexOf('\t');
        if (tab < 0) {
            return "bad-event\tmalformed line: no TAB between PATTERN and EVENT";
        }
        String pattern = line.substring(0, tab);
        String event = line.substring(tab + 1);

        Machine machine;
        try {
            machine = acFinder
                    ? Machine.builder().withStructuredMatching(false).build()
                    : Machine.builder().build();
            machine.addRule("r", pattern);
        } catch (Throwable t) {
            return "invalid\t" + message(t);
        }

        try {
            List<String> rules = machine.rulesForJSONEvent(event);
            return rules.isEmpty() ? "no-match" : "match";
        } catch (Throwable t) {
            return "bad-event\t" + message(t);
        }
    }

    /** Exception message on one line: TAB/CR/LF become spaces; never empty. */
    static String message(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            m = t.getClass().getName();
        }
        StringBuilder sb = new StringBuilder(m.length());
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            sb.append(c == '\t' || c == '\n' || c == '\r' ? ' ' : c);
        }
        return sb.toString();
    }
}
