// The inference paths of a native ResNet (model/resnetinference.h): BatchNorm folded op by op and
// the frozen, optimised graph give the activations of the module as trained (ResNetImpl in eval
// mode, BatchNorm op by op: the independent reference), for every architecture, AbeT heads and
// batch size; bfloat16 runs and stays close; the CPU check reads what /proc/cpuinfo says.

#include "base/error.h"
#include "calib/profilemodel.h"
#include "data/samplelist.h"
#include "model/resnet.h"
#include "model/resnetinference.h"
#include "pipeline/scoringrun.h"

#include "support/errors.h"

#include <QtTest>

#include <torch/torch.h>

#include <fstream>
#include <future>

using namespace ood;
using ood::test::errorOf;

Q_DECLARE_METATYPE(ood::ForwardPath)

namespace {

/// BatchNorm statistics and affine parameters far from a fresh model's identity, so that a fold
/// that ignored any of them would show.
void randomiseBatchNorm(ResNetImpl &model)
{
    torch::NoGradGuard noGrad;
    for (const auto &item : model.named_modules("", false)) {
        auto *bn = item.value()->as<torch::nn::BatchNorm2d>();
        if (!bn)
            continue;
        bn->running_mean.copy_(torch::randn_like(bn->running_mean) * 0.2);
        bn->running_var.copy_(torch::rand_like(bn->running_var) + 0.3);
        bn->weight.copy_(torch::rand_like(bn->weight) + 0.5);
        bn->bias.copy_(torch::randn_like(bn->bias) * 0.1);
    }
}

ResNet evalModel(const std::string &architecture, int width, bool abet, uint64_t seed = 7)
{
    torch::manual_seed(seed);
    ResNet model = createResNet(architecture, 5, width, abet);
    randomiseBatchNorm(*model);
    model->eval();
    if (abet) {
        // The temperature head's BatchNorm1d too: running statistics of a trained model.
        torch::NoGradGuard noGrad;
        for (const auto &item : model->named_buffers())
            if (item.key() == "abet.temperature.bn.running_var")
                item.value().fill_(2.0);
    }
    return model;
}

/// |a - b| / (1 + max |a|): the scale-aware difference the 1e-4 score agreement is stated in.
double relative(const at::Tensor &reference, const at::Tensor &other)
{
    if (!reference.defined() || !other.defined())
        return reference.defined() == other.defined() ? 0.0 : 1e9;
    if (reference.sizes() != other.sizes())
        return 1e9;
    const at::Tensor a = reference.to(at::kDouble), b = other.to(at::kDouble);
    return (a - b).abs().max().item<double>() / (1.0 + a.abs().max().item<double>());
}

} // namespace

class ResNetInferenceTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void pathsGiveTheTrainedModelsActivations_data()
    {
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<int>("width");
        QTest::addColumn<bool>("abet");
        QTest::addColumn<ForwardPath>("path");
        QTest::addColumn<int>("side");
        for (ForwardPath path : {ForwardPath::Folded, ForwardPath::Frozen}) {
            const char *p = path == ForwardPath::Folded ? "folded" : "frozen";
            QTest::addRow("resnet18 w16 64px %s", p) << "resnet18" << 16 << false << path << 64;
            QTest::addRow("resnet18 w8 abet 80px %s", p) << "resnet18" << 8 << true << path << 80;
            QTest::addRow("resnet34 w8 72px %s", p) << "resnet34" << 8 << false << path << 72;
            QTest::addRow("resnet50 w4 64px %s", p) << "resnet50" << 4 << false << path << 64;
            QTest::addRow("resnet18 w64 224px %s", p) << "resnet18" << 64 << false << path << 224;
        }
    }

    void pathsGiveTheTrainedModelsActivations()
    {
        QFETCH(QString, architecture);
        QFETCH(int, width);
        QFETCH(bool, abet);
        QFETCH(ForwardPath, path);
        QFETCH(int, side);
        ResNet model = evalModel(architecture.toStdString(), width, abet);
        const at::Tensor input = torch::randn({3, 3, side, side});
        ResNetOutputs expected;
        {
            c10::InferenceMode inference;
            expected = model->forwardAll(input, true, true);
        }
        const ResNetInference fast(model, path);
        QCOMPARE(fast.path(), path);
        QVERIFY2(fast.fallbackReason().empty(), fast.fallbackReason().c_str());
        const ResNetOutputs got = fast.forward(input, true, true);
        // Folding and oneDNN's summation order move float32 results by ~1e-6 of their scale.
        const double tolerance = 1e-5;
        for (const auto &[name, a, b] :
             {std::tuple<const char *, at::Tensor, at::Tensor>{"early", expected.early, got.early},
              {"featureMaps", expected.featureMaps, got.featureMaps},
              {"features", expected.features, got.features},
              {"logits", expected.logits, got.logits},
              {"temperature", expected.temperature, got.temperature},
              {"cosine", expected.cosine, got.cosine}}) {
            const double difference = relative(a, b);
            QVERIFY2(difference <= tolerance,
                     qPrintable(QString("%1 differs by %2").arg(name).arg(difference)));
        }
        QVERIFY(got.features.is_contiguous() && got.logits.is_contiguous());
        QCOMPARE(got.logits.scalar_type(), at::kFloat);

        // Unasked activations are left out.
        const ResNetOutputs lean = fast.forward(input, false, false);
        QVERIFY(!lean.early.defined() && !lean.featureMaps.defined());
        QVERIFY(relative(expected.logits, lean.logits) <= tolerance);

        // GROOD's mid part: from a layer1 output to the features.
        at::Tensor fromEarly;
        {
            c10::InferenceMode inference;
            fromEarly = model->featuresFromEarly(expected.early * 0.5);
        }
        QVERIFY(relative(fromEarly, fast.featuresFromEarly(expected.early * 0.5)) <= tolerance);
    }

    void eachImageIndependentOfItsBatch_data()
    {
        QTest::addColumn<ForwardPath>("path");
        QTest::newRow("folded") << ForwardPath::Folded;
        QTest::newRow("frozen") << ForwardPath::Frozen;
    }

    void eachImageIndependentOfItsBatch()
    {
        // The graph executor specialises on the shapes it has seen: a last, smaller batch and a
        // batch of one must still give each image its own result.
        QFETCH(ForwardPath, path);
        const ResNet model = evalModel("resnet18", 8, false);
        const ResNetInference fast(model, path);
        const at::Tensor images = torch::randn({7, 3, 64, 64});
        const at::Tensor together = fast.forward(images, false, false).logits;
        for (int64_t size : {1, 2, 5}) {
            for (int repeat = 0; repeat < 2; ++repeat) {
                const at::Tensor part = fast.forward(images.narrow(0, 0, size), false, false).logits;
                QVERIFY(relative(together.narrow(0, 0, size), part) <= 1e-5);
            }
        }
    }

    void concurrentCallsGiveTheSameNumbers()
    {
        const ResNet model = evalModel("resnet18", 8, false);
        const ResNetInference fast(model, ForwardPath::Frozen);
        const at::Tensor a = torch::randn({4, 3, 64, 64}), b = torch::randn({3, 3, 64, 64});
        const at::Tensor aAlone = fast.forward(a, false, false).logits;
        const at::Tensor bAlone = fast.forward(b, false, false).logits;
        for (int round = 0; round < 3; ++round) {
            auto first = std::async(std::launch::async, [&] { return fast.forward(a, false, false).logits; });
            auto second =
                std::async(std::launch::async, [&] { return fast.forward(b, false, false).logits; });
            QVERIFY(torch::equal(first.get(), aAlone));
            QVERIFY(torch::equal(second.get(), bAlone));
        }
    }

    void bfloat16StaysClose()
    {
        // bfloat16 keeps 8 significant bits (relative step 2^-8 = 0.4 %): a deep network's logits
        // move by a few per cent of their scale, and never by nothing (it really ran in bfloat16).
        const ResNet model = evalModel("resnet18", 16, false);
        const at::Tensor input = torch::randn({2, 3, 64, 64});
        const ResNetInference exact(model, ForwardPath::Folded);
        const ResNetInference half(model, ForwardPath::Frozen, Precision::BFloat16);
        QCOMPARE(half.path(), ForwardPath::Folded);
        QVERIFY(!half.fallbackReason().empty());
        QCOMPARE(half.precision(), Precision::BFloat16);
        const ResNetOutputs a = exact.forward(input, true, false), b = half.forward(input, true, false);
        QCOMPARE(b.logits.scalar_type(), at::kFloat);
        QCOMPARE(b.featureMaps.scalar_type(), at::kFloat);
        const double difference = relative(a.logits, b.logits);
        QVERIFY2(difference > 1e-5 && difference < 0.1, qPrintable(QString::number(difference)));
    }

    void bfloat16RefusedWhereTheCpuLacksIt()
    {
        std::ifstream cpuinfo("/proc/cpuinfo");
        std::string line, flags;
        while (std::getline(cpuinfo, line))
            if (line.rfind("flags", 0) == 0) {
                flags = line + " ";
                break;
            }
        if (flags.empty())
            QSKIP("no /proc/cpuinfo flags on this system");
        const bool native =
            flags.find(" avx512_bf16 ") != std::string::npos || flags.find(" amx_bf16 ") != std::string::npos;
        const std::string refusal = bfloat16Unsupported();
        QCOMPARE(refusal.empty(), native);
        if (!native)
            QVERIFY(refusal.find("AVX512-BF16 or AMX") != std::string::npos);
    }

    void precisionNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("bf16");
        QTest::newRow("float32") << "float32" << false;
        QTest::newRow("fp32") << "fp32" << false;
        QTest::newRow("bf16") << "bf16" << true;
        QTest::newRow("bfloat16") << "bfloat16" << true;
    }

    void precisionNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, bf16);
        const Precision precision = precisionFromName(name.toStdString());
        QCOMPARE(precision == Precision::BFloat16, bf16);
        QCOMPARE(precisionFromName(precisionName(precision)), precision);
        QVERIFY(errorOf([] { precisionFromName("fp16"); }).contains("expected float32 or bf16"));
    }

    void demoScoresAgreeAcrossPaths()
    {
        // Every detector of the bundled demo profile (27, ODIN and PRO included) on its 60 frames:
        // the frozen path against the model as trained. Relative to each detector's largest score,
        // as a score near zero has no relative digits to keep.
        const QString assets = OOD_SOURCE_DIR "/resources/demo/assets";
        const Profile profile = loadProfile(assets + "/demo.oodprofile");
        const SampleList frames = scanInputs({assets + "/frames"});
        QCOMPARE(frames.samples.size(), size_t(60));
        InferenceOptions eager;
        eager.path = ForwardPath::Eager;
        LoadedModel asTrained = loadProfileModel(profile, assets + "/model.pt", eager);
        LoadedModel frozen = loadProfileModel(profile, assets + "/model.pt");
        QVERIFY(frozen.backbone->inferenceDescription().rfind("frozen graph", 0) == 0);
        const ScoredImages a = scoreImages(*asTrained.backbone, profile, frames.samples, {}, {});
        const ScoredImages b = scoreImages(*frozen.backbone, profile, frames.samples, {}, {});
        QCOMPARE(a.failedCount(), size_t(0));
        QCOMPARE(b.predictions, a.predictions);
        QCOMPARE(b.flaggedBy, a.flaggedBy);
        for (size_t d = 0; d < a.detectorIds.size(); ++d) {
            const at::Tensor x = a.scores.select(1, static_cast<int64_t>(d));
            const at::Tensor y = b.scores.select(1, static_cast<int64_t>(d));
            const double difference = ((x - y).abs().max() / x.abs().max().clamp_min(1e-12)).item<double>();
            QVERIFY2(difference <= 1e-4, qPrintable(QString("%1 differs by %2 of its scale")
                                                        .arg(QString::fromStdString(a.detectorIds[d]))
                                                        .arg(difference)));
        }
    }

    void backboneRunsFrozenByDefault()
    {
        ResNetBackbone backbone(evalModel("resnet18", 8, false));
        QCOMPARE(backbone.inference().path(), ForwardPath::Frozen);
        QVERIFY(QString::fromStdString(backbone.inferenceDescription()).startsWith("frozen graph"));
        ResNetBackbone eager(evalModel("resnet18", 8, false), ForwardPath::Eager);
        QVERIFY(QString::fromStdString(eager.inferenceDescription()).startsWith("op by op"));
        const at::Tensor input = torch::randn({2, 3, 64, 64});
        QVERIFY(relative(eager.forward(input, {}).logits, backbone.forward(input, {}).logits) <= 1e-5);
    }
};

QTEST_GUILESS_MAIN(ResNetInferenceTest)
#include "resnetinferencetest.moc"
