package dev.bulwark.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MarkdownBlocksTest {
    private static final String DOC = """
            # Benchmarks

            ## 1. Breaker

            | a | b |

            <!-- drill -->
            ## Drill
            old figures
            <!-- /drill -->

            <!-- picks -->
            ## Picks
            <!-- /picks -->
            """;

    @Test
    void findsEveryNamedBlockWithItsMarkers() {
        assertThat(MarkdownBlocks.blocks(DOC)).containsExactly(
                "<!-- drill -->\n## Drill\nold figures\n<!-- /drill -->",
                "<!-- picks -->\n## Picks\n<!-- /picks -->");
        assertThat(MarkdownBlocks.blocks("# nothing <!-- half -->")).isEmpty();
    }

    @Test
    void replacesABlockInPlaceLeavingTheRest() {
        String updated = MarkdownBlocks.replace(DOC, "drill", "## Drill\nnew figures\n\n");

        assertThat(updated).contains("<!-- drill -->\n## Drill\nnew figures\n<!-- /drill -->")
                .doesNotContain("old figures")
                .startsWith("# Benchmarks\n\n## 1. Breaker\n\n| a | b |\n\n<!-- drill -->")
                .endsWith("<!-- picks -->\n## Picks\n<!-- /picks -->\n");
    }

    @Test
    void appendsAMissingBlock() {
        assertThat(MarkdownBlocks.replace("# Benchmarks\n\ntext\n", "drill", "figures"))
                .isEqualTo("# Benchmarks\n\ntext\n\n<!-- drill -->\nfigures\n<!-- /drill -->\n");
        assertThat(MarkdownBlocks.replace("", "drill", "figures")).isEqualTo("<!-- drill -->\nfigures\n<!-- /drill -->\n");
    }

    @Test
    void keepsBlocksARegeneratedFileLacks() {
        String regenerated = "# Benchmarks\n\n## 1. Breaker\n\n| a | b |\n";

        String kept = MarkdownBlocks.appendMissing(regenerated, MarkdownBlocks.blocks(DOC));

        assertThat(kept).startsWith(regenerated.stripTrailing() + "\n\n<!-- drill -->")
                .contains("old figures").endsWith("<!-- /picks -->\n");
        assertThat(MarkdownBlocks.blocks(kept)).isEqualTo(MarkdownBlocks.blocks(DOC));
        assertThat(MarkdownBlocks.appendMissing(kept, MarkdownBlocks.blocks(DOC))).isEqualTo(kept);
        assertThat(MarkdownBlocks.appendMissing(regenerated, List.of())).isEqualTo(regenerated);
    }
}
