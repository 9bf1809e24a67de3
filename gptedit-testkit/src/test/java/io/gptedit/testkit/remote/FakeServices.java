package io.gptedit.testkit.remote;

import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.ChatMessage;
import io.gptedit.core.remote.ChatRequest;
import io.gptedit.core.remote.ChatResponse;
import io.gptedit.core.remote.ChatService;
import io.gptedit.core.remote.GeneratedImage;
import io.gptedit.core.remote.ImageEditRequest;
import io.gptedit.core.remote.ImageEditService;
import io.gptedit.core.remote.ImageGenerationRequest;
import io.gptedit.core.remote.ImageGenerationService;
import io.gptedit.core.remote.Usage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Deterministic in-process services that record what they were asked and what they answered. */
class FakeServices implements ImageEditService, ImageGenerationService, ChatService {
  static final Usage EDIT_USAGE = new Usage(300, 4160, 1);
  static final Usage GENERATION_USAGE = new Usage(20, 1056, 1);
  static final Usage CHAT_USAGE = new Usage(1200, 35, 0);

  final List<ImageEditRequest> edits = new CopyOnWriteArrayList<>();
  final List<ImageGenerationRequest> generations = new CopyOnWriteArrayList<>();
  final List<ChatRequest> chats = new CopyOnWriteArrayList<>();
  final List<GeneratedImage> produced = new CopyOnWriteArrayList<>();

  @Override
  public GeneratedImage edit(ImageEditRequest request) {
    edits.add(request);
    RgbImage in = request.image();
    int w = request.size().width();
    int h = request.size().height();
    int salt = request.prompt().hashCode();
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = in.rgb(x % in.width(), y % in.height()) ^ salt ^ (x * 31 + y * 17);
        int i = (y * w + x) * 3;
        rgb[i] = (byte) (p >>> 16);
        rgb[i + 1] = (byte) (p >>> 8);
        rgb[i + 2] = (byte) p;
      }
    }
    GeneratedImage out = new GeneratedImage(RgbImage.of(w, h, rgb), EDIT_USAGE, "fake-edit");
    produced.add(out);
    return out;
  }

  @Override
  public GeneratedImage generate(ImageGenerationRequest request) {
    generations.add(request);
    int w = request.size().width();
    int h = request.size().height();
    int salt = request.prompt().hashCode();
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) (salt * 31 + i * 7);
    }
    GeneratedImage out = new GeneratedImage(RgbImage.of(w, h, rgb), GENERATION_USAGE, "fake-generate");
    produced.add(out);
    return out;
  }

  @Override
  public ChatResponse complete(ChatRequest request) {
    chats.add(request);
    String last = "";
    for (ChatMessage.Part p : request.messages().get(request.messages().size() - 1).parts()) {
      if (p instanceof ChatMessage.Text t) {
        last = t.text();
      }
    }
    List<String> choices = new java.util.ArrayList<>();
    for (int i = 0; i < request.n(); i++) {
      choices.add("choice " + i + ": " + new StringBuilder(last).reverse());
    }
    return new ChatResponse(choices, CHAT_USAGE, "fake-chat");
  }

  static RgbImage gradient(int w, int h, int seed) {
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) (i * 13 + seed);
    }
    return RgbImage.of(w, h, rgb);
  }
}
