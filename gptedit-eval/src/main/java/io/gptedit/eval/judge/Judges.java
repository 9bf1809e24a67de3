package io.gptedit.eval.judge;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.Resampler;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.ChatService;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.bench.BenchSample;
import io.gptedit.eval.score.ComplexEditSampleScore;
import io.gptedit.eval.score.GEditSampleScore;
import io.gptedit.eval.score.ImgEditSampleScore;
import io.gptedit.eval.score.OmniContextSampleScore;
import io.gptedit.eval.score.SampleFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The four benchmark judges, each following its benchmark's protocol (which images, in which order, how many
 * calls and runs) with the prompts of a {@link PromptSet}.
 *
 * @since 0.1
 */
public final class Judges {
  /** The JSON Schema our Complex-Edit instruction-following and identity call asks the service to follow. */
  static final String COMPLEX_IF_IP_SCHEMA =
      "{\"type\":\"object\",\"properties\":{\"reasoning\":{\"type\":\"string\"},"
          + "\"instruction_following\":{\"type\":\"integer\"},\"identity_preservation\":{\"type\":\"integer\"}},"
          + "\"required\":[\"reasoning\",\"instruction_following\",\"identity_preservation\"],"
          + "\"additionalProperties\":false}";

  /** The JSON Schema our Complex-Edit quality call asks the service to follow. */
  static final String COMPLEX_PQ_SCHEMA =
      "{\"type\":\"object\",\"properties\":{\"reasoning\":{\"type\":\"string\"},"
          + "\"perceptual_quality\":{\"type\":\"integer\"}},"
          + "\"required\":[\"reasoning\",\"perceptual_quality\"],\"additionalProperties\":false}";

  private Judges() {}

  /**
   * Returns the GEdit (VIEScore) judge: a semantic call on [source, edited] and a quality call on [edited], text
   * first, each replying with two 0-10 scores; the edited image is resized to the source's size first.
   *
   * @param chat the chat service
   * @param config the judge settings
   * @param prompts templates {@code sc} and {@code pq}
   * @return the judge
   */
  public static Judge<GEditSampleScore> gedit(ChatService chat, JudgeConfig config, PromptSet prompts) {
    return new Base<>(Benchmark.GEDIT, chat, config, prompts) {
      {
        requireInstruction("sc");
      }

      // as the official scorer: any number of scores (SC and PQ are their minimum), no upper bound
      private final ScoreListParser pair = new ScoreListParser(0, ScoreRange.NON_NEGATIVE);

      @Override
      public Judgement<GEditSampleScore> judge(BenchSample s, RgbImage source, RgbImage edited) {
        RgbImage resized =
            edited.width() == source.width() && edited.height() == source.height()
                ? edited
                : Resampler.bicubic(edited, source.width(), source.height());
        JudgeCalls.Result<List<Double>> sc = calls.call(
            s.key() + "@" + s.language(), "sc", prompts.get("sc"), render("sc", s), List.of(source, resized), true,
            pair::parse, 1, Optional.empty());
        if (!sc.ok()) {
          return failed(s, "semantic call: " + sc.failure(), sc.attempts());
        }
        JudgeCalls.Result<List<Double>> pq = calls.call(
            s.key() + "@" + s.language(), "pq", prompts.get("pq"), render("pq", s), List.of(resized), true,
            pair::parse, 1, Optional.empty());
        if (!pq.ok()) {
          return failed(s, "quality call: " + pq.failure(), sc.attempts() + pq.attempts());
        }
        return new Judgement.Scored<>(new GEditSampleScore(
            s.key(), s.category(), s.language(), s.intersection(), sc.values().get(0), pq.values().get(0)));
      }
    };
  }

  /**
   * Returns the ImgEdit judge: one call per sample on [text, original, edited] with the family's rubric, replying
   * with three {@code Name: <1-5>} lines.
   *
   * @param chat the chat service
   * @param config the judge settings
   * @param prompts one template per family
   * @param subScoreNames the rubric's sub-score names in order; with official templates whose names differ, the
   *     parser falls back to taking three labelled lines in order
   * @return the judge
   */
  public static Judge<ImgEditSampleScore> imgEdit(
      ChatService chat, JudgeConfig config, PromptSet prompts, List<String> subScoreNames) {
    RubricReplyParser parser = new RubricReplyParser(subScoreNames, ScoreRange.ONE_TO_FIVE);
    return new Base<>(Benchmark.IMGEDIT, chat, config, prompts) {
      {
        requireInstruction(Benchmark.IMGEDIT.categories().toArray(String[]::new));
      }

      @Override
      public Judgement<ImgEditSampleScore> judge(BenchSample s, RgbImage source, RgbImage edited) {
        JudgeCalls.Result<List<Double>> r = calls.call(
            s.key(), "rubric", prompts.get(s.category()), render(s.category(), s), List.of(source, edited), true,
            parser::parse, 1, Optional.empty());
        if (!r.ok()) {
          return failed(s, r.failure(), r.attempts());
        }
        return new Judgement.Scored<>(new ImgEditSampleScore(s.key(), s.category(), r.values().get(0)));
      }
    };
  }

  /**
   * Returns the ImgEdit judge with this project's rubric names.
   *
   * @param chat the chat service
   * @param config the judge settings
   * @param prompts one template per family
   * @return the judge
   */
  public static Judge<ImgEditSampleScore> imgEdit(ChatService chat, JudgeConfig config, PromptSet prompts) {
    return imgEdit(chat, config, prompts, OurPrompts.IMGEDIT_NAMES);
  }

  /**
   * Returns the Complex-Edit judge: {@code n} structured-output runs on [input, output, instruction] for
   * instruction following and identity preservation, and {@code n} on [output] for perceptual quality.
   *
   * @param chat the chat service
   * @param config the judge settings ({@link JudgeConfig#samplesPerImage()} is n)
   * @param prompts templates {@code if_ip} and {@code pq}
   * @return the judge
   */
  public static Judge<ComplexEditSampleScore> complexEdit(ChatService chat, JudgeConfig config, PromptSet prompts) {
    JsonFieldsParser ifIp =
        new JsonFieldsParser(List.of("instruction_following", "identity_preservation"), ScoreRange.ZERO_TO_TEN);
    JsonFieldsParser pq = new JsonFieldsParser(List.of("perceptual_quality"), ScoreRange.ZERO_TO_TEN);
    return new Base<>(Benchmark.COMPLEX_EDIT, chat, config, prompts) {
      {
        requireInstruction("if_ip");
      }

      @Override
      public Judgement<ComplexEditSampleScore> judge(BenchSample s, RgbImage source, RgbImage edited) {
        int n = config.samplesPerImage();
        JudgeCalls.Result<List<Double>> a = calls.call(
            s.key(), "if_ip", prompts.get("if_ip"), render("if_ip", s), List.of(source, edited), false,
            ifIp::parse, n, Optional.of(COMPLEX_IF_IP_SCHEMA));
        if (!a.ok()) {
          return failed(s, "instruction/identity call: " + a.failure(), a.attempts());
        }
        JudgeCalls.Result<List<Double>> b = calls.call(
            s.key(), "pq", prompts.get("pq"), render("pq", s), List.of(edited), false,
            pq::parse, n, Optional.of(COMPLEX_PQ_SCHEMA));
        if (!b.ok()) {
          return failed(s, "quality call: " + b.failure(), a.attempts() + b.attempts());
        }
        List<Double> ifs = new ArrayList<>();
        List<Double> ips = new ArrayList<>();
        for (List<Double> run : a.values()) {
          ifs.add(run.get(0));
          ips.add(run.get(1));
        }
        List<Double> pqs = b.values().stream().map(run -> run.get(0)).toList();
        return new Judgement.Scored<>(new ComplexEditSampleScore(s.key(), ifs, ips, pqs));
      }
    };
  }

  /**
   * Returns the OmniContext judge: a prompt-following call and a subject-consistency call, each on
   * [text, reference, generated] and replying with one 0-10 score.
   *
   * @param chat the chat service
   * @param config the judge settings
   * @param prompts templates {@code pf} and {@code sc}
   * @return the judge
   */
  public static Judge<OmniContextSampleScore> omniContext(ChatService chat, JudgeConfig config, PromptSet prompts) {
    ScoreListParser one = new ScoreListParser(1, ScoreRange.ZERO_TO_TEN);
    return new Base<>(Benchmark.OMNICONTEXT, chat, config, prompts) {
      {
        requireInstruction("pf", "sc");
      }

      @Override
      public Judgement<OmniContextSampleScore> judge(BenchSample s, RgbImage source, RgbImage edited) {
        JudgeCalls.Result<List<Double>> pf = calls.call(
            s.key(), "pf", prompts.get("pf"), render("pf", s), List.of(source, edited), true,
            one::parse, 1, Optional.empty());
        if (!pf.ok()) {
          return failed(s, "prompt-following call: " + pf.failure(), pf.attempts());
        }
        JudgeCalls.Result<List<Double>> sc = calls.call(
            s.key(), "sc", prompts.get("sc"), render("sc", s), List.of(source, edited), true,
            one::parse, 1, Optional.empty());
        if (!sc.ok()) {
          return failed(s, "subject-consistency call: " + sc.failure(), pf.attempts() + sc.attempts());
        }
        return new Judgement.Scored<>(new OmniContextSampleScore(
            s.key(), s.category(), pf.values().get(0).get(0), sc.values().get(0).get(0)));
      }
    };
  }

  private abstract static class Base<S> implements Judge<S> {
    final Benchmark benchmark;
    final JudgeConfig config;
    final PromptSet prompts;
    final JudgeCalls calls;

    Base(Benchmark benchmark, ChatService chat, JudgeConfig config, PromptSet prompts) {
      this.benchmark = benchmark;
      this.config = requireNonNull(config, "config");
      this.prompts = requireNonNull(prompts, "prompts").requireFor(benchmark);
      this.calls = new JudgeCalls(requireNonNull(chat, "chat"), config, benchmark);
    }

    String render(String template, BenchSample s) {
      return prompts.get(template).render(Map.of("instruction", s.instruction()));
    }

    void requireInstruction(String... templates) {
      for (String t : templates) {
        prompts.get(t).requires("instruction");
      }
    }

    Judgement<S> failed(BenchSample s, String reason, int attempts) {
      return new Judgement.Failed<>(
          new SampleFailure(s.key(), s.category(), s.tags(), SampleFailure.Stage.JUDGE, reason, attempts));
    }

    @Override
    public Benchmark benchmark() {
      return benchmark;
    }

    @Override
    public String model() {
      return config.model();
    }

    @Override
    public String promptHash() {
      return prompts.hash();
    }
  }
}
