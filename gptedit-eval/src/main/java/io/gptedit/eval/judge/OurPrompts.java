package io.gptedit.eval.judge;

import io.gptedit.eval.Benchmark;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * This project's judge prompts, written in our own words (the benchmarks' official texts are not shipped; load
 * them with {@link PromptSet#load}). Each asks for the same reply shape the official judge returns, so the same
 * parsers and formulas apply.
 */
final class OurPrompts {
  /** The sub-score names our ImgEdit rubrics ask for, in order. */
  static final List<String> IMGEDIT_NAMES = List.of("Instruction Match", "Visual Quality", "Preservation");

  private static final String GEDIT_SC =
      """
      You are grading an image edit. The first image is the original, the second is the result of editing it.
      The edit instruction was: {{instruction}}

      Give two whole-number scores from 0 to 10.
      First score: how completely and correctly the result carries out the instruction (0 = not at all,
      10 = exactly as asked).
      Second score: how well the result avoids changes nobody asked for (0 = it hardly resembles the original,
      10 = everything the instruction does not mention is untouched).

      Answer with JSON only, in this shape:
      {"reasoning": "<one or two sentences>", "score": [first, second]}
      """;

  private static final String GEDIT_PQ =
      """
      You are grading the visual quality of one generated image.

      Give two whole-number scores from 0 to 10.
      First score: naturalness - does the picture look plausible, with consistent lighting, shadows, perspective
      and scale (0 = clearly fake, 10 = entirely natural)?
      Second score: freedom from artifacts - distortions, smears, broken shapes, garbled text, odd textures
      (0 = heavily damaged, 10 = none at all).

      Answer with JSON only, in this shape:
      {"reasoning": "<one or two sentences>", "score": [naturalness, artifacts]}
      """;

  private static final Map<String, String> IMGEDIT_FOCUS =
      Map.of(
          "add", "an object should have been added, at a sensible place and scale, blending with the scene",
          "adjust", "an attribute (colour, material, size, shape) of an existing object should have changed",
          "extract", "one object should have been isolated from the scene on a clean background, complete and intact",
          "replace", "one object should have been swapped for another while the rest of the scene stays put",
          "remove", "an object should have disappeared with the area behind it filled in convincingly",
          "background", "the background should have changed while the foreground subject stays the same",
          "style", "the whole image should have been redrawn in the requested style, keeping its content",
          "compose", "several edits were requested at once and each of them should be visible",
          "action", "a subject should now be doing the requested action or pose, keeping its identity");

  private static final String IMGEDIT =
      """
      You are grading an image edit on a scale of 1 to 5. The first image is the original, the second is the
      edited result. The instruction was: {{instruction}}
      For this kind of edit, %s.

      Score three aspects, each a whole number from 1 (poor) to 5 (excellent):
      Instruction Match: does the result do what the instruction asks, fully and only that?
      Visual Quality: is the result free of artifacts, and does the edited part look natural in the scene?
      Preservation: is everything the instruction does not mention left as it was?

      Briefly explain, then end your reply with exactly these three lines:
      Instruction Match: <1-5>
      Visual Quality: <1-5>
      Preservation: <1-5>
      """;

  private static final String COMPLEX_IF_IP =
      """
      You will see an input image, then an output image produced by an editing model, then the editing
      instruction, which may combine several edits: {{instruction}}

      First reason step by step: list each edit the instruction asks for and say whether the output shows it.
      Then give two whole-number scores from 0 to 10.
      instruction_following: how many of the requested edits are carried out, and how well (10 = all of them,
      exactly).
      identity_preservation: how well the output keeps what the instruction does not ask to change - the same
      people, objects, layout and background (10 = nothing else changed).

      Reply with a JSON object:
      {"reasoning": "...", "instruction_following": <0-10>, "identity_preservation": <0-10>}
      """;

  private static final String COMPLEX_PQ =
      """
      You will see one image produced by an editing model. Judge only how it looks, not what it shows.
      First reason briefly about realism, consistency of lighting and geometry, and visible artifacts.
      Then give perceptual_quality, a whole number from 0 (badly broken) to 10 (flawless). The instruction
      that produced it, for context only: {{instruction}}

      Reply with a JSON object:
      {"reasoning": "...", "perceptual_quality": <0-10>}
      """;

  private static final String OMNI_PF =
      """
      The first image is a reference; the second was generated from it with this prompt: {{instruction}}
      How well does the generated image follow the prompt - the scene, action, setting and every detail it asks
      for? Score from 0 (ignores the prompt) to 10 (follows it completely).
      Answer with JSON only: {"reasoning": "<one or two sentences>", "score": <0-10>}
      """;

  private static final String OMNI_SC =
      """
      The first image is a reference subject (a person, character or object); the second was generated from it
      with this prompt: {{instruction}}
      Is the subject in the generated image recognisably the same one - face, body, clothing, shape, colours,
      markings? Score from 0 (a different subject) to 10 (the same subject in every detail).
      Answer with JSON only: {"reasoning": "<one or two sentences>", "score": <0-10>}
      """;

  private OurPrompts() {}

  static PromptSet of(Benchmark benchmark) {
    Map<String, PromptTemplate> t = new LinkedHashMap<>();
    switch (benchmark) {
      case GEDIT -> {
        t.put("sc", PromptTemplate.of("sc", GEDIT_SC));
        t.put("pq", PromptTemplate.of("pq", GEDIT_PQ));
      }
      case IMGEDIT -> {
        for (String family : benchmark.categories()) {
          t.put(family, PromptTemplate.of(family, String.format(java.util.Locale.ROOT, IMGEDIT, IMGEDIT_FOCUS.get(family))));
        }
      }
      case COMPLEX_EDIT -> {
        t.put("if_ip", PromptTemplate.of("if_ip", COMPLEX_IF_IP));
        t.put("pq", PromptTemplate.of("pq", COMPLEX_PQ));
      }
      case OMNICONTEXT -> {
        t.put("pf", PromptTemplate.of("pf", OMNI_PF));
        t.put("sc", PromptTemplate.of("sc", OMNI_SC));
      }
      case LOCAL -> {} // scored by local metrics: no judge prompt
    }
    return new PromptSet(t);
  }
}
