package io.gptedit.data.sources;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/** Streams the elements of a top-level JSON array one at a time, so a large annotation file is never held whole. */
final class JsonArrayCursor implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path file;
  private final JsonParser parser;
  private int index = -1;

  JsonArrayCursor(Path file) {
    this.file = file;
    try {
      this.parser = MAPPER.getFactory().createParser(file.toFile());
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        parser.close();
        throw new SourceException(file + " is not a JSON array of records", null);
      }
    } catch (IOException e) {
      throw new SourceException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Returns the next element, or null at the end of the array. */
  JsonNode next() {
    try {
      JsonToken t = parser.nextToken();
      if (t == null || t == JsonToken.END_ARRAY) {
        return null;
      }
      index++;
      return MAPPER.readTree(parser);
    } catch (IOException e) {
      throw new SourceException("malformed JSON in " + file + " after element " + index + ": " + e.getMessage(), e);
    }
  }

  /** The index of the element last returned. */
  int index() {
    return index;
  }

  @Override
  public void close() {
    try {
      parser.close();
    } catch (IOException e) {
      throw new SourceException("cannot close " + file, e);
    }
  }
}
