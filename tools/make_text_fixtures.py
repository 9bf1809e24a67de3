#!/usr/bin/env python3
"""Text-conditioning fixtures for gptedit-models (issue 17), generated from the REAL implementations.

Everything here is produced by transformers' own classes (CLIPTextModel, CLIPTextModelWithProjection,
T5EncoderModel, CLIPTokenizer, T5TokenizerFast) and the HuggingFace `tokenizers` library; no model code is
written here. Run from the repository root with the project's fixture venv (torch CPU, transformers 5, tokenizers,
safetensors):

    /work/pyenv/bin/python tools/make_text_fixtures.py

It writes, under gptedit-models/src/test/resources/io/gptedit/models/fixtures/text/:

  corpus.json                 the corpus and, for every tokenizer folder below, the ids and attention masks of
                              tokenizer(text, padding="max_length", max_length=n, truncation=True): transformers'
                              CLIPTokenizer on the CLIP folders, the `tokenizers` library on T5's tokenizer.json
  tokenizer_clip/             a small CLIP-style byte-level BPE as FLUX ships CLIP-L's tokenizer: vocab.json +
                              merges.txt + tokenizer_config.json + special_tokens_map.json (no tokenizer.json);
                              pad token <|endoftext|>
  tokenizer_clip_g/           the same BPE with SD3's bigG tokenizer settings (pad token "!")
  tokenizer_t5/               a small Unigram (T5-style, SentencePiece-like) tokenizer.json trained with
                              `tokenizers`, plus tokenizer_config.json and special_tokens_map.json as FLUX ships
                              T5's tokenizer_2/ (pad <pad>, eos </s>, unk <unk>, <extra_id_N> specials)
  text_encoder_clip_l/        tiny CLIPTextModel (quick_gelu, legacy eos_token_id 2), saved by save_pretrained in
                              float16 (transformers 5 writes CLIPTextModel without the historical text_model. prefix)
  text_encoder_clip_l_proj/   tiny CLIPTextModelWithProjection (SD3's text_encoder/), float16, text_model. names
  text_encoder_clip_g/        tiny CLIPTextModelWithProjection with gelu and eos_token_id = the real id (bigG-like)
  text_encoder_t5/            tiny T5EncoderModel (gated-gelu), float16
  clip_io.safetensors         inputs and float32 outputs of the three CLIP towers (last, penultimate, pooled,
                              text_embeds; with and without an attention mask)
  t5_io.safetensors           inputs and float32 outputs of T5 without and with the attention mask
  conditioning_io.safetensors Flux's (T5 tokens + CLIP-L pooled) and SD3's (triple encoder) text conditioning of
                              two prompts computed as diffusers' encode_prompt composes them, and the tiny Flux
                              transformer's velocity on the Flux conditioning and a 3-step Kontext edit's final
                              latents (the weights of fixtures/flux_tiny_weights.safetensors and make_fixtures.py's
                              reference forward)
  names/*.txt                 "name<TAB>shape" of every tensor of CLIP-L, CLIP-L with projection, OpenCLIP bigG/14
                              and T5-XXL, from models instantiated on the meta device from the real config.json
                              files in real_configs/ (no weights)

The tokenizer trainers break frequency ties in hash order, so a rerun may reorder a few merges or pieces: always
commit every file of one run together (the ids, the models' vocabularies and the outputs depend on each other).

The weights are random but rounded to float16 so the float32 reference and the float16 files hold the same values;
the Java tests must reproduce every id and mask, and every output within 1e-4.
"""
import json
import os
import shutil
import sys

import torch
from safetensors.torch import save_file
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, decoders, trainers, Regex
from transformers import (CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection, CLIPTokenizer, T5Config,
                          T5EncoderModel, T5TokenizerFast)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIX = os.path.join(ROOT, "gptedit-models", "src", "test", "resources", "io", "gptedit", "models", "fixtures")
OUT = os.path.join(FIX, "text")
sys.path.insert(0, os.path.join(ROOT, "gptedit-models", "src", "test", "python"))

CLIP_SPLIT = (r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+")
BOS, EOS = "<|startoftext|>", "<|endoftext|>"

TRAINING_TEXT = [
    "make the sky pink", "give the cat a red hat", "turn the photo into a watercolor painting",
    "remove the person on the left", "replace the background with a beach at sunset",
    "add snow to the mountains", "change the car color to blue", "make it look like night time",
    "the quick brown fox jumps over the lazy dog", "a photo of a dog sitting on a wooden bench",
    "edit the image so that the building is taller", "put sunglasses on the woman",
    "convert to black and white", "increase the brightness and contrast", "it's they're we've I'm you'll",
    "café naïve résumé", "東京 タワー", "numbers 1234 and 56.78",
]

LONG = " ".join(["replace the old wooden fence in the garden with a tall stone wall covered in ivy"] * 8)
VERY_LONG = " ".join(["make the sky pink and the grass blue while keeping the red barn unchanged"] * 48)
CORPUS = [
    "",
    "make the sky pink",
    "Give the cat a RED hat!!",
    "  leading,   runs   of spaces\tand\ttabs\nand\n\nnewlines  ",
    "café naïve résumé — “quotes” … 東京タワー 🙂 emoji ß Ω",
    "it's they're we've I'm you'll he'd DON'T",
    "numbers 1234 56.78 3x4 #hashtag @user a/b\\c",
    "<|startoftext|>hello<|endoftext|> world",
    "pad </s> and <pad> and <unk> <extra_id_0> tokens",
    "!!! ??? ... ,,,",
    "x",
    LONG,
    VERY_LONG,
]


def bytes_to_unicode():
    """GPT-2/CLIP's reversible byte -> printable character table (the ByteLevel alphabet)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for c in cs]


def clip_bpe_folder(path, pad_token):
    """Trains a tiny CLIP-style BPE with `tokenizers` and writes it as FLUX/SD3 ship CLIP's tokenizer folders."""
    tok = Tokenizer(models.BPE(end_of_word_suffix="</w>", unk_token=EOS))
    tok.normalizer = normalizers.Sequence(
        [normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(CLIP_SPLIT), behavior="removed", invert=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False)])
    trainer = trainers.BpeTrainer(vocab_size=700, min_frequency=2, end_of_word_suffix="</w>",
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(TRAINING_TEXT * 4, trainer)
    merges = json.loads(tok.to_str())["model"]["merges"]
    merges = [m if isinstance(m, str) else " ".join(m) for m in merges]
    # CLIP's vocabulary layout: 256 byte characters, the same with </w>, the merges' results, then BOS and EOS.
    vocab = {}
    for c in bytes_to_unicode():
        vocab[c] = len(vocab)
    for c in bytes_to_unicode():
        vocab[c + "</w>"] = len(vocab)
    for m in merges:
        a, b = m.split(" ")
        if a + b not in vocab:
            vocab[a + b] = len(vocab)
    vocab[BOS] = len(vocab)
    vocab[EOS] = len(vocab)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(path, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(merges) + "\n")
    special = {"bos_token": BOS, "eos_token": EOS, "unk_token": EOS, "pad_token": pad_token}
    config = dict(special, add_prefix_space=False, clean_up_tokenization_spaces=True, do_lower_case=True,
                  errors="replace", model_max_length=77, tokenizer_class="CLIPTokenizer",
                  added_tokens_decoder={str(vocab[BOS]): added(BOS), str(vocab[EOS]): added(EOS)})
    with open(os.path.join(path, "tokenizer_config.json"), "w") as f:
        json.dump(config, f, indent=2, ensure_ascii=False)
    with open(os.path.join(path, "special_tokens_map.json"), "w") as f:
        json.dump(special, f, indent=2, ensure_ascii=False)
    return len(vocab)


def added(content):
    return {"content": content, "lstrip": False, "normalized": False, "rstrip": False, "single_word": False,
            "special": True}


def t5_unigram_folder(path):
    """Trains a tiny Unigram with T5's pipeline (Metaspace, "$A </s>") and writes it as FLUX's tokenizer_2/."""
    specials = ["<pad>", "</s>", "<unk>"]
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)])
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    trainer = trainers.UnigramTrainer(vocab_size=160, special_tokens=specials, unk_token="<unk>",
                                      show_progress=False)
    tok.train_from_iterator(TRAINING_TEXT * 4, trainer)
    extras = ["<extra_id_%d>" % i for i in range(3)][::-1]
    tok.add_special_tokens(extras[::-1])
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", tok.token_to_id("</s>"))])
    os.makedirs(path, exist_ok=True)
    tok.save(os.path.join(path, "tokenizer.json"))
    special = {"eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>",
               "additional_special_tokens": ["<extra_id_%d>" % i for i in range(3)]}
    config = dict(special, extra_ids=0, legacy=True, model_max_length=512, tokenizer_class="T5Tokenizer",
                  clean_up_tokenization_spaces=True)
    with open(os.path.join(path, "tokenizer_config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(path, "special_tokens_map.json"), "w") as f:
        json.dump(special, f, indent=2)
    return tok.get_vocab_size()


def encode_corpus_with_tokenizers(path, pad_id, lengths):
    """What a fast tokenizer built on this tokenizer.json returns for padding="max_length", truncation=True: the
    `tokenizers` library itself on the file (transformers 5 rebuilds T5's pipeline in code and drops the file's
    normalizer, so the library, not transformers 5, is the reference for tokenizer.json files)."""
    out = {}
    for n in lengths:
        tok = Tokenizer.from_file(path)
        tok.enable_truncation(max_length=n)
        tok.enable_padding(length=n, pad_id=pad_id)
        rows = []
        for text in CORPUS:
            e = tok.encode(text)
            rows.append({"ids": e.ids, "mask": e.attention_mask})
        out[str(n)] = rows
    return out


def encode_corpus(tok, lengths):
    out = {}
    for n in lengths:
        rows = []
        for text in CORPUS:
            e = tok(text, padding="max_length", max_length=n, truncation=True)
            rows.append({"ids": e["input_ids"], "mask": e["attention_mask"]})
        out[str(n)] = rows
    return out


def randomize(model, seed):
    """Random weights large enough that every layer matters, rounded to float16."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("layer_norm1.weight") or name.endswith("layer_norm2.weight") or "norm" in name and \
                    name.endswith(".weight") and p.dim() == 1:
                v = 1 + 0.2 * torch.randn(p.shape, generator=g)
            elif p.dim() == 1:
                v = 0.1 * torch.randn(p.shape, generator=g)
            elif "embedding" in name or "shared" in name or "embed_tokens" in name:
                v = torch.randn(p.shape, generator=g)
            elif "relative_attention_bias" in name:
                v = torch.randn(p.shape, generator=g)
            else:
                v = torch.randn(p.shape, generator=g) / p.shape[1] ** 0.5
            p.copy_(v.half().float())
    return model.eval()


def save_half(model, path):
    if os.path.exists(path):
        shutil.rmtree(path)
    model.half().save_pretrained(path, safe_serialization=True)
    model.float()


def clip_model(cls, path, seed, **kw):
    config = CLIPTextConfig(max_position_embeddings=77, layer_norm_eps=1e-5, bos_token_id=kw.pop("bos"),
                            pad_token_id=1, **kw)
    model = randomize(cls(config), seed)
    save_half(model, path)
    return model


def clip_outputs(model, ids, mask, prefix, io):
    """Unmasked (as the pipelines call CLIP): last, penultimate, hidden_states[-3] and the pooled outputs; with the
    attention mask: last and pooled."""
    with torch.no_grad():
        o = model(input_ids=ids, output_hidden_states=True)
        io[prefix + "_last"] = o.last_hidden_state
        io[prefix + "_penultimate"] = o.hidden_states[-2]
        io[prefix + "_hidden_skip1"] = o.hidden_states[-3]
        pooled = "_text_embeds" if hasattr(o, "text_embeds") else "_pooled"
        io[prefix + pooled] = o.text_embeds if hasattr(o, "text_embeds") else o.pooler_output
        o = model(input_ids=ids, attention_mask=mask)
        io[prefix + "_masked_last"] = o.last_hidden_state
        io[prefix + "_masked" + pooled] = o.text_embeds if hasattr(o, "text_embeds") else o.pooler_output


def batch(tok, texts, n):
    e = tok(texts, padding="max_length", max_length=n, truncation=True, return_tensors="pt")
    if isinstance(tok, T5TokenizerFast):
        # The model inputs must be what the tokenizer.json gives (see encode_corpus_with_tokenizers).
        lib = Tokenizer.from_file(os.path.join(OUT, "tokenizer_t5", "tokenizer.json"))
        lib.enable_truncation(max_length=n)
        lib.enable_padding(length=n, pad_id=0)
        assert [x.ids for x in lib.encode_batch(texts)] == e["input_ids"].tolist(), texts
    return e["input_ids"], e["attention_mask"]


def names_file(model, path, note):
    with open(path, "w") as f:
        f.write("# " + note + "\n")
        for k, v in model.state_dict().items():
            f.write("%s\t%s\n" % (k, ",".join(str(d) for d in v.shape)))


def real_names():
    """Names and shapes of the real models' tensors, from their config.json on the meta device (no weights)."""
    cfg = os.path.join(OUT, "real_configs")
    names = os.path.join(OUT, "names")
    os.makedirs(names, exist_ok=True)
    with torch.device("meta"):
        for folder, cls, prefix in (
                ("flux_text_encoder", CLIPTextModel, "text_model."),
                ("sd3_text_encoder", CLIPTextModelWithProjection, ""),
                ("sd3_text_encoder_2", CLIPTextModelWithProjection, ""),
                ("flux_text_encoder_2", T5EncoderModel, "")):
            with open(os.path.join(cfg, folder, "config.json")) as f:
                c = json.load(f)
            conf = (T5Config if cls is T5EncoderModel else CLIPTextConfig).from_dict(c)
            model = cls(conf)
            note = "%s from real_configs/%s/config.json on the meta device" % (cls.__name__, folder)
            if prefix:
                # transformers 5 builds CLIPTextModel without the text_model. level its 4.x checkpoints (the published
                # files) carry; the published names are these with the prefix.
                note += "; published names, i.e. with the text_model. prefix transformers 4 saved"
                sd = {prefix + k: v for k, v in model.state_dict().items()}
                with open(os.path.join(names, folder + ".txt"), "w") as f:
                    f.write("# " + note + "\n")
                    for k, v in sd.items():
                        f.write("%s\t%s\n" % (k, ",".join(str(d) for d in v.shape)))
            else:
                names_file(model, os.path.join(names, folder + ".txt"), note)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    clip_vocab = clip_bpe_folder(os.path.join(OUT, "tokenizer_clip"), EOS)
    clip_bpe_folder(os.path.join(OUT, "tokenizer_clip_g"), "!")
    t5_vocab = t5_unigram_folder(os.path.join(OUT, "tokenizer_t5"))
    clip_tok = CLIPTokenizer.from_pretrained(os.path.join(OUT, "tokenizer_clip"))
    clip_g_tok = CLIPTokenizer.from_pretrained(os.path.join(OUT, "tokenizer_clip_g"))
    t5_tok = T5TokenizerFast.from_pretrained(os.path.join(OUT, "tokenizer_t5"))
    corpus = {
        "transformers": __import__("transformers").__version__,
        "tokenizers": __import__("tokenizers").__version__,
        "texts": CORPUS,
        "tokenizer_clip": encode_corpus(clip_tok, [77, 16]),
        "tokenizer_clip_g": encode_corpus(clip_g_tok, [77]),
        "tokenizer_t5": encode_corpus_with_tokenizers(os.path.join(OUT, "tokenizer_t5", "tokenizer.json"), 0,
                                                      [512, 77, 16]),
    }
    with open(os.path.join(OUT, "corpus.json"), "w", encoding="utf-8") as f:
        json.dump(corpus, f, ensure_ascii=False, separators=(",", ":"))

    eos_id = clip_tok.convert_tokens_to_ids(EOS)
    bos_id = clip_tok.convert_tokens_to_ids(BOS)
    # CLIP-L as Flux reads it (hidden 8 = the tiny Flux fixture's pooled width); legacy eos_token_id 2.
    clip_l = clip_model(CLIPTextModel, os.path.join(OUT, "text_encoder_clip_l"), 1, vocab_size=clip_vocab,
                        hidden_size=8, intermediate_size=24, num_hidden_layers=3, num_attention_heads=2,
                        hidden_act="quick_gelu", eos_token_id=2, bos=bos_id, projection_dim=8)
    clip_l_proj = clip_model(CLIPTextModelWithProjection, os.path.join(OUT, "text_encoder_clip_l_proj"), 2,
                             vocab_size=clip_vocab, hidden_size=8, intermediate_size=24, num_hidden_layers=3,
                             num_attention_heads=2, hidden_act="quick_gelu", eos_token_id=2, bos=bos_id,
                             projection_dim=6)
    clip_g = clip_model(CLIPTextModelWithProjection, os.path.join(OUT, "text_encoder_clip_g"), 3,
                        vocab_size=clip_vocab, hidden_size=6, intermediate_size=20, num_hidden_layers=4,
                        num_attention_heads=3, hidden_act="gelu", eos_token_id=eos_id, bos=bos_id, projection_dim=10)
    t5 = randomize(T5EncoderModel(T5Config(
        vocab_size=t5_vocab, d_model=16, d_kv=4, num_heads=4, d_ff=32, num_layers=2, num_decoder_layers=2,
        relative_attention_num_buckets=32, relative_attention_max_distance=128, feed_forward_proj="gated-gelu",
        dropout_rate=0.0, layer_norm_epsilon=1e-6, tie_word_embeddings=False, pad_token_id=0, eos_token_id=1,
        decoder_start_token_id=0)), 4)
    save_half(t5, os.path.join(OUT, "text_encoder_t5"))

    texts = ["make the sky pink", "Give the cat a RED hat!! " + LONG]
    io = {}
    ids, mask = batch(clip_tok, texts, 77)
    gids, gmask = batch(clip_g_tok, texts, 77)
    io["clip_ids"], io["clip_mask"], io["clip_g_ids"], io["clip_g_mask"] = ids, mask, gids, gmask
    clip_outputs(clip_l, ids, mask, "clip_l", io)
    clip_outputs(clip_l_proj, ids, mask, "clip_l_proj", io)
    clip_outputs(clip_g, gids, gmask, "clip_g", io)
    save_file({k: v.contiguous() for k, v in io.items()}, os.path.join(OUT, "clip_io.safetensors"))

    t5_io = {}
    tids, tmask = batch(t5_tok, texts, 32)
    t5_io["ids"], t5_io["mask"] = tids, tmask
    with torch.no_grad():
        t5_io["output"] = t5(input_ids=tids).last_hidden_state
        t5_io["output_masked"] = t5(input_ids=tids, attention_mask=tmask).last_hidden_state
    save_file({k: v.contiguous() for k, v in t5_io.items()}, os.path.join(OUT, "t5_io.safetensors"))

    conditioning(clip_tok, clip_g_tok, t5_tok, clip_l, clip_l_proj, clip_g, t5)
    real_names()


def pack(latents):
    """diffusers' FluxPipeline._pack_latents: (B, C, H, W) -> (B, H/2 * W/2, C * 4)."""
    b, c, h, w = latents.shape
    return latents.view(b, c, h // 2, 2, w // 2, 2).permute(0, 2, 4, 1, 3, 5).reshape(b, (h // 2) * (w // 2), c * 4)


def unpack(tokens, h, w):
    """diffusers' FluxPipeline._unpack_latents in latent units."""
    b, n, c4 = tokens.shape
    return tokens.view(b, h // 2, w // 2, c4 // 4, 2, 2).permute(0, 3, 1, 4, 2, 5).reshape(b, c4 // 4, h, w)


def conditioning(clip_tok, clip_g_tok, t5_tok, clip_l, clip_l_proj, clip_g, t5):
    """Flux's and SD3's encode_prompt compositions of the real encoders, and one tiny Flux forward on the former."""
    from safetensors.torch import load_file
    import make_fixtures as mf

    io = {}
    prompts = ["give the cat a red hat", ""]
    flux_len, sd3_len = 24, 20
    with torch.no_grad():
        for i, p in enumerate(prompts):
            # FluxPipeline._get_t5_prompt_embeds / _get_clip_prompt_embeds: T5 unmasked, CLIP pooler_output.
            t5_ids, _ = batch(t5_tok, [p], flux_len)
            tokens = t5(input_ids=t5_ids).last_hidden_state
            ids, _ = batch(clip_tok, [p], 77)
            pooled = clip_l(input_ids=ids).pooler_output
            io["flux_%d_tokens" % i], io["flux_%d_pooled" % i] = tokens, pooled
            # StableDiffusion3Pipeline.encode_prompt: penultimate CLIP states, concatenated, padded, then T5.
            lo = clip_l_proj(input_ids=ids, output_hidden_states=True)
            gids, _ = batch(clip_g_tok, [p], 77)
            go = clip_g(input_ids=gids, output_hidden_states=True)
            clip_states = torch.cat([lo.hidden_states[-2], go.hidden_states[-2]], -1)
            clip_states = torch.nn.functional.pad(clip_states, (0, 16 - clip_states.shape[-1]))
            t5_ids, _ = batch(t5_tok, [p], sd3_len)
            t5_states = t5(input_ids=t5_ids).last_hidden_state
            io["sd3_%d_tokens" % i] = torch.cat([clip_states, t5_states], -2)
            io["sd3_%d_pooled" % i] = torch.cat([lo.text_embeds, go.text_embeds], -1)
        # The tiny Flux transformer (fixtures/flux_tiny_weights.safetensors) on the first prompt's conditioning, with
        # make_fixtures.py's reference forward (checked against FluxTransformer by FluxReferenceFixtureTest).
        w = load_file(os.path.join(FIX, "flux_tiny_weights.safetensors"))
        g = torch.Generator().manual_seed(17)
        rows, cols = 2, 2
        noisy = torch.randn(1, rows * cols, mf.IN_CH, generator=g)
        cond = torch.randn(1, rows * cols, mf.IN_CH, generator=g)
        hidden = torch.cat([noisy, cond], 1)
        img_ids = torch.tensor([[0, r, c] for r in range(rows) for c in range(cols)]
                               + [[1, r, c] for r in range(rows) for c in range(cols)], dtype=torch.int64)
        txt_ids = torch.zeros(flux_len, 3, dtype=torch.int64)
        t, gd = torch.tensor([0.6]), torch.tensor([2.5])
        io["flux_hidden"], io["flux_img_ids"], io["flux_txt_ids"] = hidden, img_ids, txt_ids
        io["flux_timestep"], io["flux_guidance"] = t, gd
        io["flux_velocity"] = mf.flux_forward(w, hidden, io["flux_0_tokens"], io["flux_0_pooled"], t, gd, img_ids,
                                              txt_ids)
        # A 3-step Kontext edit in latent space (FluxKontextPipeline's loop at guidance 2.5, BFL's schedule): the
        # noisy latents and the source image's latents packed 2x2 (axis 0 of the ids: 0 noisy, 1 source), the
        # velocity of the noisy tokens unpacked, Euler steps x += (t_next - t) v.
        noise = torch.randn(1, 4, 4, 4, generator=g)
        source = torch.randn(1, 4, 4, 4, generator=g)
        times, _ = mf.bfl_schedule(3, 4)
        x = noise
        for i in range(3):
            t = torch.tensor([times[i]], dtype=torch.float32)
            v = mf.flux_forward(w, torch.cat([pack(x), pack(source)], 1), io["flux_0_tokens"], io["flux_0_pooled"], t,
                                gd, img_ids, txt_ids)[:, :4]
            x = x + unpack(v, 4, 4) * (torch.tensor(times[i + 1], dtype=torch.float32) - t)
        io["kontext_noise"], io["kontext_source"], io["kontext_latents"] = noise, source, x
    save_file({k: v.contiguous() for k, v in io.items()}, os.path.join(OUT, "conditioning_io.safetensors"),
              metadata={"flux_max_sequence_length": str(flux_len), "sd3_max_sequence_length": str(sd3_len),
                        "prompts": json.dumps(prompts)})


if __name__ == "__main__":
    main()
