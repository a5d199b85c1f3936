// ClipModel against the Python model it was exported from: the system Python builds a small
// CLIP with OpenAI's module layout (nn.MultiheadAttention in both towers, causal text mask,
// pooling at the end token), computes its embeddings eagerly, and exports it with
// app/python/export_clip_for_ood_inspector.py. C++ must give the eager model's embeddings, the
// same ones at real length as padded, and refuse broken archives naming what is missing.

#include "base/error.h"
#include "model/clipmodel.h"
#include "support/errors.h"
#include "support/systempython.h"
#include "support/tinyclip.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;

namespace {

const char *const kMerges = OOD_SHARED_DIR "/reference/clip/bpe_simple_vocab_16e6.txt.gz";
const std::array<float, 3> kClipMean{0.48145466f, 0.4578275f, 0.40821073f};
const std::array<float, 3> kClipStd{0.26862954f, 0.26130258f, 0.27577711f};
constexpr int kImages = 3, kImageSize = 32, kDim = 32;

// argv: output folder, merges file, source tree. Token sequences come from tokens.json (written
// by the test), so the ids are fixed here in C++ and never produced by code under test.
const char *const kMakeModels = R"PY(
import json, math, os, sys
from collections import OrderedDict
import numpy as np
import torch
from torch import nn

out, merges, source = sys.argv[1:4]
sys.path.insert(0, os.path.join(source, "app", "python"))
from export_clip_for_ood_inspector import export_clip, CLIP_MEAN, CLIP_STD

)PY";

// After the shared tiny CLIP (tests/support/tinyclip.h) is defined.
const char *const kMakeModelsRest = R"PY(
model = build_tiny_clip()

# The reference, computed before the exporter sees the model: clip.tokenize's padding to 77 and
# truncate=True (first 77 ids, the last one replaced by the end token).
sequences = json.load(open(os.path.join(out, "tokens.json")))
tokens = torch.zeros(len(sequences), 77, dtype=torch.long)
for row, sequence in enumerate(sequences):
    if len(sequence) > 77:
        sequence = sequence[:77]
        sequence[-1] = 49407
    tokens[row, :len(sequence)] = torch.tensor(sequence)
images = torch.randn(3, 3, 32, 32, generator=torch.Generator().manual_seed(7))
with torch.no_grad():
    image_embeddings = model.encode_image(images)
    text_embeddings = model.encode_text(tokens)
images.numpy().astype(np.float32).tofile(os.path.join(out, "images.raw"))
image_embeddings.numpy().astype(np.float32).tofile(os.path.join(out, "image_embeddings.raw"))
text_embeddings.numpy().astype(np.float32).tofile(os.path.join(out, "text_embeddings.raw"))

export_clip(model, os.path.join(out, "clip.pt"), merges_path=merges, context_length=77, image_size=32,
            mean=CLIP_MEAN, std=CLIP_STD, architecture="tiny-clip/test")

# Archives that break the contract in one way each.
names = ["clip/bpe_merges.txt", "clip/context_length", "clip/preprocess.json"]
files = {name: "" for name in names}
loaded = torch.jit.load(os.path.join(out, "clip.pt"), _extra_files=files)
def save(module, name, **changes):
    extra = {k: v for k, v in dict(files, **changes).items() if v is not None}
    torch.jit.save(module, os.path.join(out, name), _extra_files=extra)
save(loaded, "no_preprocess.pt", **{"clip/preprocess.json": None})
save(loaded, "no_merges.pt", **{"clip/bpe_merges.txt": None})
save(loaded, "squash.pt", **{"clip/preprocess.json": json.dumps(
    {"size": 32, "resize": "squash", "mean": list(CLIP_MEAN), "std": list(CLIP_STD)})})
save(loaded, "two_means.pt", **{"clip/preprocess.json": json.dumps(
    {"size": 32, "resize": "short_side_bicubic_center_crop", "mean": [0.5, 0.5], "std": list(CLIP_STD)})})
save(loaded, "not_json.pt", **{"clip/preprocess.json": "size: 32"})
save(loaded, "bad_merges.pt", **{"clip/bpe_merges.txt": "hello"})
save(loaded, "bad_context.pt", **{"clip/context_length": "seventy-seven"})

class ImageOnly(nn.Module):
    logit_scale: float
    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.logit_scale = 100.0
    @torch.jit.export
    def encode_image(self, image: torch.Tensor) -> torch.Tensor:
        return self.inner.encode_image(image)

class NoScale(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner
    @torch.jit.export
    def encode_image(self, image: torch.Tensor) -> torch.Tensor:
        return self.inner.encode_image(image)
    @torch.jit.export
    def encode_text(self, text: torch.Tensor) -> torch.Tensor:
        return self.inner.encode_text(text)

save(torch.jit.script(ImageOnly(loaded)), "no_encode_text.pt")
save(torch.jit.script(NoScale(loaded)), "no_logit_scale.pt")
torch.save({"weight": torch.zeros(2)}, os.path.join(out, "state_dict.pt"))
)PY";

std::vector<std::vector<int64_t>> fixedSequences()
{
    std::vector<std::vector<int64_t>> sequences{
        {49406, 320, 1125, 539, 320, 2368, 49407},
        {49406, 1929, 49407},
        {49406, 49407},
        {49406, 320, 1125, 539, 320, 1929, 530, 518, 2867, 49407},
    };
    // Exactly the context length, and longer than it (cut like clip.tokenize(truncate=True)).
    for (int length : {77, 90}) {
        std::vector<int64_t> sequence{49406};
        for (int i = 1; i < length - 1; ++i)
            sequence.push_back(256 + (i * 613) % 40000);
        sequence.push_back(49407);
        sequences.push_back(sequence);
    }
    return sequences;
}

at::Tensor readFloats(const QString &path, std::vector<int64_t> shape)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = f.readAll();
    const at::Tensor t =
        torch::from_blob(const_cast<char *>(bytes.constData()), shape, torch::kFloat32).clone();
    return bytes.size() == t.numel() * 4 ? t : at::Tensor();
}

double maxDifference(const at::Tensor &a, const at::Tensor &b)
{
    return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

} // namespace

class ClipModelTest : public QObject
{
    Q_OBJECT

    QTemporaryDir dir;
    std::unique_ptr<ClipModel> model;
    at::Tensor images, imageEmbeddings, textEmbeddings;

    QString file(const char *name) const { return dir.filePath(name); }

  private Q_SLOTS:
    void initTestCase()
    {
        if (!test::systemPythonHas("torch, numpy"))
            OOD_SKIP_WITHOUT_REFERENCE("system Python with torch and numpy not available");
        if (!QFileInfo::exists(kMerges))
            OOD_SKIP_WITHOUT_REFERENCE("the CLIP merges file " OOD_SHARED_DIR
                                       "/reference/clip/bpe_simple_vocab_16e6.txt.gz is missing");
        QVERIFY(dir.isValid());
        QJsonArray sequences;
        for (const auto &sequence : fixedSequences()) {
            QJsonArray ids;
            for (int64_t id : sequence)
                ids.append(static_cast<qint64>(id));
            sequences.append(ids);
        }
        QFile tokens(file("tokens.json"));
        QVERIFY(tokens.open(QIODevice::WriteOnly));
        tokens.write(QJsonDocument(sequences).toJson());
        tokens.close();
        QFile script(file("make_models.py"));
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write(kMakeModels);
        script.write(test::tinyClipPython().toUtf8());
        script.write(kMakeModelsRest);
        script.close();

        QProcess python;
        python.start(OOD_SYSTEM_PYTHON, {script.fileName(), dir.path(), kMerges, OOD_SOURCE_DIR});
        QVERIFY(python.waitForFinished(300000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        // The exporter's own check (its printed differences) for the log.
        qInfo().noquote() << QString::fromUtf8(python.readAllStandardOutput()).trimmed();

        images = readFloats(file("images.raw"), {kImages, 3, kImageSize, kImageSize});
        imageEmbeddings = readFloats(file("image_embeddings.raw"), {kImages, kDim});
        textEmbeddings =
            readFloats(file("text_embeddings.raw"), {static_cast<int64_t>(fixedSequences().size()), kDim});
        QVERIFY(images.defined() && imageEmbeddings.defined() && textEmbeddings.defined());
        model = std::make_unique<ClipModel>(file("clip.pt").toStdString());
    }

    void card()
    {
        QCOMPARE(model->path(), file("clip.pt").toStdString());
        QCOMPARE(model->embeddingDim(), kDim);
        QVERIFY2(std::abs(model->logitScale() - 100.0) < 1e-4, std::to_string(model->logitScale()).c_str());
        QCOMPARE(model->contextLength(), 77);
        QCOMPARE(model->architecture(), std::string("tiny-clip/test"));
        const InputSpec &spec = model->inputSpec();
        QCOMPARE(spec.width, kImageSize);
        QCOMPARE(spec.height, kImageSize);
        QVERIFY(spec.resize == ResizePolicy::ShortSideBicubicCenterCrop);
        for (size_t c = 0; c < 3; ++c) {
            QCOMPARE(spec.mean[c], kClipMean[c]);
            QCOMPARE(spec.std[c], kClipStd[c]);
        }
    }

    void imageEmbeddingsMatchPython()
    {
        const at::Tensor ours = model->encodeImage(images);
        QCOMPARE(ours.sizes(), imageEmbeddings.sizes());
        const double difference = maxDifference(ours, imageEmbeddings);
        QVERIFY2(difference <= 1e-5, std::to_string(difference).c_str());
    }

    void textEmbeddingsMatchPython()
    {
        // Each sequence at its own length (the 90-token one cut to 77) against the eager model on
        // clip.tokenize's padded [N,77] batch.
        const at::Tensor ours = model->encodeTokens(fixedSequences());
        QCOMPARE(ours.sizes(), textEmbeddings.sizes());
        const double difference = maxDifference(ours, textEmbeddings);
        QVERIFY2(difference <= 1e-5, std::to_string(difference).c_str());
        const double padded = maxDifference(model->encodeTokensPadded(fixedSequences()), textEmbeddings);
        QVERIFY2(padded <= 1e-5, std::to_string(padded).c_str());
    }

    void realLengthEqualsPadded()
    {
        // A fresh model (no cached rows), mixed lengths interleaved, and more sequences of one
        // length than one batch holds: grouping must put every row back in its place.
        const ClipModel fresh(file("clip.pt").toStdString());
        std::vector<std::vector<int64_t>> mixed;
        std::vector<size_t> fixedRows;
        const auto fixed = fixedSequences();
        for (int k = 0; k < 300; ++k) {
            if (k % 50 == 0 && fixedRows.size() < fixed.size()) {
                fixedRows.push_back(mixed.size());
                mixed.push_back(fixed[fixedRows.size() - 1]);
            }
            mixed.push_back({49406, 320 + k, 1125, 49407});
        }
        const at::Tensor real = fresh.encodeTokens(mixed);
        const at::Tensor padded = fresh.encodeTokensPadded(mixed);
        QCOMPARE(real.size(0), static_cast<int64_t>(mixed.size()));
        const double difference = maxDifference(real, padded);
        QVERIFY2(difference <= 1e-5, std::to_string(difference).c_str());
        for (size_t i = 0; i < fixedRows.size(); ++i) {
            const double row = maxDifference(real[static_cast<int64_t>(fixedRows[i])],
                                             textEmbeddings[static_cast<int64_t>(i)]);
            QVERIFY2(row <= 1e-5, std::to_string(row).c_str());
        }
        // Distinct sequences give distinct rows: nothing was copied into the wrong place.
        QVERIFY(maxDifference(real[1], real[2]) > 1e-3);
    }

    void cachedRowsAreTheSame()
    {
        const auto sequences = fixedSequences();
        const at::Tensor first = model->encodeTokens(sequences);
        const at::Tensor again = model->encodeTokens({sequences[3], sequences[0]});
        QCOMPARE(maxDifference(again[0], first[3]), 0.0);
        QCOMPARE(maxDifference(again[1], first[0]), 0.0);
    }

    void tokenizerAndTexts()
    {
        const std::vector<int64_t> ids = model->tokenizer().tokenize("a photo");
        QVERIFY(ids.size() >= 3);
        QCOMPARE(ids.front(), ClipTokenizer::kStartOfText);
        QCOMPARE(ids.back(), ClipTokenizer::kEndOfText);
        const at::Tensor texts = model->encodeTexts({"a photo of a dog", "a photo"});
        const at::Tensor tokens = model->encodeTokens({model->tokenizer().tokenize("a photo of a dog"), ids});
        QCOMPARE(maxDifference(texts, tokens), 0.0);
    }

    void progressCountsAndCancels()
    {
        const ClipModel fresh(file("clip.pt").toStdString());
        std::vector<std::vector<int64_t>> sequences;
        for (int k = 0; k < 300; ++k)
            sequences.push_back({49406, 1000 + k, 49407});
        size_t last = 0, total = 0;
        fresh.encodeTokens(sequences, [&](const Progress &p) {
            last = p.done;
            total = p.total;
            return true;
        });
        QCOMPARE(last, sequences.size());
        QCOMPARE(total, sequences.size());
        bool cancelled = false;
        try {
            fresh.encodeTokens({{49406, 5, 49407}}, [](const Progress &) { return false; });
        } catch (const Cancelled &) {
            cancelled = true;
        }
        QVERIFY(cancelled);
    }

    void imageGradient()
    {
        const at::Tensor input = images.clone().requires_grad_(true);
        const at::Tensor out = model->encodeImageWithGradient(input);
        QVERIFY(out.requires_grad());
        QVERIFY(maxDifference(out.detach(), imageEmbeddings) <= 1e-5);
        out.sum().backward();
        QVERIFY(input.grad().defined());
        QVERIFY(input.grad().isfinite().all().item<bool>());
        QVERIFY(input.grad().abs().max().item<double>() > 0);
    }

    void badInputsAreErrors()
    {
        QVERIFY(test::errorOf([&] {
                    model->encodeTokens(std::vector<std::vector<int64_t>>(1));
                }).contains("empty token sequence"));
        QVERIFY(test::errorOf([&] { model->encodeTokens({{49406, 49408, 49407}}); }).contains("49408"));
        QVERIFY(test::errorOf([&] {
                    model->encodeImage(torch::zeros({2, 1, 32, 32}));
                }).contains("[N,3,H,W]"));
    }

    void throughput()
    {
        // Reported, not asserted: the cost per image and per label on this small model.
        constexpr int kBatch = 32, kLabels = 256, kPadded = 64;
        const at::Tensor batch = torch::randn({kBatch, 3, kImageSize, kImageSize});
        QElapsedTimer timer;
        timer.start();
        model->encodeImage(batch);
        const double perImage = static_cast<double>(timer.nsecsElapsed()) / 1e6 / kBatch;
        std::vector<std::vector<int64_t>> labels;
        for (int k = 0; k < kLabels; ++k) {
            std::vector<int64_t> sequence{49406};
            for (int i = 0; i < 3 + k % 9; ++i)
                sequence.push_back(2000 + (k * 31 + i * 7) % 30000);
            sequence.push_back(49407);
            labels.push_back(sequence);
        }
        const ClipModel fresh(file("clip.pt").toStdString());
        timer.restart();
        const at::Tensor real = fresh.encodeTokens(labels);
        const double perLabel = static_cast<double>(timer.nsecsElapsed()) / 1e6 / kLabels;
        labels.resize(kPadded);
        timer.restart();
        fresh.encodeTokensPadded(labels);
        const double perPaddedLabel = static_cast<double>(timer.nsecsElapsed()) / 1e6 / kPadded;
        qInfo("encode_image %.3f ms/image (batch %d, %d px); encodeTokens %.3f ms/label (%d labels of 5-13 "
              "tokens), padded to 77 %.3f ms/label",
              perImage, kBatch, kImageSize, perLabel, kLabels, perPaddedLabel);
        QCOMPARE(real.size(0), kLabels);
    }

    void rejects_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing file") << "absent.pt"
                                      << "does not exist";
        QTest::newRow("not an archive") << "garbage.pt"
                                        << "is not a TorchScript archive";
        QTest::newRow("torch.save state_dict") << "state_dict.pt"
                                               << "is not a TorchScript archive";
        QTest::newRow("no encode_text") << "no_encode_text.pt"
                                        << "no method encode_text";
        QTest::newRow("no logit_scale") << "no_logit_scale.pt"
                                        << "no attribute logit_scale";
        QTest::newRow("no preprocess card") << "no_preprocess.pt"
                                            << "no extra file clip/preprocess.json";
        QTest::newRow("no merges") << "no_merges.pt"
                                   << "no extra file clip/bpe_merges.txt";
        QTest::newRow("merges not merges") << "bad_merges.pt"
                                           << "clip/bpe_merges.txt is not CLIP's merges list";
        QTest::newRow("context length not a number") << "bad_context.pt"
                                                     << "clip/context_length must hold the context length";
        QTest::newRow("other resize") << "squash.pt"
                                      << "\"resize\" is \"squash\"";
        QTest::newRow("two means") << "two_means.pt"
                                   << "\"mean\" must hold 3 numbers";
        QTest::newRow("card not JSON") << "not_json.pt"
                                       << "clip/preprocess.json is not JSON";
    }

    void rejects()
    {
        QFETCH(QString, name);
        QFETCH(QString, expected);
        if (name == "garbage.pt") {
            QFile f(file("garbage.pt"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("this is not a zip archive");
        }
        const QString path = file(name.toUtf8().constData());
        const QString message = test::errorOf([&] { ClipModel m(path.toStdString()); });
        QVERIFY2(message.contains(expected), qPrintable("got: " + message));
        QVERIFY2(message.contains(path), qPrintable("the message does not name the file: " + message));
    }
};

QTEST_GUILESS_MAIN(ClipModelTest)
#include "clipmodeltest.moc"
