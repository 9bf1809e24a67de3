#!/usr/bin/env python3
"""MLLM-path fixtures for gptedit-models (issue 18), generated from the REAL implementations.

Everything here is produced by transformers' own classes (SiglipVisionModel, SiglipImageProcessorPil,
Qwen2VLImageProcessorPil, Qwen2_5_VLForConditionalGeneration), Pillow and the HuggingFace
`tokenizers` library; no model code is written here. Run from the repository root with the fixture venv:

    /work/pyenv/bin/python tools/make_mllm_fixtures.py

It writes, under gptedit-models/src/test/resources/io/gptedit/models/fixtures/mllm/:

  siglip/                   a tiny SiglipVisionModel (save_pretrained, float16, transformers names) with
                            preprocessor_config.json (32 x 32, bicubic, mean/std 0.5)
  siglip_floor/             a one-layer SiglipVisionModel whose patch (7) does not divide the image (30), as
                            so400m-patch14-384's 14 does not divide 384
  siglip_io.safetensors     source images (uint8 HWC), the PIL image processor's pixel_values for them (bicubic and
                            bilinear), and the tower's last_hidden_state and pooler_output on them (float32)
  qwen_preprocess.safetensors  for each case: the uint8 image, the processor's pixel_values and image_grid_thw
  qwen_preprocess.json      the cases (size, min/max pixels, resized size, grid, number of image tokens), plus
                            smart-resize results of the released preprocessor config (max_pixels 12,845,056) for
                            large sizes whose pixels are not stored
  qwen/                     a tiny Qwen2_5_VLForConditionalGeneration (float16) with its processor files:
                            tokenizer.json (a tiny byte-level BPE trained here with Qwen2's pipeline and Qwen's vision
                            special tokens), tokenizer_config.json, chat_template.json (Qwen2.5-VL's published
                            template), preprocessor_config.json
  qwen_io.safetensors       for two prompts (image + instruction in the chat template as UniWorld builds it): the
                            rendered text's ids, pixel_values, image_grid_thw, the M-RoPE position ids of
                            get_rope_index, the vision tower's merged image embeddings and the language model's last
                            hidden state (float32), and the states at 3 MetaQuery query embeddings appended to it
  release/                  a tiny GPT-Image-Edit release folder (UniWorld layout): config.json (the Qwen config with
                            model_type univa_qwen2p5vl and a denoise_tower section), two shards + index holding the
                            Qwen tensors, denoise_tower.denoiser.* (the tiny Flux of fixtures/flux_tiny_weights) and
                            denoise_tower.denoise_projector.{0,2}, the tokenizer and preprocessor files
  release_io.safetensors    one edit through it as the release's CLI runs it (see release()): the ids, pixels,
                            projected VLM tokens, [VLM ; T5] prompt embeddings, CLIP pooled vector and the final
                            latents of a 3-step Kontext loop from fixed noise and source latents
  names/*.txt               "name<TAB>shape" of every tensor of Qwen2.5-VL-7B-Instruct (published names) and of the
                            SigLIP so400m vision towers, from models built on the meta device from the real
                            config.json files in real_configs/ (no weights)

The weights are random but rounded to float16 so the float32 reference and the float16 files hold the same values;
the Java tests must reproduce every id and every output within 1e-4.
"""
import json
import math
import os
import shutil

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, decoders, trainers, Regex
from transformers import (PreTrainedTokenizerFast, Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration,
                          SiglipConfig, SiglipVisionConfig, SiglipVisionModel)
from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil, smart_resize
from transformers.models.siglip.image_processing_pil_siglip import SiglipImageProcessorPil

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "gptedit-models", "src", "test", "resources", "io", "gptedit", "models", "fixtures", "mllm")

# Qwen2's pre-tokenizer split (Qwen2Tokenizer's PRETOKENIZE_REGEX).
QWEN_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
              r"|\s+(?!\S)|\s+")
# Qwen2.5-VL's special tokens in their published order (ids 151643..151656 in the real vocabulary).
QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>",
                 "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>",
                 "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>"]
# Qwen2.5-VL-7B-Instruct's chat_template.json (the template of the published processor).
CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "{% endif %}<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}{{ message['content'] }}"
    "<|im_end|>\n{% else %}{% for content in message['content'] %}{% if content['type'] == 'image' or 'image' in "
    "content or 'image_url' in content %}{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}"
    "Picture {{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|><|vision_end|>{% elif content['type'] "
    "== 'video' or 'video' in content %}{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}"
    "Video {{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>{% elif 'text' in content "
    "%}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endif %}{% endfor %}{% if add_generation_prompt %}"
    "<|im_start|>assistant\n{% endif %}")

TRAINING_TEXT = [
    "make the sky pink", "give the cat a red hat", "turn the photo into a watercolor painting",
    "remove the person on the left", "replace the background with a beach at sunset", "You are a helpful assistant.",
    "add snow to the mountains", "change the car color to blue", "make it look like night time", "system user",
    "assistant", "the quick brown fox jumps over the lazy dog", "numbers 1234 and 56.78", "café naïve 東京",
]


def image(seed, h, w):
    """A uint8 HWC test image: smooth gradients plus noise, so resampling errors show everywhere."""
    r = np.random.RandomState(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([(x * 255 // max(w - 1, 1)), (y * 255 // max(h - 1, 1)), ((x + y) * 7) % 256], -1)
    noise = r.randint(-60, 61, size=(h, w, 3))
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def randomize(model, seed):
    """Random weights large enough that every layer matters, rounded to float16."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ("norm" in name or "ln_" in name) and name.endswith(".weight") and p.dim() == 1:
                v = 1 + 0.2 * torch.randn(p.shape, generator=g)
            elif p.dim() == 1:
                v = 0.1 * torch.randn(p.shape, generator=g)
            elif "embed_tokens" in name or "position_embedding" in name or "probe" in name:
                v = torch.randn(p.shape, generator=g)
            else:
                fan_in = p[0].numel()
                v = torch.randn(p.shape, generator=g) / fan_in ** 0.5
            p.copy_(v.half().float())
    return model.eval()


def save_half(model, path):
    if os.path.exists(path):
        shutil.rmtree(path)
    model.half().save_pretrained(path, safe_serialization=True)
    model.float()


def names_file(state, path, note):
    with open(path, "w") as f:
        f.write("# " + note + "\n")
        for k, v in state.items():
            f.write("%s\t%s\n" % (k, ",".join(str(d) for d in v.shape)))


# ---------------------------------------------------------------------------------------------------------- SigLIP
def siglip():
    config = SiglipVisionConfig(hidden_size=16, intermediate_size=40, num_hidden_layers=2, num_attention_heads=2,
                                num_channels=3, image_size=32, patch_size=8, hidden_act="gelu_pytorch_tanh",
                                layer_norm_eps=1e-6)
    model = randomize(SiglipVisionModel(config), 11)
    folder = os.path.join(OUT, "siglip")
    save_half(model, folder)
    bicubic = SiglipImageProcessorPil(size={"height": 32, "width": 32}, resample=3)
    bilinear = SiglipImageProcessorPil(size={"height": 32, "width": 32}, resample=2)
    bicubic.save_pretrained(folder)
    io = {}
    sizes = [(45, 37), (20, 50), (32, 32)]
    for i, (h, w) in enumerate(sizes):
        img = image(100 + i, h, w)
        io["image_%d" % i] = torch.from_numpy(img)
        for name, proc in (("bicubic", bicubic), ("bilinear", bilinear)):
            pv = proc(images=Image.fromarray(img), return_tensors="pt")["pixel_values"]
            io["pixel_values_%s_%d" % (name, i)] = pv
        with torch.no_grad():
            o = model(pixel_values=io["pixel_values_bicubic_%d" % i])
        io["last_hidden_state_%d" % i] = o.last_hidden_state
        io["pooler_output_%d" % i] = o.pooler_output
    # A patch that does not divide the image (as so400m-patch14-384: 384 / 14 = 27.4): the convolution drops the
    # remainder. Image 30, patch 7: 4 x 4 tokens.
    floor_config = SiglipVisionConfig(hidden_size=16, intermediate_size=40, num_hidden_layers=1, num_attention_heads=2,
                                      num_channels=3, image_size=30, patch_size=7, hidden_act="gelu_pytorch_tanh",
                                      layer_norm_eps=1e-6)
    floor = randomize(SiglipVisionModel(floor_config), 12)
    save_half(floor, os.path.join(OUT, "siglip_floor"))
    g = torch.Generator().manual_seed(13)
    io["floor_pixel_values"] = torch.randn(1, 3, 30, 30, generator=g)
    with torch.no_grad():
        o = floor(pixel_values=io["floor_pixel_values"])
    io["floor_last_hidden_state"] = o.last_hidden_state
    io["floor_pooler_output"] = o.pooler_output
    save_file({k: v.contiguous() for k, v in io.items()}, os.path.join(OUT, "siglip_io.safetensors"),
              metadata={"sizes": json.dumps(sizes)})


# ------------------------------------------------------------------------------------------- Qwen preprocessing
RELEASED_MIN, RELEASED_MAX = 3136, 12845056


def qwen_preprocess():
    cases = [
        # (name, h, w, min_pixels, max_pixels)
        ("tiny", 20, 13, RELEASED_MIN, RELEASED_MAX),
        ("odd", 97, 61, RELEASED_MIN, RELEASED_MAX),
        ("exact", 56, 84, RELEASED_MIN, RELEASED_MAX),
        ("wide", 30, 400, RELEASED_MIN, RELEASED_MAX),
        ("tall", 350, 25, RELEASED_MIN, RELEASED_MAX),
        ("above_max", 150, 130, RELEASED_MIN, 28 * 28 * 8),
        ("above_max_wide", 40, 600, RELEASED_MIN, 28 * 28 * 12),
    ]
    full = ("tiny",)
    io, meta = {}, []
    for i, (name, h, w, lo, hi) in enumerate(cases):
        proc = Qwen2VLImageProcessorPil(min_pixels=lo, max_pixels=hi)
        img = image(200 + i, h, w)
        out = proc(images=Image.fromarray(img), return_tensors="pt")
        rh, rw = smart_resize(h, w, 28, lo, hi)
        # The resized uint8 image (what the processor resizes to, with PIL's bicubic filter); normalising and
        # patchifying it without resizing must give the processor's pixel_values, which the fixture stores in full
        # for the small cases only (the others' are the same arithmetic on the stored resized pixels).
        resized = np.asarray(Image.fromarray(img).resize((rw, rh), Image.Resampling.BICUBIC))
        again = proc(images=Image.fromarray(resized), do_resize=False, return_tensors="pt")["pixel_values"]
        assert torch.equal(again, out["pixel_values"]), name
        io[name + "_image"] = torch.from_numpy(img)
        io[name + "_resized"] = torch.from_numpy(resized.copy())
        if name in full:
            io[name + "_pixel_values"] = out["pixel_values"]
        io[name + "_grid_thw"] = out["image_grid_thw"]
        grid = out["image_grid_thw"][0].tolist()
        meta.append({"name": name, "height": h, "width": w, "min_pixels": lo, "max_pixels": hi,
                     "resized": [rh, rw], "grid_thw": grid, "image_tokens": grid[0] * grid[1] * grid[2] // 4})
    # The released preprocessor config's bounds on large and extreme sizes (arithmetic only; no pixels stored).
    released = []
    for h, w in [(4000, 3300), (3600, 3600), (1024, 1024), (8000, 6000), (5000, 40), (100, 19000), (3, 3),
                 (1080, 1920), (12845, 1000), (29, 29)]:
        rh, rw = smart_resize(h, w, 28, RELEASED_MIN, RELEASED_MAX)
        p = Qwen2VLImageProcessorPil(min_pixels=RELEASED_MIN, max_pixels=RELEASED_MAX)
        n = p.get_number_of_image_patches(h, w, {})
        released.append({"height": h, "width": w, "resized": [rh, rw], "patches": n, "image_tokens": n // 4})
    save_file({k: v.contiguous() for k, v in io.items()}, os.path.join(OUT, "qwen_preprocess.safetensors"))
    with open(os.path.join(OUT, "qwen_preprocess.json"), "w") as f:
        json.dump({"cases": meta, "released": released, "released_min_pixels": RELEASED_MIN,
                   "released_max_pixels": RELEASED_MAX}, f, indent=1)


# ------------------------------------------------------------------------------------------------- Qwen2.5-VL
def qwen_tokenizer(folder):
    """A tiny byte-level BPE with Qwen2's pipeline (NFC, regex split, ByteLevel, no BOS) and Qwen's specials."""
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN_SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=400, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(TRAINING_TEXT * 4, trainer)
    tok.add_special_tokens(QWEN_SPECIALS)
    os.makedirs(folder, exist_ok=True)
    tok.save(os.path.join(folder, "tokenizer.json"))
    decoder = {str(tok.token_to_id(t)): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                                         "single_word": False, "special": True} for t in QWEN_SPECIALS}
    config = {"added_tokens_decoder": decoder, "bos_token": None, "eos_token": "<|im_end|>",
              "pad_token": "<|endoftext|>", "unk_token": None, "model_max_length": 131072,
              "clean_up_tokenization_spaces": False, "errors": "replace", "split_special_tokens": False,
              "tokenizer_class": "Qwen2Tokenizer", "processor_class": "Qwen2_5_VLProcessor"}
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(config, f, indent=2, ensure_ascii=False)
    with open(os.path.join(folder, "chat_template.json"), "w") as f:
        json.dump({"chat_template": CHAT_TEMPLATE}, f, indent=2)
    return tok


def qwen():
    folder = os.path.join(OUT, "qwen")
    if os.path.exists(folder):
        shutil.rmtree(folder)
    tok = qwen_tokenizer(folder)
    ids = {t: tok.token_to_id(t) for t in QWEN_SPECIALS}
    config = Qwen2_5_VLConfig(
        text_config=dict(vocab_size=tok.get_vocab_size(), hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-6, max_position_embeddings=512,
                         hidden_act="silu", tie_word_embeddings=False,
                         rope_parameters={"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [2, 1, 1]},
                         bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|im_end|>"]),
        vision_config=dict(depth=4, hidden_size=16, intermediate_size=24, num_heads=2, out_hidden_size=32,
                           patch_size=14, spatial_merge_size=2, temporal_patch_size=2, window_size=56,
                           fullatt_block_indexes=[1, 3], in_channels=3, hidden_act="silu", tokens_per_second=2),
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"],
        tie_word_embeddings=False)
    model = randomize(Qwen2_5_VLForConditionalGeneration(config), 21)
    model.half().save_pretrained(folder, safe_serialization=True)
    # Reloaded in float32 rather than cast back: .half() also rounds the rotary inv_freq buffers, which a loaded
    # model computes in float32.
    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(folder, dtype=torch.float32).eval()
    improc = Qwen2VLImageProcessorPil(min_pixels=56 * 56, max_pixels=28 * 28 * 24)
    improc.save_pretrained(folder)
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=os.path.join(folder, "tokenizer.json"),
                                        eos_token="<|im_end|>", pad_token="<|endoftext|>")
    tokenizer.chat_template = CHAT_TEMPLATE
    library = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    io, meta = {}, []
    cases = [("make the sky pink", 84, 84), ("Give the cat a RED hat!! café", 61, 47)]
    for i, (instruction, h, w) in enumerate(cases):
        img = image(300 + i, h, w)
        # What Qwen2_5_VLProcessor does (its video processor needs torchvision, absent here, so its steps are
        # spelled out): the chat template, the image processor, each <|image_pad|> repeated grid_thw.prod() / 4
        # times, the tokenizer, and mm_token_type_ids 1 on image tokens.
        messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": instruction}]}]
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        pix = improc(images=Image.fromarray(img), return_tensors="pt")
        n = int(pix["image_grid_thw"][0].prod()) // 4
        expanded = text.replace("<|image_pad|>", "<|image_pad|>" * n)
        input_ids = torch.tensor([tokenizer(expanded)["input_ids"]])
        # The ids must be what the tokenizers library gives (the Java side runs the library).
        assert library.encode(expanded).ids == input_ids[0].tolist(), instruction
        mm = (input_ids == ids["<|image_pad|>"]).int()
        enc = {"input_ids": input_ids, "attention_mask": torch.ones_like(input_ids), "mm_token_type_ids": mm,
               "pixel_values": pix["pixel_values"], "image_grid_thw": pix["image_grid_thw"]}
        with torch.no_grad():
            inner = model.model
            position_ids, _ = inner.get_rope_index(enc["input_ids"], enc["mm_token_type_ids"],
                                                   image_grid_thw=enc["image_grid_thw"])
            embeds = inner.get_image_features(enc["pixel_values"], enc["image_grid_thw"]).pooler_output[0]
            out = inner(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                        pixel_values=enc["pixel_values"], image_grid_thw=enc["image_grid_thw"],
                        mm_token_type_ids=enc["mm_token_type_ids"])
        p = "case%d_" % i
        # MetaQuery: N learned query embeddings appended after the prompt (positions continue as text), the
        # language model's states at those positions.
        g = torch.Generator().manual_seed(40 + i)
        queries = torch.randn(3, config.text_config.hidden_size, generator=g).half().float()
        with torch.no_grad():
            ids_q = torch.cat([enc["input_ids"], torch.zeros(1, 3, dtype=torch.long)], 1)
            mm_q = torch.cat([enc["mm_token_type_ids"], torch.zeros(1, 3, dtype=torch.int)], 1)
            pos_q, _ = inner.get_rope_index(ids_q, mm_q, image_grid_thw=enc["image_grid_thw"])
            emb = inner.get_input_embeddings()(enc["input_ids"])
            emb = emb.masked_scatter((enc["input_ids"] == ids["<|image_pad|>"])[..., None].expand_as(emb), embeds)
            emb = torch.cat([emb, queries[None]], 1)
            q_out = inner.language_model(inputs_embeds=emb, position_ids=pos_q).last_hidden_state
        io[p + "queries"] = queries
        io[p + "query_states"] = q_out[:, -3:]
        io[p + "image"] = torch.from_numpy(img)
        io[p + "input_ids"] = enc["input_ids"]
        io[p + "pixel_values"] = enc["pixel_values"]
        io[p + "grid_thw"] = enc["image_grid_thw"]
        io[p + "position_ids"] = position_ids[:, 0, :]
        io[p + "image_embeds"] = embeds
        io[p + "last_hidden_state"] = out.last_hidden_state
        meta.append({"instruction": instruction, "text": text, "height": h, "width": w})
    save_file({k: v.contiguous() for k, v in io.items()}, os.path.join(OUT, "qwen_io.safetensors"),
              metadata={"cases": json.dumps(meta, ensure_ascii=False), "special_ids": json.dumps(ids)})


# ------------------------------------------------------------------------------------------------ real names
def real_names():
    cfg = os.path.join(OUT, "real_configs")
    names = os.path.join(OUT, "names")
    os.makedirs(names, exist_ok=True)
    with torch.device("meta"):
        with open(os.path.join(cfg, "qwen2_5_vl_7b_instruct", "config.json")) as f:
            c = Qwen2_5_VLConfig.from_dict(json.load(f))
        model = Qwen2_5_VLForConditionalGeneration(c)
        # transformers 5 nests the modules (model.visual., model.language_model.); the published checkpoint files
        # (written by transformers 4) carry visual. and model. at the top: list the published names.
        published = {}
        for k, v in model.state_dict().items():
            if k.startswith("model.visual."):
                k = "visual." + k[len("model.visual."):]
            elif k.startswith("model.language_model."):
                k = "model." + k[len("model.language_model."):]
            published[k] = v
        names_file(published, os.path.join(names, "qwen2_5_vl_7b_instruct.txt"),
                   "Qwen2_5_VLForConditionalGeneration from real_configs/qwen2_5_vl_7b_instruct/config.json on the "
                   "meta device; published (transformers 4) names: visual.* and model.* instead of model.visual.* "
                   "and model.language_model.*")
        for folder in ("siglip_so400m_patch14_384", "siglip2_so400m_patch16_512"):
            with open(os.path.join(cfg, folder, "config.json")) as f:
                c = SiglipConfig.from_dict(json.load(f))
            model = SiglipVisionModel(c.vision_config)
            # transformers 5 drops the vision_model. level on SiglipVisionModel; the published files carry it.
            names_file({"vision_model." + k: v for k, v in model.state_dict().items()}, os.path.join(names, folder + "_vision.txt"),
                       "SiglipVisionModel from the vision_config of real_configs/%s/config.json on the meta device "
                       "(the vision_model.* tensors of the published SiglipModel file, which also holds text_model.*, "
                       "logit_scale and logit_bias)" % folder)


# ------------------------------------------------------------------------------------------ the release (tiny)
def qwen_vl_utils_size(height, width, factor, min_pixels, max_pixels):
    """qwen-vl-utils' smart_resize (fetch_image's size for an image with its own min/max_pixels), written from its
    published source because the package is not installable here: like transformers' but the rounded sides are at
    least one factor before the bounds are applied."""
    h_bar = max(factor, round(height / factor) * factor)
    w_bar = max(factor, round(width / factor) * factor)
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt((height * width) / max_pixels)
        h_bar = math.floor(height / beta / factor) * factor
        w_bar = math.floor(width / beta / factor) * factor
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = math.ceil(height * beta / factor) * factor
        w_bar = math.ceil(width * beta / factor) * factor
    return h_bar, w_bar


def release():
    """A tiny GPT-Image-Edit release folder and one edit through it, as the release's CLI (univa/serve/cli.py)
    runs it: the user turn holds the instruction then the image, the system turn is cut from the chat text, the
    image goes through qwen-vl-utils' fetch_image (resized to its own min/max pixels with Pillow's default bicubic)
    and then the processor (same bounds), the Qwen last hidden state of every token through
    denoise_tower.denoise_projector (Linear, SiLU, Linear), then [those tokens ; T5 tokens of the instruction]
    with CLIP's pooled vector drive FLUX.1-Kontext; here a 3-step Kontext loop in latent space (make_fixtures.py's
    Flux forward, BFL's schedule, guidance 3.5), from fixed noise and source latents."""
    import sys
    sys.path.insert(0, os.path.join(ROOT, "gptedit-models", "src", "test", "python"))
    import make_fixtures as mf
    from safetensors.torch import load_file
    from transformers import CLIPTextModel, T5EncoderModel, CLIPTokenizer

    fix = os.path.join(ROOT, "gptedit-models", "src", "test", "resources", "io", "gptedit", "models", "fixtures")
    text_fix = os.path.join(fix, "text")
    folder = os.path.join(OUT, "release")
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    qwen_folder = os.path.join(OUT, "qwen")
    for f in ("tokenizer.json", "tokenizer_config.json", "chat_template.json"):
        shutil.copy(os.path.join(qwen_folder, f), folder)
    pixels = 28 * 28 * 6  # min = max, as the CLI's 448 * 448
    improc = Qwen2VLImageProcessorPil(min_pixels=pixels, max_pixels=pixels)
    improc.save_pretrained(folder)
    qwen = Qwen2_5_VLForConditionalGeneration.from_pretrained(qwen_folder, dtype=torch.float32).eval()
    qwen_state = load_file(os.path.join(qwen_folder, "model.safetensors"))
    flux_w = load_file(os.path.join(fix, "flux_tiny_weights.safetensors"))
    g = torch.Generator().manual_seed(31)
    d_in, d_out = 32, mf.JOINT
    proj = {"denoise_tower.denoise_projector.0.weight": torch.randn(3 * d_out, d_in, generator=g) / d_in ** 0.5,
            "denoise_tower.denoise_projector.0.bias": 0.1 * torch.randn(3 * d_out, generator=g),
            "denoise_tower.denoise_projector.2.weight": torch.randn(d_out, 3 * d_out, generator=g) / (3 * d_out) ** 0.5,
            "denoise_tower.denoise_projector.2.bias": 0.1 * torch.randn(d_out, generator=g)}
    proj = {k: v.half().float() for k, v in proj.items()}
    state = dict(qwen_state)
    state.update({"denoise_tower.denoiser." + k: v for k, v in flux_w.items()})
    state.update({k: v.half() for k, v in proj.items()})
    # Two shards and an index, as the release ships its weights.
    names = sorted(state)
    half = len(names) // 2
    shards = {"model-00001-of-00002.safetensors": names[:half], "model-00002-of-00002.safetensors": names[half:]}
    weight_map = {}
    for shard, keys in shards.items():
        save_file({k: state[k].contiguous() for k in keys}, os.path.join(folder, shard), metadata={"format": "pt"})
        weight_map.update({k: shard for k in keys})
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": weight_map}, f, indent=1)
    with open(os.path.join(qwen_folder, "config.json")) as f:
        config = json.load(f)
    config["model_type"] = "univa_qwen2p5vl"
    config["architectures"] = ["UnivaQwen2p5VLForConditionalGeneration"]
    config["denoise_tower"] = {"denoiser_type": "flux", "denoise_projector_type": "mlp2x_gelu",
                               "input_hidden_size": d_in, "output_hidden_size": d_out}
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=1)

    instruction = "give the cat a red hat"
    img = image(400, 61, 47)
    # qwen-vl-utils' fetch_image, then the processor.
    rh, rw = qwen_vl_utils_size(61, 47, 28, pixels, pixels)
    fetched = Image.fromarray(img).resize((rw, rh))
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=os.path.join(folder, "tokenizer.json"))
    tokenizer.chat_template = CHAT_TEMPLATE
    messages = [{"role": "user", "content": [{"type": "text", "text": instruction},
                                             {"type": "image", "image": "x", "min_pixels": pixels,
                                              "max_pixels": pixels}]}]
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    text = "<|im_end|>\n".join(text.split("<|im_end|>\n")[1:])  # the CLI drops the system turn
    pix = improc(images=fetched, return_tensors="pt")
    n = int(pix["image_grid_thw"][0].prod()) // 4
    ids = torch.tensor([tokenizer(text.replace("<|image_pad|>", "<|image_pad|>" * n))["input_ids"]])
    image_id = tokenizer.convert_tokens_to_ids("<|image_pad|>")
    with torch.no_grad():
        hidden = qwen.model(input_ids=ids, attention_mask=torch.ones_like(ids), pixel_values=pix["pixel_values"],
                            image_grid_thw=pix["image_grid_thw"],
                            mm_token_type_ids=(ids == image_id).int()).last_hidden_state
        h = hidden @ proj["denoise_tower.denoise_projector.0.weight"].T + proj["denoise_tower.denoise_projector.0.bias"]
        lvlm = torch.nn.functional.silu(h) @ proj["denoise_tower.denoise_projector.2.weight"].T \
            + proj["denoise_tower.denoise_projector.2.bias"]
        # FLUX's text encoders (the tiny T5 and CLIP-L of the text fixtures), as the CLI's encode_prompt: T5
        # unmasked at a fixed length, CLIP's pooled output.
        t5 = T5EncoderModel.from_pretrained(os.path.join(text_fix, "text_encoder_t5"), dtype=torch.float32).eval()
        clip = CLIPTextModel.from_pretrained(os.path.join(text_fix, "text_encoder_clip_l"),
                                             dtype=torch.float32).eval()
        t5_len = 24
        t5_lib = Tokenizer.from_file(os.path.join(text_fix, "tokenizer_t5", "tokenizer.json"))
        t5_lib.enable_truncation(max_length=t5_len)
        t5_lib.enable_padding(length=t5_len, pad_id=0)
        t5_tokens = t5(input_ids=torch.tensor([t5_lib.encode(instruction).ids])).last_hidden_state
        clip_tok = CLIPTokenizer.from_pretrained(os.path.join(text_fix, "tokenizer_clip"))
        clip_ids = clip_tok([instruction], padding="max_length", max_length=77, truncation=True,
                            return_tensors="pt")["input_ids"]
        pooled = clip(input_ids=clip_ids).pooler_output
        prompt_embeds = torch.cat([lvlm, t5_tokens], 1)
        # A 3-step Kontext edit in latent space (as make_text_fixtures.py's conditioning()).
        noise = torch.randn(1, 4, 4, 4, generator=g)
        source = torch.randn(1, 4, 4, 4, generator=g)
        rows = cols = 2
        img_ids = torch.tensor([[0, r, c] for r in range(rows) for c in range(cols)]
                               + [[1, r, c] for r in range(rows) for c in range(cols)], dtype=torch.int64)
        txt_ids = torch.zeros(prompt_embeds.shape[1], 3, dtype=torch.int64)
        guidance = torch.tensor([3.5])
        times, _ = mf.bfl_schedule(3, 4)
        x = noise
        for i in range(3):
            t = torch.tensor([times[i]], dtype=torch.float32)
            v = mf.flux_forward(flux_w, torch.cat([pack(x), pack(source)], 1), prompt_embeds, pooled, t, guidance,
                                img_ids, txt_ids)[:, :4]
            x = x + unpack(v, 4, 4) * (torch.tensor(times[i + 1], dtype=torch.float32) - t)
    io = {"image": torch.from_numpy(img), "fetched": torch.from_numpy(np.asarray(fetched).copy()),
          "input_ids": ids, "pixel_values": pix["pixel_values"], "grid_thw": pix["image_grid_thw"],
          "lvlm_embeds": lvlm, "prompt_embeds": prompt_embeds, "pooled": pooled, "noise": noise, "source": source,
          "latents": x}
    save_file({k: v.contiguous() for k, v in io.items()}, os.path.join(OUT, "release_io.safetensors"),
              metadata={"instruction": instruction, "text": text, "t5_length": str(t5_len), "guidance": "3.5",
                        "steps": "3", "pixels": str(pixels)})


def pack(latents):
    """diffusers' FluxPipeline._pack_latents: (B, C, H, W) -> (B, H/2 * W/2, C * 4)."""
    b, c, h, w = latents.shape
    return latents.view(b, c, h // 2, 2, w // 2, 2).permute(0, 2, 4, 1, 3, 5).reshape(b, (h // 2) * (w // 2), c * 4)


def unpack(tokens, h, w):
    """diffusers' FluxPipeline._unpack_latents in latent units."""
    b, n, c4 = tokens.shape
    return tokens.view(b, h // 2, w // 2, c4 // 4, 2, 2).permute(0, 3, 1, 4, 2, 5).reshape(b, c4 // 4, h, w)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    siglip()
    qwen_preprocess()
    qwen()
    real_names()
    release()


if __name__ == "__main__":
    main()
