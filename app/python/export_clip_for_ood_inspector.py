#!/usr/bin/env python3
"""Export a CLIP model for OOD Inspector's zero-shot detectors (MCM, NegLabel, NegRefine).

OOD Inspector runs the image and the text side of CLIP from one TorchScript file
(docs/model-contract.md, "CLIP"). This script writes it, from OpenAI's `clip` package or from
`open_clip`:

    export_clip_for_ood_inspector.py --source openai --name ViT-B/16 --out clip.pt
    export_clip_for_ood_inspector.py --source open_clip --name ViT-B-16 --pretrained openai --out clip.pt

or, for a fine-tuned CLIP in your own code (any nn.Module with encode_image, encode_text and
logit_scale):

    from export_clip_for_ood_inspector import export_clip
    export_clip(model, "clip.pt", merges_path="bpe_simple_vocab_16e6.txt.gz", architecture="my-clip")

The file holds encode_image(Tensor[N,3,H,W]) -> [N,D] and encode_text(Tensor[N,L] int64) -> [N,D]
(raw embeddings, not normalised, L up to the context length), the exponentiated logit scale, the
tokenizer's merges and the preprocessing. nn.MultiheadAttention is replaced by the same
computation written out before tracing: PyTorch 2.x would otherwise record
scaled_dot_product_attention, which the LibTorch 1.13 of OOD Inspector cannot run. After saving,
the file is loaded back and compared with the original model; the export fails when they differ.

Needs torch, and torchvision for the packaged models' preprocessing. Runs on the CPU.
"""

import argparse
import contextlib
import copy
import gzip
import inspect
import json
import math
import os
import sys
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

# OpenAI CLIP's normalisation (clip/clip.py _transform), also open_clip's OPENAI_DATASET_MEAN/STD.
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
RESIZE_POLICY = "short_side_bicubic_center_crop"
MERGES_FILE_NAME = "bpe_simple_vocab_16e6.txt.gz"
# Relative difference (to the largest reference value) above which the export is refused.
TOLERANCE = 1e-5

# open_clip's model names for OpenAI's, so --name ViT-B-16 works with either source.
OPENAI_NAMES = {
    "ViT-B-32": "ViT-B/32", "ViT-B-16": "ViT-B/16", "ViT-L-14": "ViT-L/14", "ViT-L-14-336": "ViT-L/14@336px",
}


# ----------------------------------------------------------------------------------------------
# Attention written out


class ExplicitMultiheadAttention(nn.Module):
    """What nn.MultiheadAttention computes at inference, in plain operators (linear, bmm,
    softmax): PyTorch 2.x traces nn.MultiheadAttention to scaled_dot_product_attention, which
    LibTorch 1.13 cannot load. Same call signature and parameters (shared, not copied).

    An attention mask larger than the sequence is cut to its top-left [Lq, Lk] block: CLIP keeps
    one causal mask of the context length and the exported text side runs shorter sequences, for
    which the top-left block of a causal mask is the causal mask."""

    def __init__(self, attention: nn.MultiheadAttention):
        super().__init__()
        if attention.bias_k is not None or attention.bias_v is not None or attention.add_zero_attn:
            raise ValueError("nn.MultiheadAttention with bias_k/bias_v or add_zero_attn is not supported")
        self.num_heads = attention.num_heads
        self.head_dim = attention.head_dim
        self.embed_dim = attention.embed_dim
        self.batch_first = bool(getattr(attention, "batch_first", False))
        self.packed = bool(attention._qkv_same_embed_dim)
        if self.packed:
            self.in_proj_weight = attention.in_proj_weight
        else:
            self.q_proj_weight = attention.q_proj_weight
            self.k_proj_weight = attention.k_proj_weight
            self.v_proj_weight = attention.v_proj_weight
        self.in_proj_bias = attention.in_proj_bias
        self.out_proj = attention.out_proj

    def _projections(self, query: Tensor, key: Tensor, value: Tensor):
        e = self.embed_dim
        bias = self.in_proj_bias
        bq, bk, bv = (None, None, None) if bias is None else (bias[:e], bias[e:2 * e], bias[2 * e:])
        if self.packed:
            if query is key and key is value:
                return F.linear(query, self.in_proj_weight, bias).chunk(3, dim=-1)
            w = self.in_proj_weight
            return F.linear(query, w[:e], bq), F.linear(key, w[e:2 * e], bk), F.linear(value, w[2 * e:], bv)
        return (F.linear(query, self.q_proj_weight, bq), F.linear(key, self.k_proj_weight, bk),
                F.linear(value, self.v_proj_weight, bv))

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Optional[Tensor] = None,
                need_weights: bool = True, attn_mask: Optional[Tensor] = None, average_attn_weights: bool = True,
                is_causal: bool = False):
        if self.batch_first:
            same_kv = key is value
            same_qk = query is key
            query = query.transpose(0, 1)
            key = query if same_qk else key.transpose(0, 1)
            value = key if same_kv else value.transpose(0, 1)
        target, batch = query.size(0), query.size(1)
        source = key.size(0)
        q, k, v = self._projections(query, key, value)
        heads = self.num_heads
        # [L, N, E] -> [N*heads, L, head_dim], the layout nn.MultiheadAttention uses.
        q = q.reshape(target, batch * heads, self.head_dim).transpose(0, 1)
        k = k.reshape(source, batch * heads, self.head_dim).transpose(0, 1)
        v = v.reshape(source, batch * heads, self.head_dim).transpose(0, 1)
        scores = torch.bmm(q / math.sqrt(self.head_dim), k.transpose(1, 2))
        if attn_mask is None and is_causal:
            attn_mask = torch.ones(target, source, dtype=torch.bool, device=q.device).triu(1)
        if attn_mask is not None:
            mask = attn_mask[..., :target, :source]
            if mask.dtype == torch.bool:
                mask = torch.zeros(mask.shape, dtype=scores.dtype, device=scores.device).masked_fill(
                    mask, float("-inf"))
            scores = scores + mask.to(scores.dtype)
        if key_padding_mask is not None:
            padding = key_padding_mask
            if padding.dtype == torch.bool:
                padding = torch.zeros(padding.shape, dtype=scores.dtype, device=scores.device).masked_fill(
                    padding, float("-inf"))
            padding = padding.to(scores.dtype).view(batch, 1, 1, source).expand(-1, heads, -1, -1)
            scores = scores + padding.reshape(batch * heads, 1, source)
        out = torch.bmm(scores.softmax(dim=-1), v)
        out = out.transpose(0, 1).reshape(target, batch, self.embed_dim)
        out = self.out_proj(out)
        if self.batch_first:
            out = out.transpose(0, 1)
        return out, None


def explicit_scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                                          scale=None, enable_gqa=False):
    """torch.nn.functional.scaled_dot_product_attention (PyTorch >= 2.0) in plain operators,
    installed while tracing: F.multi_head_attention_forward (OpenAI's ModifiedResNet attention
    pool), open_clip's Attention and timm call it through the module attribute."""
    if enable_gqa:
        raise ValueError("scaled_dot_product_attention with enable_gqa is not supported")
    target, source = query.size(-2), key.size(-2)
    factor = scale if scale is not None else 1.0 / math.sqrt(query.size(-1))
    scores = torch.matmul(query * factor, key.transpose(-2, -1))
    if is_causal:
        scores = scores.masked_fill(
            torch.ones(target, source, dtype=torch.bool, device=query.device).tril().logical_not(), float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(attn_mask.logical_not(), float("-inf"))
        else:
            scores = scores + attn_mask
    return torch.matmul(scores.softmax(dim=-1), value)


def replace_attention(model: nn.Module):
    """Replaces every nn.MultiheadAttention below `model`; returns what restore_attention needs."""
    replaced = []
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.MultiheadAttention):
                setattr(parent, name, ExplicitMultiheadAttention(child))
                replaced.append((parent, name, child))
    return replaced


def restore_attention(replaced):
    for parent, name, child in replaced:
        setattr(parent, name, child)


@contextlib.contextmanager
def explicit_functional_attention():
    original = getattr(F, "scaled_dot_product_attention", None)
    if original is None:  # PyTorch 1.x: nothing to replace
        yield
        return
    F.scaled_dot_product_attention = explicit_scaled_dot_product_attention
    try:
        yield
    finally:
        F.scaled_dot_product_attention = original


# ----------------------------------------------------------------------------------------------
# The two towers


class ImageTower(nn.Module):
    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, image: Tensor) -> Tensor:
        return self.model.encode_image(image).float()


class CausalTextTower(nn.Module):
    """CLIP's text side at the length of its input: token and positional embeddings (the first L
    positions), the residual blocks under the causal mask's [L, L] block, ln_final, the features at
    the end token (the largest id) and the projection. Under a causal mask the end token never
    sees the padding after it, so this equals the padded computation at a fraction of its cost."""

    def __init__(self, owner: nn.Module, blocks: Sequence[nn.Module], mask: Tensor):
        super().__init__()
        self.token_embedding = owner.token_embedding
        self.positional_embedding = owner.positional_embedding
        self.blocks = nn.ModuleList(blocks)
        self.register_buffer("attn_mask", mask.detach().float().clone())
        self.ln_final = owner.ln_final
        projection = owner.text_projection
        self.linear_projection = projection if isinstance(projection, nn.Module) else None
        self.matrix_projection = projection if isinstance(projection, Tensor) else None
        # The blocks' layout ([L,N,D] for OpenAI's and older open_clip's, [N,L,D] with batch_first)
        # and call signature (OpenAI's blocks keep their own mask, open_clip's take it as argument).
        self.batch_first = bool(getattr(blocks[0].attn, "batch_first", False))
        self.blocks_take_mask = "attn_mask" in inspect.signature(blocks[0].forward).parameters

    def forward(self, text: Tensor) -> Tensor:
        length = text.size(1)
        x = self.token_embedding(text).float() + self.positional_embedding[:length].float()
        mask = self.attn_mask[:length, :length]
        if not self.batch_first:
            x = x.transpose(0, 1)
        for block in self.blocks:
            x = block(x, attn_mask=mask) if self.blocks_take_mask else block(x)
        if not self.batch_first:
            x = x.transpose(0, 1)
        x = self.ln_final(x)
        end = text.argmax(dim=-1)
        pooled = x.gather(1, end.view(-1, 1, 1).expand(-1, 1, x.size(2))).squeeze(1)
        if self.linear_projection is not None:
            pooled = self.linear_projection(pooled)
        elif self.matrix_projection is not None:
            pooled = pooled @ self.matrix_projection
        return pooled


class PaddedTextTower(nn.Module):
    """A text side this script does not take apart: model.encode_text, run on inputs padded to the
    context length (the wrapper pads)."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, text: Tensor) -> Tensor:
        return self.model.encode_text(text).float()


def is_causal_mask(mask, context_length: int) -> bool:
    if not isinstance(mask, Tensor) or mask.dim() != 2 or mask.size(0) < context_length or \
            mask.size(0) != mask.size(1):
        return False
    n = mask.size(0)
    upper = torch.ones(n, n, dtype=torch.bool).triu(1)
    m = mask.detach().float().cpu()
    return bool(torch.isneginf(m[upper]).all()) and bool((m[~upper] == 0).all())


def causal_text_parts(model: nn.Module, context_length: int) -> Tuple[Optional[nn.Module], list, Optional[Tensor], str]:
    """The module holding the text side's parts (the CLIP itself for OpenAI's and open_clip's CLIP,
    model.text for open_clip's CustomTextCLIP), its blocks and causal mask; or None and why the
    text side must run padded."""
    owner = model.text if isinstance(getattr(model, "text", None), nn.Module) else model
    for name in ["token_embedding", "positional_embedding", "transformer", "ln_final", "text_projection"]:
        if not hasattr(owner, name):
            return None, [], None, "the text side has no %s" % name
    blocks = list(getattr(owner.transformer, "resblocks", []))
    if not blocks or not all(hasattr(b, "attn") for b in blocks):
        return None, [], None, "the text transformer has no resblocks with .attn"
    if getattr(owner, "cls_emb", None) is not None:
        return None, [], None, "the text side appends a class token (CoCa)"
    pool = getattr(owner, "pool_type", getattr(owner, "text_pool_type", "argmax"))
    if pool != "argmax":
        return None, [], None, "the text side pools by %r, not at the end token" % pool
    mask = getattr(owner, "attn_mask", None)
    if mask is None:
        mask = getattr(blocks[0], "attn_mask", None)
    if not is_causal_mask(mask, context_length):
        return None, [], None, "the text side has no causal attention mask"
    if owner.positional_embedding.size(0) < context_length:
        return None, [], None, "the positional embedding is shorter than the context length"
    return owner, blocks, mask, ""


class ClipForOOD(nn.Module):
    """The exported module: what OOD Inspector's ClipModel calls."""

    logit_scale: float
    architecture: str
    context_length: int
    pad_text: bool

    def __init__(self, image_tower, text_tower, logit_scale: float, architecture: str, context_length: int,
                 pad_text: bool):
        super().__init__()
        self.image_tower = image_tower
        self.text_tower = text_tower
        self.logit_scale = logit_scale
        self.architecture = architecture
        self.context_length = context_length
        self.pad_text = pad_text

    @torch.jit.export
    def encode_image(self, image: Tensor) -> Tensor:
        return self.image_tower(image)

    @torch.jit.export
    def encode_text(self, text: Tensor) -> Tensor:
        if text.size(1) > self.context_length:
            raise ValueError("encode_text: the token sequences are longer than the context length")
        if self.pad_text and text.size(1) < self.context_length:
            text = F.pad(text, [0, self.context_length - text.size(1)])
        return self.text_tower(text)

    def forward(self, image: Tensor, text: Tensor) -> Tuple[Tensor, Tensor]:
        return self.encode_image(image), self.encode_text(text)


# ----------------------------------------------------------------------------------------------
# Export


def read_merges(path: str) -> str:
    """The merges text (header line first), from a .gz or a plain file."""
    if not os.path.isfile(path):
        raise SystemExit("merges file %s does not exist" % path)
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SystemExit("%s is not UTF-8 text (expected CLIP's bpe_simple_vocab_16e6.txt[.gz])" % path)
    lines = text.split("\n")
    if len(lines) < 1000 or len(lines[1].split()) != 2:
        raise SystemExit("%s does not look like CLIP's BPE merges (a header line, then one 'a b' pair a line)"
                         % path)
    return text


def installed_merges() -> Optional[str]:
    """bpe_simple_vocab_16e6.txt.gz from an installed clip or open_clip package."""
    import importlib.util

    for package in ["clip", "open_clip"]:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.origin:
            continue
        candidate = os.path.join(os.path.dirname(spec.origin), MERGES_FILE_NAME)
        if os.path.isfile(candidate):
            return candidate
    return None


def sample_tokens(vocabulary: int, context_length: int) -> List[List[int]]:
    """Token sequences for the check: start token, ids, end token (the two largest ids, as in
    CLIP's vocabulary, where the end token is the largest and pooling finds it by argmax)."""
    start, end = vocabulary - 2, vocabulary - 1
    generator = torch.Generator().manual_seed(0)
    sequences = [[start, end]]
    if vocabulary == 49408:
        sequences.append([49406, 320, 1125, 539, 320, 2368, 49407])
    for length in [3, 11, context_length - 2]:
        ids = torch.randint(1, start, (length,), generator=generator).tolist()
        sequences.append([start] + ids + [end])
    return sequences


def padded(sequences: List[List[int]], length: int) -> Tensor:
    out = torch.zeros(len(sequences), length, dtype=torch.long)
    for row, sequence in enumerate(sequences):
        out[row, :len(sequence)] = torch.tensor(sequence, dtype=torch.long)
    return out


def relative_difference(actual: Tensor, expected: Tensor) -> Tuple[float, float]:
    absolute = (actual.double() - expected.double()).abs().max().item()
    return absolute, absolute / max(expected.double().abs().max().item(), 1e-12)


def graph_text(module) -> str:
    texts = []
    for method in ["encode_image", "encode_text"]:
        function = getattr(module, method)
        texts.append(str(getattr(function, "inlined_graph", function.graph)))
    return "\n".join(texts)


def export_clip(model: nn.Module, out_path: str, merges_path: Optional[str] = None, context_length: int = 77,
                image_size: int = 224, mean: Sequence[float] = CLIP_MEAN, std: Sequence[float] = CLIP_STD,
                architecture: str = "clip", verbose: bool = True) -> dict:
    """Writes `model` (encode_image, encode_text, logit_scale as CLIP stores it: the log of the
    scale) to `out_path` for OOD Inspector, loads the file back and compares it with `model`.
    Returns the largest differences found. Raises SystemExit when the model does not fit or the
    file does not reproduce it. `model` itself is not changed."""
    for name in ["encode_image", "encode_text", "logit_scale"]:
        if not hasattr(model, name):
            raise SystemExit("the model has no %s; expected a CLIP (encode_image, encode_text, logit_scale)" % name)
    if not isinstance(model.logit_scale, Tensor) or model.logit_scale.numel() != 1:
        raise SystemExit("model.logit_scale must be a one-element tensor (the log of the scale, as CLIP keeps it)")
    if len(mean) != 3 or len(std) != 3 or not all(s > 0 for s in std):
        raise SystemExit("mean and std need 3 values each (R, G, B), std positive")
    if merges_path is None:
        merges_path = installed_merges()
        if merges_path is None:
            raise SystemExit("no merges file: give merges_path (--merges) to CLIP's %s" % MERGES_FILE_NAME)
    merges = read_merges(merges_path)

    # The reference: the model itself in float32 on the CPU, eval mode; the export works on it with
    # attention written out, and the reference gets its own attention back for the comparison.
    reference = copy.deepcopy(model).float().cpu().eval()
    for parameter in reference.parameters():
        parameter.requires_grad_(False)
    logit_scale = float(reference.logit_scale.detach().reshape(-1)[0].exp())

    owner, blocks, mask, why_padded = causal_text_parts(reference, context_length)
    replaced = replace_attention(reference)
    generator = torch.Generator().manual_seed(0)
    images = torch.randn(2, 3, image_size, image_size, generator=generator)
    vocabulary = getattr(getattr(owner if owner is not None else reference, "token_embedding", None),
                         "num_embeddings", 49408)
    sequences = sample_tokens(vocabulary, context_length)
    try:
        with torch.no_grad(), explicit_functional_attention():
            image_tower = torch.jit.trace(ImageTower(reference), images, check_trace=False)
            if owner is not None:
                text_tower = torch.jit.trace(CausalTextTower(owner, blocks, mask), padded(sequences, context_length),
                                             check_trace=False)
            else:
                text_tower = torch.jit.trace(PaddedTextTower(reference), padded(sequences, context_length),
                                             check_trace=False)
    finally:
        restore_attention(replaced)
    scripted = torch.jit.script(ClipForOOD(image_tower, text_tower, logit_scale, architecture, context_length,
                                           owner is None))
    graphs = graph_text(scripted)
    if "scaled_dot_product_attention" in graphs:
        raise SystemExit("the traced model still calls scaled_dot_product_attention (an attention this script "
                         "does not replace); LibTorch 1.13 cannot run it")

    card = {"size": int(image_size), "resize": RESIZE_POLICY, "mean": [float(v) for v in mean],
            "std": [float(v) for v in std]}
    extra_files = {"clip/bpe_merges.txt": merges.encode("utf-8"),
                   "clip/context_length": str(int(context_length)).encode("ascii"),
                   "clip/preprocess.json": json.dumps(card).encode("utf-8")}
    temporary = out_path + ".partial"
    torch.jit.save(scripted, temporary, _extra_files=extra_files)
    os.replace(temporary, out_path)

    # The file as OOD Inspector will see it, against the original computation (padded to the
    # context length, as CLIP's tokenize does).
    read_back = {name: "" for name in extra_files}
    loaded = torch.jit.load(out_path, map_location="cpu", _extra_files=read_back)
    for name, content in extra_files.items():
        if read_back[name] != content and read_back[name] != content.decode("utf-8"):
            raise SystemExit("%s: the extra file %s did not survive saving" % (out_path, name))
    with torch.no_grad():
        expected_image = reference.encode_image(images).float()
        expected_text = reference.encode_text(padded(sequences, context_length)).float()
        image = loaded.encode_image(images)
        text_padded = loaded.encode_text(padded(sequences, context_length))
        text_real = torch.cat([loaded.encode_text(torch.tensor([s], dtype=torch.long)) for s in sequences])
    differences = {
        "image": relative_difference(image, expected_image),
        "text, padded to %d" % context_length: relative_difference(text_padded, expected_text),
        "text, at real length": relative_difference(text_real, expected_text),
    }
    if verbose:
        for what, (absolute, relative) in differences.items():
            print("%s: max difference %.3g (relative %.3g)" % (what, absolute, relative))
    worst = max(relative for _, relative in differences.values())
    if not worst <= TOLERANCE:
        raise SystemExit("%s does not reproduce the model: relative difference %.3g > %g" % (out_path, worst, TOLERANCE))
    if verbose:
        print("%s: %s, embedding dim %d, logit scale %.4g, context length %d, input %d px, text side %s"
              % (out_path, architecture, image.shape[1], logit_scale, context_length, image_size,
                 "at real length" if owner is not None else "padded to the context length (%s)" % why_padded))
    return differences


# ----------------------------------------------------------------------------------------------
# Packaged models


def preprocess_from_transform(transform, source: str):
    """(size, mean, std) of a CLIP evaluation transform: Resize(short side, BICUBIC),
    CenterCrop(size), [to RGB], ToTensor, Normalize. Anything else is refused, since OOD Inspector
    would feed the model differently prepared images."""
    from torchvision import transforms as T

    steps = getattr(transform, "transforms", None)
    if steps is None:
        raise SystemExit("%s: the preprocessing is not a torchvision Compose: %r" % (source, transform))
    resize = crop = mean = std = None
    for step in steps:
        if isinstance(step, T.Resize):
            bicubic = step.interpolation in (T.InterpolationMode.BICUBIC, 3)
            size = step.size if isinstance(step.size, int) else (step.size[0] if len(step.size) == 1 else None)
            if not bicubic or size is None or getattr(step, "max_size", None) is not None:
                raise SystemExit("%s resizes with %r; OOD Inspector only reproduces Resize(short side, BICUBIC)"
                                 % (source, step))
            resize = size
        elif isinstance(step, T.CenterCrop):
            height, width = step.size if len(step.size) == 2 else (step.size[0], step.size[0])
            if height != width:
                raise SystemExit("%s crops to %dx%d; only square crops are supported" % (source, height, width))
            crop = height
        elif isinstance(step, T.Normalize):
            mean, std = list(step.mean), list(step.std)
        elif isinstance(step, T.ToTensor) or "rgb" in getattr(step, "__name__", "").lower():
            continue
        elif getattr(step, "__name__", "") == "<lambda>":
            # Older clip releases convert to RGB with an unnamed lambda.
            print("%s: assuming the preprocessing step %r converts to RGB" % (source, step), file=sys.stderr)
        else:
            raise SystemExit("%s: unsupported preprocessing step %r" % (source, step))
    if resize is None or crop is None or mean is None or resize != crop:
        raise SystemExit("%s: expected Resize(n, BICUBIC), CenterCrop(n), Normalize; got %r" % (source, transform))
    return crop, mean, std


def load_openai(name: str):
    try:
        import clip
    except ImportError:
        raise SystemExit("OpenAI's clip package is not installed for %s "
                         "(pip install git+https://github.com/openai/CLIP.git)" % sys.executable)
    name = OPENAI_NAMES.get(name, name)
    if name not in clip.available_models() and not os.path.isfile(name):
        raise SystemExit("clip has no model %r; available: %s" % (name, ", ".join(clip.available_models())))
    model, preprocess = clip.load(name, device="cpu", jit=False)
    size, mean, std = preprocess_from_transform(preprocess, "clip " + name)
    return model, size, mean, std, installed_merges(), int(model.context_length), name + "/openai"


def load_open_clip(name: str, pretrained: Optional[str]):
    try:
        import open_clip
    except ImportError:
        raise SystemExit("open_clip is not installed for %s (pip install open_clip_torch)" % sys.executable)
    model, _, preprocess = open_clip.create_model_and_transforms(name, pretrained=pretrained, device="cpu")
    tokenizer = open_clip.get_tokenizer(name)
    if type(tokenizer).__name__ != "SimpleTokenizer":
        raise SystemExit("open_clip %s uses the tokenizer %s; OOD Inspector only has CLIP's BPE tokenizer"
                         % (name, type(tokenizer).__name__))
    size, mean, std = preprocess_from_transform(preprocess, "open_clip " + name)
    context = int(getattr(model, "context_length", getattr(tokenizer, "context_length", 77)))
    return model, size, mean, std, installed_merges(), context, "%s/%s" % (name, pretrained or "untrained")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", choices=["openai", "open_clip"], required=True,
                        help="the package the model comes from")
    parser.add_argument("--name", required=True, help="model name, e.g. ViT-B-16 (open_clip) or ViT-B/16 (openai)")
    parser.add_argument("--pretrained", help="open_clip's pretrained tag or a checkpoint file, e.g. openai")
    parser.add_argument("--weights", help="fine-tuned weights to load into the model (a state_dict)")
    parser.add_argument("--merges", help="CLIP's bpe_simple_vocab_16e6.txt(.gz), if not taken from the package")
    parser.add_argument("--architecture", help="name recorded in the file (default: name/pretrained)")
    parser.add_argument("--out", "-o", required=True, help="the TorchScript file to write")
    args = parser.parse_args(argv)

    if args.source == "openai":
        model, size, mean, std, merges, context, architecture = load_openai(args.name)
    else:
        model, size, mean, std, merges, context, architecture = load_open_clip(args.name, args.pretrained)
    if args.weights:
        state = torch.load(args.weights, map_location="cpu")
        for key in ["state_dict", "model_state_dict", "model"]:
            if isinstance(state, dict) and key in state and isinstance(state[key], dict):
                state = state[key]
        state = {k[len("module."):] if k.startswith("module.") else k: v for k, v in state.items()}
        model.load_state_dict(state, strict=True)
    export_clip(model, args.out, merges_path=args.merges or merges, context_length=context, image_size=size,
                mean=mean, std=std, architecture=args.architecture or architecture)


if __name__ == "__main__":
    main()
