"""Writes the MetaQuery connector-encoder fixture: a tiny bidirectional Qwen2 encoder stack.

transformers' own Qwen2 decoder layers (random weights, eager attention) run over a (B, N, d) input with a 4-D
additive attention mask of zeros (every position sees every position) and rotary positions 0..N-1, then the model's
final RMSNorm. The file holds the weights under the names TextFusion gives them
(connector_encoder.layers.{i}.*, connector_encoder.norm.weight), the input `input` and the output `output`, so
QwenConnectorEncoder's Java forward can be checked against it (float32, 1e-4).

Run: /work/pyenv/bin/python tools/make_metaquery_connector_fixture.py
"""
import os

import torch
from safetensors.torch import save_file
from transformers import Qwen2Config, Qwen2Model

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "gptedit-models", "src", "test", "resources", "io", "gptedit", "models", "fixtures",
                   "mllm", "metaquery_connector.safetensors")

# Sizes the Java test repeats: width 32, 4 heads of 8, 2 kv heads, MLP 48, 2 layers, theta 10000, eps 1e-6.
HIDDEN, HEADS, KV_HEADS, INTERMEDIATE, LAYERS, THETA, EPS = 32, 4, 2, 48, 2, 10000.0, 1e-6
BATCH, QUERIES = 2, 5


def main():
    torch.manual_seed(7)
    config = Qwen2Config(vocab_size=16, hidden_size=HIDDEN, intermediate_size=INTERMEDIATE,
                         num_hidden_layers=LAYERS, num_attention_heads=HEADS, num_key_value_heads=KV_HEADS,
                         rms_norm_eps=EPS, rope_theta=THETA, max_position_embeddings=64)
    config._attn_implementation = "eager"
    model = Qwen2Model(config).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight") or "layernorm" in name:
                p.copy_(1 + 0.2 * torch.randn_like(p))
            else:
                p.copy_(0.3 * torch.randn_like(p))
    x = torch.randn(BATCH, QUERIES, HIDDEN)
    with torch.no_grad():
        positions = torch.arange(QUERIES).unsqueeze(0).expand(BATCH, -1)
        rope = model.rotary_emb(x, positions)
        mask = torch.zeros(BATCH, 1, QUERIES, QUERIES)  # additive, all visible: bidirectional
        h = x
        for layer in model.layers:
            out = layer(h, attention_mask=mask, position_ids=positions, position_embeddings=rope)
            h = out[0] if isinstance(out, tuple) else out
        y = model.norm(h)
        # The same layers with a causal mask differ, so the fixture proves the mask is not causal.
        causal = torch.triu(torch.full((QUERIES, QUERIES), torch.finfo(torch.float32).min), 1)
        h = x
        for layer in model.layers:
            out = layer(h, attention_mask=causal.expand(BATCH, 1, -1, -1), position_ids=positions,
                        position_embeddings=rope)
            h = out[0] if isinstance(out, tuple) else out
        assert (model.norm(h) - y).abs().max() > 1e-3
    tensors = {"connector_encoder." + k: v.contiguous() for k, v in model.state_dict().items()
               if k.startswith("layers.") or k == "norm.weight"}
    tensors["input"] = x.contiguous()
    tensors["output"] = y.contiguous()
    save_file(tensors, OUT, metadata={"transformers": __import__("transformers").__version__,
                                      "torch": torch.__version__})
    print(OUT, len(tensors), "tensors")


if __name__ == "__main__":
    main()
