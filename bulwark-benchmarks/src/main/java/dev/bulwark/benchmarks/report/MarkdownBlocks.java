package dev.bulwark.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Named sections of a markdown file, between {@code <!-- NAME -->} and {@code <!-- /NAME -->}, that
 * separate runs write and replace without touching the rest (BENCHMARKS.md's drill and pick-cost
 * sections, beside the JMH scenario tables).
 *
 * <p>Usage: {@code MarkdownBlocks <file.md> <name> <content.md | ->} puts the content (or standard
 * input) into block {@code name} of the file, replacing the block if it is there, appending it if not.
 */
public final class MarkdownBlocks {
    private static final Pattern BLOCK = Pattern.compile("(?s)<!-- ([A-Za-z0-9_-]+) -->.*?<!-- /\\1 -->");

    private MarkdownBlocks() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: MarkdownBlocks <file.md> <name> <content.md | ->");
            System.exit(2);
        }
        String content = args[2].equals("-")
                ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                : Files.readString(Path.of(args[2]));
        write(Path.of(args[0]), args[1], content);
    }

    /** Puts {@code content} into block {@code name} of {@code file} (created if absent). */
    static void write(Path file, String name, String content) throws IOException {
        String text = Files.exists(file) ? Files.readString(file) : "";
        Files.writeString(file, replace(text, name, content));
    }

    /** Every named block of {@code text}, markers included, in order. */
    static List<String> blocks(String text) {
        List<String> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            blocks.add(m.group());
        }
        return blocks;
    }

    /** {@code text} with block {@code name} holding {@code content}: replaced in place, or appended. */
    static String replace(String text, String name, String content) {
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("block name = " + name + ": allowed is letters, digits, '_' and '-'");
        }
        String block = "<!-- " + name + " -->\n" + content.strip() + "\n<!-- /" + name + " -->";
        Matcher m = Pattern.compile("(?s)<!-- " + name + " -->.*?<!-- /" + name + " -->").matcher(text);
        if (m.find()) {
            return text.substring(0, m.start()) + block + text.substring(m.end());
        }
        String base = text.isEmpty() ? "" : text.stripTrailing() + "\n\n";
        return base + block + "\n";
    }

    /** {@code text} followed by those of {@code blocks} it does not already contain. */
    static String appendMissing(String text, List<String> blocks) {
        StringBuilder out = new StringBuilder(text);
        for (String block : blocks) {
            if (!text.contains(block)) {
                out.setLength(out.toString().stripTrailing().length());
                out.append("\n\n").append(block).append('\n');
            }
        }
        return out.toString();
    }
}
