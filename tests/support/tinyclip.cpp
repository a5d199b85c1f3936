#include "support/tinyclip.h"

#include "support/processrun.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace ood::test {

QString tinyClipPython()
{
    return QStringLiteral(R"PY(
import math
import torch
from torch import nn


class ResidualAttentionBlock(nn.Module):
    def __init__(self, width, heads, attn_mask=None):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_1 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, width * 4), nn.GELU(), nn.Linear(width * 4, width))
        self.ln_2 = nn.LayerNorm(width)
        self.attn_mask = attn_mask

    def attention(self, x):
        mask = self.attn_mask.to(dtype=x.dtype, device=x.device) if self.attn_mask is not None else None
        return self.attn(x, x, x, need_weights=False, attn_mask=mask)[0]

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width, layers, heads, attn_mask=None):
        super().__init__()
        self.resblocks = nn.Sequential(*[ResidualAttentionBlock(width, heads, attn_mask) for _ in range(layers)])

    def forward(self, x):
        return self.resblocks(x)


class VisionTransformer(nn.Module):
    def __init__(self, resolution, patch, width, layers, heads, output_dim):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch, stride=patch, bias=False)
        scale = width ** -0.5
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn((resolution // patch) ** 2 + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = Transformer(width, layers, heads)
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def forward(self, x):
        x = self.conv1(x)
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)
        cls = self.class_embedding.to(x.dtype) + torch.zeros(x.shape[0], 1, x.shape[-1], dtype=x.dtype)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding.to(x.dtype)
        x = self.ln_pre(x).permute(1, 0, 2)
        x = self.transformer(x).permute(1, 0, 2)
        return self.ln_post(x[:, 0, :]) @ self.proj


class TinyClip(nn.Module):
    def __init__(self, embed_dim=32, resolution=32, patch=8, width=64, layers=2, heads=4,
                 context_length=77, vocab_size=49408):
        super().__init__()
        self.context_length = context_length
        self.visual = VisionTransformer(resolution, patch, width, layers, heads, embed_dim)
        mask = torch.empty(context_length, context_length).fill_(float("-inf")).triu_(1)
        self.transformer = Transformer(width, layers, heads, attn_mask=mask)
        self.token_embedding = nn.Embedding(vocab_size, width)
        self.positional_embedding = nn.Parameter(torch.randn(context_length, width) * 0.01)
        self.ln_final = nn.LayerNorm(width)
        self.text_projection = nn.Parameter(torch.randn(width, embed_dim) * width ** -0.5)
        self.logit_scale = nn.Parameter(torch.ones([]) * math.log(100.0))

    def encode_image(self, image):
        return self.visual(image)

    def encode_text(self, text):
        x = self.token_embedding(text) + self.positional_embedding
        x = self.transformer(x.permute(1, 0, 2)).permute(1, 0, 2)
        x = self.ln_final(x)
        return x[torch.arange(x.shape[0]), text.argmax(dim=-1)] @ self.text_projection


def build_tiny_clip():
    torch.manual_seed(20251207)
    return TinyClip().eval()
)PY");
}

TinyClip makeTinyClip(const QString &directory)
{
    TinyClip out;
    const QString archive = QDir(directory).filePath("tiny-clip.pt");
    if (QFileInfo::exists(archive)) {
        out.path = archive;
        return out;
    }
    const QString merges = QStringLiteral(OOD_SHARED_DIR "/reference/clip/bpe_simple_vocab_16e6.txt.gz");
    if (!QFileInfo::exists(merges)) {
        out.problem = "the CLIP merges file " + merges + " is missing";
        return out;
    }
    if (!QFileInfo::exists(OOD_SYSTEM_PYTHON)) {
        out.problem = QStringLiteral(OOD_SYSTEM_PYTHON " is missing");
        return out;
    }
    const QString script = QDir(directory).filePath("make_tiny_clip.py");
    QFile file(script);
    if (!file.open(QIODevice::WriteOnly)) {
        out.problem = "cannot write " + script;
        return out;
    }
    file.write(tinyClipPython().toUtf8());
    file.write(QStringLiteral(R"PY(
import sys
sys.path.insert(0, %1)
from export_clip_for_ood_inspector import export_clip
export_clip(build_tiny_clip(), sys.argv[1], merges_path=sys.argv[2], image_size=32, architecture="tiny-clip",
            verbose=False)
)PY")
                   .arg("\"" OOD_SOURCE_DIR "/app/python\"")
                   .toUtf8());
    file.close();
    const Run export_ = run(OOD_SYSTEM_PYTHON, {script, archive, merges}, 300000);
    if (export_.exitCode != 0 || !QFileInfo::exists(archive)) {
        out.problem = "the tiny CLIP could not be exported: " + describe(export_);
        return out;
    }
    out.path = archive;
    return out;
}

} // namespace ood::test
