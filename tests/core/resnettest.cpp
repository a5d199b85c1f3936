// Native ResNets: torchvision's module tree, shapes, internal consistency of the activations,
// training, state_dict round trips and the messages for checkpoints that do not fit.

#include "base/error.h"
#include "model/resnet.h"
#include "support/systempython.h"

#include "support/errors.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;
using ood::test::errorOf;

namespace {

/// Side of a conv/pool output: floor((n + 2p - k) / s) + 1 (PyTorch's Conv2d/MaxPool2d docs).
int64_t outSide(int64_t n, int64_t k, int64_t s, int64_t p)
{
    return (n + 2 * p - k) / s + 1;
}

/// Spatial side after layer1 (conv1 7/2/3 then maxpool 3/2/1) and after layer4 (three more
/// stride-2 stages, each a 3x3/2/1 conv).
std::pair<int64_t, int64_t> sides(int64_t n)
{
    const int64_t early = outSide(outSide(n, 7, 2, 3), 3, 2, 1);
    int64_t last = early;
    for (int stage = 0; stage < 3; ++stage)
        last = outSide(last, 3, 2, 1);
    return {early, last};
}

/// Running statistics far from the (0, 1) of a fresh model, so that a test notices when they
/// are ignored.
void randomiseBatchNorm(ResNetImpl &model)
{
    torch::NoGradGuard noGrad;
    for (const auto &item : model.named_buffers()) {
        if (item.key().find("running_mean") != std::string::npos)
            item.value().copy_(torch::randn_like(item.value()) * 0.1);
        else if (item.key().find("running_var") != std::string::npos)
            item.value().copy_(torch::rand_like(item.value()) + 0.5);
    }
    for (const auto &item : model.named_parameters()) {
        if (item.key().find("bn") != std::string::npos ||
            item.key().find("downsample.1") != std::string::npos)
            item.value().copy_(item.key().find("weight") != std::string::npos
                                   ? torch::rand_like(item.value()) + 0.5
                                   : torch::randn_like(item.value()) * 0.1);
    }
}

NamedTensors stateOf(const std::string &architecture, int classes, uint64_t seed = 1)
{
    torch::manual_seed(seed);
    ResNet model = createResNet(architecture, classes);
    randomiseBatchNorm(*model);
    NamedTensors state;
    for (auto &[name, tensor] : resnetStateDict(*model))
        state.emplace_back(name, tensor.clone());
    return state;
}

} // namespace

class ResNetTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void parameterCounts_data()
    {
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<qint64>("parameters");
        QTest::addColumn<int>("keys");
        // Parameter counts with 1000 classes from torchvision's model documentation
        // (ResNet18_Weights.IMAGENET1K_V1.meta["num_params"], etc.). Keys: len(state_dict()) of
        // torchvision 0.14: 20 convs + 20 BNs (5 keys each: weight, bias, running_mean,
        // running_var, num_batches_tracked) + fc (2) = 20 + 100 + 2 = 122 for resnet18;
        // 36 convs + 36 BNs -> 36 + 180 + 2 = 218 for resnet34; 53 + 265 + 2 = 320 for resnet50.
        QTest::newRow("resnet18") << "resnet18" << qint64(11689512) << 122;
        QTest::newRow("resnet34") << "resnet34" << qint64(21797672) << 218;
        QTest::newRow("resnet50") << "resnet50" << qint64(25557032) << 320;
    }

    void parameterCounts()
    {
        QFETCH(QString, architecture);
        QFETCH(qint64, parameters);
        QFETCH(int, keys);
        ResNet model = createResNet(architecture.toStdString(), 1000);
        qint64 total = 0;
        for (const at::Tensor &p : model->parameters())
            total += p.numel();
        QCOMPARE(total, parameters);
        const NamedTensors state = resnetStateDict(*model);
        QCOMPARE(int(state.size()), keys);
        // torchvision order: the stem first, then every block with its own BN buffers right after
        // its BN weights, the head last.
        QCOMPARE(QString::fromStdString(state[0].first), QString("conv1.weight"));
        QCOMPARE(QString::fromStdString(state[1].first), QString("bn1.weight"));
        QCOMPARE(QString::fromStdString(state[3].first), QString("bn1.running_mean"));
        QCOMPARE(QString::fromStdString(state[5].first), QString("bn1.num_batches_tracked"));
        QCOMPARE(QString::fromStdString(state[6].first), QString("layer1.0.conv1.weight"));
        QCOMPARE(QString::fromStdString(state[state.size() - 2].first), QString("fc.weight"));
        QCOMPARE(QString::fromStdString(state.back().first), QString("fc.bias"));
        QCOMPARE(state[5].second.scalar_type(), at::kLong);
    }

    void keysMatchTorchvision_data()
    {
        QTest::addColumn<QString>("architecture");
        QTest::newRow("resnet18") << "resnet18";
        QTest::newRow("resnet50") << "resnet50";
    }

    void keysMatchTorchvision()
    {
        // Independent source: torchvision itself, run at test time.
        QFETCH(QString, architecture);
        if (!QFileInfo::exists(OOD_SYSTEM_PYTHON))
            OOD_SKIP_WITHOUT_REFERENCE("no system Python");
        QProcess python;
        python.start(OOD_SYSTEM_PYTHON,
                     {"-c",
                      "import sys, torchvision\n"
                      "m = getattr(torchvision.models, sys.argv[1])(num_classes=7)\n"
                      "for k, v in m.state_dict().items(): print(k, list(v.shape), v.dtype)\n",
                      architecture});
        python.waitForFinished(120000);
        if (python.exitCode() != 0)
            OOD_SKIP_WITHOUT_REFERENCE("system Python has no torchvision");
        const QStringList expected = QString(python.readAllStandardOutput()).trimmed().split('\n');
        ResNet model = createResNet(architecture.toStdString(), 7);
        QStringList actual;
        for (const auto &[name, tensor] : resnetStateDict(*model)) {
            QStringList shape;
            for (int64_t s : tensor.sizes())
                shape << QString::number(s);
            actual << QString("%1 [%2] %3")
                          .arg(QString::fromStdString(name), shape.join(", "),
                               tensor.scalar_type() == at::kLong ? "torch.int64" : "torch.float32");
        }
        QCOMPARE(actual, expected);
    }

    void initialisation()
    {
        // torchvision: kaiming_normal_(mode="fan_out", nonlinearity="relu") -> std = sqrt(2 / fan_out),
        // fan_out = out_channels * kh * kw; for conv1 (64 x 7 x 7) that is sqrt(2 / 3136) = 0.02525.
        torch::manual_seed(3);
        ResNet model = createResNet("resnet18", 10);
        const at::Tensor w = resnetStateDict(*model)[0].second;
        QVERIFY(std::abs(w.std().item<double>() - std::sqrt(2.0 / 3136.0)) < 0.05 * std::sqrt(2.0 / 3136.0));
        QVERIFY(std::abs(w.mean().item<double>()) < 0.002);
    }

    void shapes_data()
    {
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("dim");
        QTest::addColumn<int>("earlyChannels");
        for (const auto &[name, dim, early] : {std::tuple<const char *, int, int>{"resnet18", 512, 64},
                                               {"resnet34", 512, 64},
                                               {"resnet50", 2048, 256}}) {
            QTest::newRow(qPrintable(QString("%1 32x32").arg(name))) << name << 32 << 32 << dim << early;
            QTest::newRow(qPrintable(QString("%1 40x56").arg(name))) << name << 40 << 56 << dim << early;
            QTest::newRow(qPrintable(QString("%1 224x224").arg(name))) << name << 224 << 224 << dim << early;
        }
    }

    void shapes()
    {
        QFETCH(QString, architecture);
        QFETCH(int, height);
        QFETCH(int, width);
        QFETCH(int, dim);
        QFETCH(int, earlyChannels);
        const NamedTensors state = stateOf(architecture.toStdString(), 5);
        ResNetBackbone backbone(architecture.toStdString(), state, "test");
        QCOMPARE(backbone.numClasses(), 5);
        QCOMPARE(backbone.featureDim(), dim);
        QCOMPARE(QString::fromStdString(backbone.architecture()), architecture);
        const int64_t n = height == 224 ? 1 : 3;
        const at::Tensor input = torch::randn({n, 3, height, width});
        ForwardRequest request;
        request.featureMaps = request.early = true;
        const Activations a = backbone.forward(input, request);
        const auto [earlyH, lastH] = sides(height);
        const auto [earlyW, lastW] = sides(width);
        QCOMPARE(a.logits.sizes(), at::IntArrayRef({n, 5}));
        QCOMPARE(a.features.sizes(), at::IntArrayRef({n, dim}));
        QCOMPARE(a.featureMaps.sizes(), at::IntArrayRef({n, dim, lastH, lastW}));
        QCOMPARE(a.early.sizes(), at::IntArrayRef({n, earlyChannels, earlyH, earlyW}));
        QCOMPARE(a.logits.scalar_type(), at::kFloat);

        // features = AdaptiveAvgPool2d(1) of layer4 = the spatial mean of the feature maps.
        QVERIFY(torch::allclose(a.featureMaps.mean({2, 3}), a.features, 1e-5, 1e-5));
        // layer4 follows a ReLU.
        QVERIFY(a.features.min().item<float>() >= 0.0f);
        // The head: logits = features W^T + b.
        const at::Tensor expected = a.features.matmul(backbone.headWeight().t()) + backbone.headBias();
        QVERIFY(torch::allclose(a.logits, expected, 1e-4, 1e-4));
        QCOMPARE(backbone.headWeight().sizes(), at::IntArrayRef({5, dim}));
        // Running the mid part from the early activation gives the same features.
        QVERIFY(torch::allclose(backbone.featuresFromEarly(a.early), a.features, 1e-5, 1e-5));

        // Optional activations only on request.
        const Activations plain = backbone.forward(input, ForwardRequest{});
        QVERIFY(!plain.featureMaps.defined());
        QVERIFY(!plain.early.defined());
        QVERIFY(torch::equal(plain.logits, a.logits));
    }

    void evalModeUsesRunningStatistics()
    {
        // Eval mode: BN uses the running statistics, so a sample's logits do not depend on the
        // rest of its batch; in train mode they would.
        const NamedTensors state = stateOf("resnet18", 4);
        ResNetBackbone backbone("resnet18", state, "test");
        const at::Tensor batch = torch::randn({4, 3, 48, 48});
        const at::Tensor together = backbone.forward(batch, {}).logits;
        const at::Tensor alone = backbone.forward(batch.slice(0, 1, 2), {}).logits;
        QVERIFY(torch::allclose(together.slice(0, 1, 2), alone, 1e-4, 1e-5));
    }

    void logitsWithGradient()
    {
        const NamedTensors state = stateOf("resnet18", 3);
        ResNetBackbone backbone("resnet18", state, "test");
        const at::Tensor input = torch::randn({2, 3, 32, 32}).requires_grad_(true);
        const at::Tensor logits = backbone.logitsWithGradient(input);
        QVERIFY(logits.requires_grad());
        QVERIFY(torch::allclose(logits.detach(), backbone.forward(input.detach(), {}).logits, 1e-5, 1e-5));
        logits.select(1, 0).sum().backward();
        QVERIFY(input.grad().defined());
        QVERIFY(input.grad().abs().sum().item<double>() > 0);
        // The weights are frozen: no .grad piles up on them.
        for (const at::Tensor &p : backbone.module()->parameters())
            QVERIFY(!p.grad().defined());

        // Finite-difference check of one input coordinate (float64 copy of the network would be
        // exact; in float32 a step of 1e-2 keeps the error well under the 5% asked here).
        at::Tensor direction = torch::zeros_like(input);
        direction.index_put_({0, 1, 10, 12}, 1.0);
        const double h = 1e-2;
        const double plus = backbone.forward(input.detach() + h * direction, {}).logits[0][0].item<double>();
        const double minus = backbone.forward(input.detach() - h * direction, {}).logits[0][0].item<double>();
        const double numeric = (plus - minus) / (2 * h);
        const double analytic = input.grad()[0][1][10][12].item<double>();
        QVERIFY2(std::abs(numeric - analytic) <= 0.05 * std::abs(analytic) + 1e-4,
                 qPrintable(QString("numeric %1, autograd %2").arg(numeric).arg(analytic)));
    }

    void trainingWithOptimizer()
    {
        // createResNet is a regular module: SGD on a tiny batch fits its labels, and train mode
        // updates BN running statistics and num_batches_tracked.
        torch::manual_seed(11);
        ResNet model = createResNet("resnet18", 2);
        model->train();
        torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
        const at::Tensor images = torch::randn({4, 3, 32, 32});
        const at::Tensor labels = torch::tensor({0, 1, 0, 1}, torch::kLong);
        double first = 0, last = 0;
        for (int step = 0; step < 15; ++step) {
            optimizer.zero_grad();
            const at::Tensor loss = torch::nn::functional::cross_entropy(model->forward(images), labels);
            loss.backward();
            optimizer.step();
            (step == 0 ? first : last) = loss.item<double>();
        }
        QVERIFY2(last < 0.5 * first, qPrintable(QString("loss %1 -> %2").arg(first).arg(last)));
        const NamedTensors state = resnetStateDict(*model);
        QCOMPARE(state[5].first, std::string("bn1.num_batches_tracked"));
        QCOMPARE(state[5].second.item<int64_t>(), int64_t(15));
        QVERIFY(state[3].second.abs().sum().item<double>() > 0); // bn1.running_mean moved off 0

        // A trained module becomes a Backbone that reproduces its eval-mode logits.
        ResNetBackbone backbone(model);
        QVERIFY(!model->is_training());
        torch::NoGradGuard noGrad;
        QVERIFY(torch::allclose(backbone.forward(images, {}).logits, model->forward(images), 1e-5, 1e-5));
    }

    void saveStateDictRoundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("weights.pt").toStdString();
        const NamedTensors state = stateOf("resnet18", 3);
        saveStateDict(path, state);
        QFile file(QString::fromStdString(path));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        const c10::IValue loaded = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
        QVERIFY(loaded.isGenericDict());
        const auto dict = loaded.toGenericDict();
        QCOMPARE(dict.size(), state.size());
        size_t i = 0;
        for (const auto &entry : dict) {
            QCOMPARE(entry.key().toStringRef(), state[i].first); // order kept
            QVERIFY(torch::equal(entry.value().toTensor(), state[i].second));
            ++i;
        }
        QVERIFY(!errorOf([&] {
                     saveStateDict(dir.filePath("missing/dir/w.pt").toStdString(), state);
                 }).isEmpty());
    }

    void readableByTorchvision()
    {
        // Python's torch.load reads the file and torchvision's strict load_state_dict accepts it;
        // torchvision's forward on the same input gives our logits.
        if (!QFileInfo::exists(OOD_SYSTEM_PYTHON))
            OOD_SKIP_WITHOUT_REFERENCE("no system Python");
        QTemporaryDir dir;
        const NamedTensors state = stateOf("resnet18", 3, 5);
        saveStateDict(dir.filePath("w.pt").toStdString(), state);
        torch::manual_seed(8);
        const at::Tensor input = torch::randn({2, 3, 64, 48});
        saveStateDict(dir.filePath("x.pt").toStdString(), {{"x", input}});
        QProcess python;
        python.start(OOD_SYSTEM_PYTHON, {"-c",
                                         "import sys, torch, torchvision\n"
                                         "state = torch.load(sys.argv[1])\n"
                                         "m = torchvision.models.resnet18(num_classes=3)\n"
                                         "m.load_state_dict(state, strict=True)\n"
                                         "m.eval()\n"
                                         "x = torch.load(sys.argv[2])['x']\n"
                                         "with torch.no_grad(): y = m(x)\n"
                                         "print(' '.join('%.6f' % v for v in y.flatten().tolist()))\n",
                                         dir.filePath("w.pt"), dir.filePath("x.pt")});
        python.waitForFinished(120000);
        const QByteArray errors = python.readAllStandardError();
        if (python.exitCode() != 0 && errors.contains("No module named"))
            OOD_SKIP_WITHOUT_REFERENCE("system Python has no torch/torchvision");
        QVERIFY2(python.exitCode() == 0, errors.constData());
        const QStringList values = QString(python.readAllStandardOutput()).trimmed().split(' ');
        ResNetBackbone backbone("resnet18", state, "test");
        const at::Tensor ours = backbone.forward(input, {}).logits.flatten();
        QCOMPARE(values.size(), 6);
        for (int i = 0; i < 6; ++i)
            QVERIFY2(std::abs(values[i].toDouble() - ours[i].item<double>()) < 1e-4,
                     qPrintable(QString("logit %1: python %2, ours %3")
                                    .arg(i)
                                    .arg(values[i])
                                    .arg(ours[i].item<double>())));
    }

    void mismatchMessages_data()
    {
        QTest::addColumn<QString>("saved");
        QTest::addColumn<QString>("loadedAs");
        QTest::addColumn<QStringList>("fragments");
        QTest::newRow("resnet50 as resnet18")
            << "resnet50"
            << "resnet18"
            << QStringList{"ckpt.pt does not fit resnet18",
                           "layer1.0.conv1.weight: checkpoint has [64,64,1,1], resnet18 expects [64,64,3,3]",
                           "unexpected keys (layer1.0.conv3.weight", "look like a resnet50 checkpoint",
                           "choose resnet50"};
        QTest::newRow("resnet18 as resnet34")
            << "resnet18"
            << "resnet34"
            << QStringList{"does not fit resnet34", "missing keys (layer1.2.conv1.weight", "choose resnet18"};
        QTest::newRow("resnet34 as resnet50")
            << "resnet34"
            << "resnet50"
            << QStringList{"layer1.0.conv1.weight: checkpoint has [64,64,3,3], resnet50 expects [64,64,1,1]",
                           "missing keys (layer1.0.conv3.weight", "choose resnet34"};
    }

    void mismatchMessages()
    {
        QFETCH(QString, saved);
        QFETCH(QString, loadedAs);
        QFETCH(QStringList, fragments);
        const NamedTensors state = stateOf(saved.toStdString(), 4);
        const QString message =
            errorOf([&] { ResNetBackbone backbone(loadedAs.toStdString(), state, "/models/ckpt.pt"); });
        QVERIFY2(!message.isEmpty(), "no error");
        for (const QString &fragment : fragments)
            QVERIFY2(message.contains(fragment), qPrintable(message));
    }

    void otherProblems()
    {
        NamedTensors state = stateOf("resnet18", 3);

        // Without num_batches_tracked (older torchvision files) the checkpoint still loads.
        NamedTensors old;
        for (const auto &entry : state)
            if (entry.first.find("num_batches_tracked") == std::string::npos)
                old.push_back(entry);
        QCOMPARE(int(old.size()), 122 - 20);
        ResNetBackbone fromOld("resnet18", old, "old.pt");
        ResNetBackbone fromFull("resnet18", state, "full.pt");
        const at::Tensor x = torch::randn({1, 3, 32, 32});
        QVERIFY(torch::equal(fromOld.forward(x, {}).logits, fromFull.forward(x, {}).logits));

        // A wrong fc width names the key and both shapes.
        NamedTensors wrongHead = state;
        for (auto &entry : wrongHead)
            if (entry.first == "fc.weight")
                entry.second = torch::zeros({3, 256});
        QString message = errorOf([&] { ResNetBackbone b("resnet18", wrongHead, "head.pt"); });
        QVERIFY2(message.contains("fc.weight: checkpoint has [3,256], resnet18 expects [3,512]"),
                 qPrintable(message));

        // An extra key is named.
        NamedTensors extra = state;
        extra.emplace_back("projector.weight", torch::zeros({2, 2}));
        message = errorOf([&] { ResNetBackbone b("resnet18", extra, "extra.pt"); });
        QVERIFY2(message.contains("1 unexpected key (projector.weight)"), qPrintable(message));

        // Prefixed keys: no fc.weight at the top level; the prefix is pointed out.
        NamedTensors prefixed;
        for (const auto &entry : state)
            prefixed.emplace_back("backbone." + entry.first, entry.second);
        message = errorOf([&] { ResNetBackbone b("resnet18", prefixed, "prefixed.pt"); });
        QVERIFY2(message.contains("no fc.weight") && message.contains("keys start with \"backbone.\""),
                 qPrintable(message));

        // A vision transformer's keys.
        const NamedTensors vit{{"cls_token", torch::zeros({1, 1, 384})},
                               {"blocks.0.attn.qkv.weight", torch::zeros({1152, 384})},
                               {"head.weight", torch::zeros({3, 384})}};
        message = errorOf([&] { ResNetBackbone b("resnet50", vit, "deit.pt"); });
        QVERIFY2(message.contains("Vision Transformer") && message.contains("TorchScript"),
                 qPrintable(message));

        // Integer weights are refused.
        NamedTensors integer = state;
        integer[0].second = torch::zeros_like(integer[0].second, torch::kLong);
        message = errorOf([&] { ResNetBackbone b("resnet18", integer, "int.pt"); });
        QVERIFY2(message.contains("conv1.weight holds Long"), qPrintable(message));

        // Half-precision checkpoints are converted.
        NamedTensors half = state;
        for (auto &entry : half)
            if (entry.second.is_floating_point())
                entry.second = entry.second.to(torch::kHalf);
        ResNetBackbone fromHalf("resnet18", half, "half.pt");
        QCOMPARE(fromHalf.headWeight().scalar_type(), at::kFloat);

        QVERIFY(errorOf([] { createResNet("resnet101", 3); }).contains("resnet18, resnet34 or resnet50"));
        QVERIFY(errorOf([] { createResNet("resnet18", 0); }).contains("at least 1"));
        QVERIFY(errorOf([&] { fromFull.forward(torch::zeros({1, 1, 32, 32}), {}); }).contains("[N,3,H,W]"));
        QVERIFY(errorOf([&] {
                    fromFull.forward(torch::zeros({1, 3, 32, 32}, torch::kDouble), {});
                }).contains("float32"));
        QVERIFY(errorOf([&] { fromFull.featuresFromEarly(torch::zeros({1, 32, 8, 8})); }).contains("layer1"));
    }

    void guesses_data()
    {
        QTest::addColumn<QString>("architecture");
        QTest::newRow("resnet18") << "resnet18";
        QTest::newRow("resnet34") << "resnet34";
        QTest::newRow("resnet50") << "resnet50";
    }

    void guesses()
    {
        QFETCH(QString, architecture);
        ResNet model = createResNet(architecture.toStdString(), 2);
        QCOMPARE(QString::fromStdString(guessArchitecture(resnetStateDict(*model))), architecture);
    }

    void slimWidth_data()
    {
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("dim");
        QTest::addColumn<int>("earlyChannels");
        QTest::addColumn<qint64>("parameters");
        // Parameter counts by hand for ResNet-18 at base width w with 3 classes:
        //   convs: stem 3·49·w = 147w; layer1 4 convs of 9w² = 36w²; layer2 9·2w² + 3·9·4w² + 2w²
        //   (1x1 downsample) = 128w²; layer3 = 4·128w² = 512w²; layer4 = 2048w²; total 147w + 2724w²;
        //   BN weight+bias: 2·(w + 4w + 5·2w + 5·4w + 5·8w) = 150w; fc 8w·3 + 3.
        //   w = 16: 2352 + 697344 + 2400 + 387 = 702483.
        //   w = 64: 9408 + 11157504 + 9600 + 1539 = 11178051 (with 1000 classes this gives
        //   torchvision's documented 11689512, which checks the formula).
        QTest::newRow("resnet18 w16") << "resnet18" << 16 << 128 << 16 << qint64(702483);
        QTest::newRow("resnet18 w64") << "resnet18" << 64 << 512 << 64 << qint64(11178051);
        QTest::newRow("resnet50 w8") << "resnet50" << 8 << 256 << 32 << qint64(-1);
    }

    void slimWidth()
    {
        QFETCH(QString, architecture);
        QFETCH(int, width);
        QFETCH(int, dim);
        QFETCH(int, earlyChannels);
        QFETCH(qint64, parameters);
        torch::manual_seed(2);
        ResNet model = createResNet(architecture.toStdString(), 3, width);
        QCOMPARE(model->width(), width);
        QCOMPARE(model->featureDim(), dim);
        QVERIFY(!model->hasAbetHeads());
        if (parameters > 0) {
            qint64 total = 0;
            for (const at::Tensor &p : model->parameters())
                total += p.numel();
            QCOMPARE(total, parameters);
        }
        randomiseBatchNorm(*model);
        NamedTensors state;
        for (auto &[name, tensor] : resnetStateDict(*model))
            state.emplace_back(name, tensor.clone());
        // torchvision's keys whatever the width; the width is read back from conv1.weight.
        QCOMPARE(int(state.size()), architecture == "resnet18" ? 122 : 320);
        QCOMPARE(resnetWidth(state), width);
        QVERIFY(!hasAbetKeys(state));
        ResNetBackbone backbone(architecture.toStdString(), state, "slim.pt");
        QCOMPARE(backbone.featureDim(), dim);
        QVERIFY(!backbone.hasLearnedTemperature());
        ForwardRequest request;
        request.early = request.featureMaps = true;
        const at::Tensor x = torch::randn({2, 3, 40, 40});
        const Activations a = backbone.forward(x, request);
        QCOMPARE(a.features.sizes(), at::IntArrayRef({2, dim}));
        QCOMPARE(a.early.size(1), int64_t(earlyChannels));
        QVERIFY(torch::allclose(backbone.featuresFromEarly(a.early), a.features, 1e-5, 1e-5));
        torch::NoGradGuard noGrad;
        model->eval();
        QVERIFY(torch::allclose(a.logits, model->forward(x), 1e-5, 1e-5));
        QVERIFY(errorOf([] { createResNet("resnet18", 3, 0); }).contains("width"));
    }

    void abetHeadKeys()
    {
        torch::manual_seed(3);
        ResNet model = createResNet("resnet18", 4, 8, true);
        QVERIFY(model->hasAbetHeads());
        const NamedTensors state = resnetStateDict(*model);
        // torchvision's 122 keys unchanged, then the heads (docs/model-contract.md).
        QCOMPARE(int(state.size()), 122 + 8);
        QCOMPARE(QString::fromStdString(state[120].first), QString("fc.weight"));
        const QStringList expected{
            "abet.cosine.weight [4,64]",           "abet.temperature.linear.weight [1,64]",
            "abet.temperature.linear.bias [1]",    "abet.temperature.bn.weight [1]",
            "abet.temperature.bn.bias [1]",        "abet.temperature.bn.running_mean [1]",
            "abet.temperature.bn.running_var [1]", "abet.temperature.bn.num_batches_tracked []"};
        for (int i = 0; i < 8; ++i) {
            const auto &[name, tensor] = state[122 + static_cast<size_t>(i)];
            QStringList shape;
            for (int64_t s : tensor.sizes())
                shape << QString::number(s);
            QCOMPARE(QString("%1 [%2]").arg(QString::fromStdString(name), shape.join(",")), expected[i]);
        }
        QVERIFY(hasAbetKeys(state));
        // AbeT reference init: kaiming_normal_(relu, fan_in): std = sqrt(2/D) = 0.177 for D = 64.
        const double stdDev = state[122].second.std().item<double>();
        QVERIFY2(std::abs(stdDev - std::sqrt(2.0 / 64)) < 0.25 * std::sqrt(2.0 / 64),
                 qPrintable(QString::number(stdDev)));

        // An incomplete set of head keys is named.
        NamedTensors partial;
        for (const auto &entry : state)
            if (entry.first != "abet.temperature.bn.running_var")
                partial.push_back(entry);
        const QString message = errorOf([&] { ResNetBackbone b("resnet18", partial, "partial.pt"); });
        QVERIFY2(message.contains("1 missing key (abet.temperature.bn.running_var)"), qPrintable(message));
    }

    void abetHeadsMatchPython()
    {
        // An independent re-implementation in Python (torch.nn.functional, written from the spec:
        // torchvision's BasicBlock ResNet at any width, docs/detectors.md, AbeT, for the heads)
        // reads our saved state_dict and computes logits, f, T and f/T for the same input.
        if (!test::systemPythonHas("torch"))
            OOD_SKIP_WITHOUT_REFERENCE("no system Python with torch");
        torch::manual_seed(21);
        ResNet model = createResNet("resnet18", 3, 8, true);
        randomiseBatchNorm(*model);
        {
            // Spread the temperatures: BN statistics of the temperature logit away from (0, 1).
            torch::NoGradGuard noGrad;
            for (const auto &item : model->named_buffers())
                if (item.key() == "abet.temperature.bn.running_mean")
                    item.value().fill_(0.3);
            for (const auto &item : model->named_parameters())
                if (item.key() == "abet.temperature.linear.weight")
                    item.value().mul_(4);
        }
        QTemporaryDir dir;
        NamedTensors state;
        for (auto &[name, tensor] : resnetStateDict(*model))
            state.emplace_back(name, tensor.clone());
        saveStateDict(dir.filePath("w.pt").toStdString(), state);
        const at::Tensor input = torch::randn({4, 3, 36, 36});
        saveStateDict(dir.filePath("x.pt").toStdString(), {{"x", input}});
        QProcess python;
        python.start(OOD_SYSTEM_PYTHON, {"-c", R"(import sys, json, torch
import torch.nn.functional as F
sd = torch.load(sys.argv[1]); x = torch.load(sys.argv[2])['x']
def bn(t, p):
    return F.batch_norm(t, sd[p + '.running_mean'], sd[p + '.running_var'], sd[p + '.weight'], sd[p + '.bias'],
                        training=False, momentum=0.0, eps=1e-5)
def block(t, p, stride):
    out = F.relu(bn(F.conv2d(t, sd[p + '.conv1.weight'], stride=stride, padding=1), p + '.bn1'))
    out = bn(F.conv2d(out, sd[p + '.conv2.weight'], padding=1), p + '.bn2')
    if p + '.downsample.0.weight' in sd:
        t = bn(F.conv2d(t, sd[p + '.downsample.0.weight'], stride=stride), p + '.downsample.1')
    return F.relu(out + t)
with torch.no_grad():
    t = F.max_pool2d(F.relu(bn(F.conv2d(x, sd['conv1.weight'], stride=2, padding=3), 'bn1')), 3, 2, 1)
    for s in range(1, 5):
        for b in range(2):
            t = block(t, 'layer%d.%d' % (s, b), 2 if s > 1 and b == 0 else 1)
    h = t.mean(dim=(2, 3))
    logits = h @ sd['fc.weight'].T + sd['fc.bias']
    hd, w = h.double(), sd['abet.cosine.weight'].double()
    f = (hd / (hd.norm(dim=1, keepdim=True) + 1e-4)) @ (w / (w.norm(dim=1, keepdim=True) + 1e-4)).T
    z = h @ sd['abet.temperature.linear.weight'].T + sd['abet.temperature.linear.bias']
    T = torch.sigmoid(bn(z, 'abet.temperature.bn')).double()[:, 0] + 1e-12
    l = f / T[:, None]
print(json.dumps({'logits': logits.tolist(), 'f': f.tolist(), 'T': T.tolist(), 'l': l.tolist()}))
)",
                                         dir.filePath("w.pt"), dir.filePath("x.pt")});
        python.waitForFinished(120000);
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        const QJsonObject reference = QJsonDocument::fromJson(python.readAllStandardOutput()).object();
        auto tensorOf = [&](const char *key) {
            std::vector<double> values;
            for (const QJsonValue &row : reference[key].toArray()) {
                if (row.isArray())
                    for (const QJsonValue &v : row.toArray())
                        values.push_back(v.toDouble());
                else
                    values.push_back(row.toDouble());
            }
            return torch::tensor(values, torch::kFloat64);
        };

        ResNetBackbone backbone("resnet18", state, "w.pt");
        QVERIFY(backbone.hasLearnedTemperature());
        const Activations a = backbone.forward(input, {});
        torch::NoGradGuard noGrad;
        const ResNetOutputs out = backbone.module()->forwardAll(input, false, false);
        QCOMPARE(out.cosine.scalar_type(), at::kDouble);
        QCOMPARE(a.temperature.sizes(), at::IntArrayRef({4}));
        QCOMPARE(a.cosine.sizes(), at::IntArrayRef({4, 3}));
        const at::Tensor t = tensorOf("T");
        QVERIFY2(t.max().item<double>() - t.min().item<double>() > 0.05,
                 "temperatures too alike to test anything");
        auto close = [](const at::Tensor &ours, const at::Tensor &theirs, double tolerance) {
            const at::Tensor o = ours.to(torch::kFloat64).flatten();
            return o.numel() == theirs.numel() &&
                   ((o - theirs).abs() <= tolerance * (1 + theirs.abs())).all().item<bool>();
        };
        QVERIFY(close(a.logits, tensorOf("logits"), 1e-4));
        QVERIFY(close(a.cosine, tensorOf("f"), 1e-5));
        QVERIFY(close(a.temperature, t, 1e-5));
        QVERIFY(close(out.cosine, tensorOf("f"), 1e-5));
        QVERIFY(close(out.temperature, t, 1e-5));
        QVERIFY(close(out.abetLogits, tensorOf("l"), 1e-5));
    }

    void abetStateRoundTrip()
    {
        // saveStateDict -> loadModel rebuilds width and heads from the keys: identical outputs.
        torch::manual_seed(9);
        ResNet model = createResNet("resnet18", 3, 8, true);
        randomiseBatchNorm(*model);
        QTemporaryDir dir;
        const std::string path = dir.filePath("abet.pt").toStdString();
        saveStateDict(path, resnetStateDict(*model));
        ResNetBackbone direct(model);
        const LoadedModel loaded = loadModel(path, "resnet18");
        QVERIFY(loaded.backbone->hasLearnedTemperature());
        QCOMPARE(loaded.card.featureDim, 64);
        const at::Tensor x = torch::randn({3, 3, 32, 32});
        ForwardRequest request;
        request.early = request.featureMaps = true;
        const Activations a = direct.forward(x, request);
        const Activations b = loaded.backbone->forward(x, request);
        for (const auto &[ours, theirs] :
             {std::pair{a.logits, b.logits}, std::pair{a.features, b.features}, std::pair{a.cosine, b.cosine},
              std::pair{a.temperature, b.temperature}, std::pair{a.early, b.early}})
            QVERIFY(torch::equal(ours, theirs));
        QVERIFY(torch::equal(direct.headWeight(), loaded.backbone->headWeight()));
    }
};

QTEST_GUILESS_MAIN(ResNetTest)
#include "resnettest.moc"
