package io.gptedit.examples;

import io.gptedit.data.shards.ErrorPolicy;
import io.gptedit.data.shards.ShardError;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.shards.ShardSample;
import io.gptedit.data.sources.ReleaseExport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gptedit export}: writes curated shards in the release's layout ({@link ReleaseExport}): per dataset and
 * task, {@code input/} and {@code output/} PNGs and a metadata JSON array that round-trips every field, including
 * {@code instruction_original}; with {@code --training-json} also the LLaVA-style training annotations with
 * {@code <gen_image>} and their {@code data.txt}.
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = "Export curated WebDataset shards to the GPT-Image-Edit release layout (metadata JSON per "
        + "dataset/task, images; optionally the training JSON with <gen_image> and data.txt).")
final class ExportCommand implements Callable<Integer> {
  @Option(names = "--shards", required = true, description = "the folder of curated shards (gptedit curate --output)")
  Path shards;

  @Option(names = {"-o", "--output"}, required = true, description = "the release root to write")
  Path out;

  @Option(names = "--training-json", description = "also write training/<dataset>_<task>.json and data.txt")
  boolean trainingJson;

  @Override
  public Integer call() {
    int skipped;
    int written;
    try (ShardReader reader = ShardReader.openDirectory(shards, ErrorPolicy.CONTINUE);
        ReleaseExport export = ReleaseExport.create(out).optTrainingJson(trainingJson)) {
      while (reader.hasNext()) {
        ShardSample s = reader.next();
        export.add(s.toTriplet());
      }
      written = export.written();
      skipped = reader.errors().size();
      for (ShardError e : reader.errors()) {
        System.out.println("skipped: " + e);
      }
    }
    System.out.println("export: " + written + " samples from " + shards + " -> " + out
        + (trainingJson ? " (with training JSON and data.txt)" : "") + (skipped > 0 ? "; " + skipped + " skipped" : ""));
    return 0;
  }
}
