package io.gptedit.models.train;

import io.gptedit.core.GpteditException;
import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a training run came from: a hash of its data and the version of the code that ran it.
 *
 * <p>The {@link FineTuner} records these in {@code provenance.json} in the run folder and in every checkpoint's
 * {@code state.json}. The data hash is either given by the caller (any string, such as the dataset index's own
 * hash) or computed here from the data files with {@link #dataHash(Collection)}. The code version is the Maven
 * version from the jar manifest's {@code Implementation-Version} and the git commit of the checkout the classes
 * were loaded from, read from {@code .git} directly (no git library); either is {@value #UNKNOWN} when it cannot
 * be found.
 *
 * @since 0.1
 */
public final class RunProvenance {
  /** The value recorded when a fact cannot be determined. */
  public static final String UNKNOWN = "unknown";

  private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

  private RunProvenance() {}

  /**
   * The version of the code.
   *
   * @param version the Maven project version from the jar manifest, or {@value #UNKNOWN}
   * @param gitCommit the full commit id of the git checkout the code was loaded from, or {@value #UNKNOWN}
   */
  public record CodeVersion(String version, String gitCommit) {
    /** Validates the version. */
    public CodeVersion {
      requireNonNull(version, "version");
      requireNonNull(gitCommit, "gitCommit");
    }
  }

  /**
   * Hashes data files: SHA-256 over, for each file in the order of its path's string form, the file's name, its
   * length and its bytes. The folder the files are in does not matter, so a copied dataset hashes the same; a
   * renamed, changed, added or removed file changes the hash.
   *
   * @param files the data files (shards, index files), at least one
   * @return {@code "sha256:"} and 64 hex digits
   * @throws io.gptedit.core.GpteditException if a file cannot be read
   * @throws IllegalArgumentException if no file is given or one is not a regular file
   */
  public static String dataHash(Collection<Path> files) {
    requireNonNull(files, "files");
    checkArgument(!files.isEmpty(), "dataHash needs at least one file");
    List<Path> sorted = new ArrayList<>(files);
    sorted.sort(Comparator.comparing(Path::toString));
    MessageDigest sha = sha256();
    byte[] buf = new byte[1 << 16];
    for (Path f : sorted) {
      checkArgument(Files.isRegularFile(f), "data file %s is not a regular file", f);
      try {
        byte[] name = f.getFileName().toString().getBytes(StandardCharsets.UTF_8);
        sha.update(longBytes(name.length));
        sha.update(name);
        sha.update(longBytes(Files.size(f)));
        try (InputStream in = Files.newInputStream(f)) {
          for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            sha.update(buf, 0, n);
          }
        }
      } catch (IOException e) {
        throw new GpteditException("cannot hash data file " + f + ": " + e, e);
      }
    }
    return "sha256:" + HexFormat.of().formatHex(sha.digest());
  }

  /**
   * Returns the version of the gptedit-models code that is running.
   *
   * @return the manifest version and the git commit of the checkout holding the classes
   */
  public static CodeVersion codeVersion() {
    return codeVersion(RunProvenance.class);
  }

  /**
   * Returns the version of the code a class was loaded from.
   *
   * @param anchor a class of the code in question
   * @return its package's {@code Implementation-Version} and the git commit of the checkout above its jar or
   *     class folder, each {@value #UNKNOWN} when absent
   */
  public static CodeVersion codeVersion(Class<?> anchor) {
    String version = anchor.getPackage() == null ? null : anchor.getPackage().getImplementationVersion();
    String commit = codeLocation(anchor).flatMap(RunProvenance::gitCommit).orElse(UNKNOWN);
    return new CodeVersion(version == null || version.isBlank() ? UNKNOWN : version, commit);
  }

  /**
   * Finds the commit checked out in the git work tree containing a path, by reading {@code .git} itself: a
   * {@code .git} folder or a {@code .git} file ({@code gitdir: ...}, as worktrees and submodules have), then
   * {@code HEAD}, then the named ref as a loose file (in the git folder or, for a worktree, its {@code
   * commondir}) or a line of {@code packed-refs}.
   *
   * @param start a file or folder inside the work tree
   * @return the full commit id, or empty if the path is not in a git work tree or the ref cannot be resolved
   */
  public static Optional<String> gitCommit(Path start) {
    requireNonNull(start, "start");
    try {
      for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
        Path dotGit = p.resolve(".git");
        if (Files.isDirectory(dotGit)) {
          return resolveHead(dotGit);
        }
        if (Files.isRegularFile(dotGit)) {
          String line = Files.readString(dotGit, StandardCharsets.UTF_8).trim();
          if (!line.startsWith("gitdir:")) {
            return Optional.empty();
          }
          Path gitDir = p.resolve(line.substring("gitdir:".length()).trim()).normalize();
          return Files.isDirectory(gitDir) ? resolveHead(gitDir) : Optional.empty();
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> resolveHead(Path gitDir) throws IOException {
    Path head = gitDir.resolve("HEAD");
    if (!Files.isRegularFile(head)) {
      return Optional.empty();
    }
    String content = Files.readString(head, StandardCharsets.UTF_8).trim();
    Path common = gitDir;
    Path commondir = gitDir.resolve("commondir");
    if (Files.isRegularFile(commondir)) {
      common = gitDir.resolve(Files.readString(commondir, StandardCharsets.UTF_8).trim()).normalize();
    }
    // Follow symbolic refs a few levels (a ref file may itself hold "ref: ...").
    for (int depth = 0; depth < 5; depth++) {
      if (isSha(content)) {
        return Optional.of(content.toLowerCase(Locale.ROOT));
      }
      if (!content.startsWith("ref:")) {
        return Optional.empty();
      }
      String ref = content.substring(4).trim();
      Optional<String> next = readRef(gitDir, ref);
      if (next.isEmpty() && !common.equals(gitDir)) {
        next = readRef(common, ref);
      }
      if (next.isEmpty()) {
        return packedRef(common, ref);
      }
      content = next.get();
    }
    return Optional.empty();
  }

  private static Optional<String> readRef(Path dir, String ref) throws IOException {
    Path f = dir.resolve(ref).normalize();
    if (!f.startsWith(dir) || !Files.isRegularFile(f)) {
      return Optional.empty();
    }
    return Optional.of(Files.readString(f, StandardCharsets.UTF_8).trim());
  }

  private static Optional<String> packedRef(Path dir, String ref) throws IOException {
    Path packed = dir.resolve("packed-refs");
    if (!Files.isRegularFile(packed)) {
      return Optional.empty();
    }
    for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
      if (line.startsWith("#") || line.startsWith("^")) {
        continue;
      }
      int space = line.indexOf(' ');
      if (space > 0 && line.substring(space + 1).trim().equals(ref) && isSha(line.substring(0, space))) {
        return Optional.of(line.substring(0, space).toLowerCase(Locale.ROOT));
      }
    }
    return Optional.empty();
  }

  private static boolean isSha(String s) {
    return SHA.matcher(s.toLowerCase(Locale.ROOT)).matches();
  }

  private static Optional<Path> codeLocation(Class<?> anchor) {
    CodeSource source = anchor.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Paths.get(source.getLocation().toURI()));
    } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      return Optional.empty();
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static byte[] longBytes(long v) {
    byte[] b = new byte[8];
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    return b;
  }
}
