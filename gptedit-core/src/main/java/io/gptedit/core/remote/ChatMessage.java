package io.gptedit.core.remote;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import io.gptedit.core.image.RgbImage;
import java.util.List;

/**
 * One chat message: a role and an ordered list of text and image parts.
 *
 * @param role who speaks
 * @param parts the content, in order (the judges put the text first, then the images)
 * @since 0.1
 */
public record ChatMessage(Role role, List<Part> parts) {
  /** Who speaks. */
  public enum Role {
    /** Instructions to the model. */
    SYSTEM,
    /** The user turn. */
    USER,
    /** A previous model turn. */
    ASSISTANT
  }

  /** A content part. */
  public sealed interface Part permits Text, Image {}

  /**
   * A text part.
   *
   * @param text the text
   */
  public record Text(String text) implements Part {
    /** Validates the part. */
    public Text {
      requireNonNull(text, "text");
    }
  }

  /**
   * An image part, sent inline as base64.
   *
   * @param image the image
   * @param asJpeg whether to send it as JPEG (smaller; what GEdit's judge does) rather than PNG
   */
  public record Image(RgbImage image, boolean asJpeg) implements Part {
    /** Validates the part. */
    public Image {
      requireNonNull(image, "image");
    }
  }

  /** Validates the message. */
  public ChatMessage {
    requireNonNull(role, "role");
    parts = ImmutableList.copyOf(requireNonNull(parts, "parts"));
    checkArgument(!parts.isEmpty(), "a message needs at least one part");
  }

  /**
   * Returns a text-only message.
   *
   * @param role the role
   * @param text the text
   * @return the message
   */
  public static ChatMessage text(Role role, String text) {
    return new ChatMessage(role, List.of(new Text(text)));
  }
}
