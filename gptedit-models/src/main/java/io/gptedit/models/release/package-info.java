/**
 * The paper's released editor (GPT-Image-Edit, built on UniWorld-V1) loaded from local folders: Qwen2.5-VL, the
 * MLP connector and FLUX.1-Kontext-dev, editing with {@code [projected VLM tokens ; T5 tokens]}.
 */
package io.gptedit.models.release;
