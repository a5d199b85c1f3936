#pragma once
// A small CLIP-shaped model for tests, built and exported by Debian's Python torch with the
// project's own exporter (app/python/export_clip_for_ood_inspector.py): OpenAI CLIP's layout
// (patch convolution, class token, pre/post layer norms, residual attention blocks with
// nn.MultiheadAttention, a causal text transformer pooled at the end token), width 64, 2 layers,
// 4 heads, 32 px images in 8 px patches, embeddings of 32, CLIP's vocabulary and context length,
// logit scale 100. Seeded, so every build makes the same model.

#include <QString>

namespace ood::test {

struct TinyClip
{
    QString path;    ///< the exported archive; empty when it could not be made
    QString problem; ///< why not (Python or torch missing, the export failed)
};

/// Exports the tiny CLIP into `directory` (once per directory: an existing archive is reused).
/// Needs /usr/bin/python3 with torch and the reference merges under OOD_SHARED_DIR.
TinyClip makeTinyClip(const QString &directory);

/// The Python that builds the model as `model` (for tests that compare with Python's outputs);
/// defines build_tiny_clip() -> nn.Module.
QString tinyClipPython();

} // namespace ood::test
