// The TorchScript adapter: a model scripted by Python following docs/model-contract.md gives
// the same activations, head and input gradients in C++ as in Python; files that break the
// contract are refused with a message naming what is wrong; and the user-side export helper
// (app/python/export_for_ood_inspector.py) produces files this adapter accepts.

#include "base/error.h"
#include "model/resnet.h"
#include "model/torchscriptbackbone.h"
#include "support/systempython.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;

namespace {

// Python writes every model the tests need, plus reference outputs, into argv[1].
const char *const kMakeModels = R"PY(
import sys, os, torch
from torch import nn, Tensor
from typing import Dict, List
out = sys.argv[1]
torch.manual_seed(0)

class Tiny(nn.Module):
    architecture: str
    input_size: List[int]
    input_mean: List[float]
    input_std: List[float]

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.mid = nn.Sequential(nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU())
        self.fc = nn.Linear(16, 5)
        self.architecture = "tinynet"
        self.input_size = [40, 48]
        self.input_mean = [0.5, 0.4, 0.3]
        self.input_std = [0.2, 0.25, 0.3]

    @torch.jit.export
    def forward_ood(self, x: Tensor) -> Dict[str, Tensor]:
        early = self.stem(x)
        maps = self.mid(early)
        f = maps.mean(dim=[2, 3])
        return {"logits": self.fc(f), "features": f, "feature_maps": maps, "early": early}

    @torch.jit.export
    def features_from_early(self, early: Tensor) -> Tensor:
        return self.mid(early).mean(dim=[2, 3])

    @torch.jit.export
    def head_weight(self) -> Tensor:
        return self.fc.weight

    @torch.jit.export
    def head_bias(self) -> Tensor:
        return self.fc.bias

tiny = Tiny().eval()
with torch.no_grad():
    tiny.stem[1].running_mean.uniform_(-0.2, 0.2)
    tiny.stem[1].running_var.uniform_(0.5, 1.5)
scripted = torch.jit.script(tiny)
scripted.save(os.path.join(out, "tiny.ts"))
x = torch.randn(3, 3, 40, 48)
with torch.no_grad():
    ref = tiny.forward_ood(x)
xg = x.clone().requires_grad_(True)
tiny.forward_ood(xg)["logits"][:, 2].sum().backward()
torch.save({"x": x, "logits": ref["logits"], "features": ref["features"], "feature_maps": ref["feature_maps"],
            "early": ref["early"], "grad": xg.grad}, os.path.join(out, "tiny_reference.pt"))

class NoHeadWeight(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)
    @torch.jit.export
    def forward_ood(self, x: Tensor) -> Dict[str, Tensor]:
        f = x.mean(dim=[2, 3])
        return {"logits": self.fc(f), "features": f}
    @torch.jit.export
    def head_bias(self) -> Tensor:
        return self.fc.bias

class PlainForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)
    def forward(self, x: Tensor) -> Tensor:
        return self.fc(x.mean(dim=[2, 3]))
    @torch.jit.export
    def head_weight(self) -> Tensor:
        return self.fc.weight
    @torch.jit.export
    def head_bias(self) -> Tensor:
        return self.fc.bias

class Variant(nn.Module):
    # What forward_ood returns is chosen by `mode`, to break one rule at a time.
    mode: str
    def __init__(self, mode):
        super().__init__()
        self.fc = nn.Linear(3, 2)
        self.mode = mode
    @torch.jit.export
    def forward_ood(self, x: Tensor) -> Dict[str, Tensor]:
        f = x.mean(dim=[2, 3])
        out = {"logits": self.fc(f), "features": f}
        if self.mode == "wide_features":
            out["features"] = torch.cat([f, f], dim=1)
        if self.mode == "not_head":
            out["logits"] = 2.0 * self.fc(f)
        if self.mode == "unknown_key":
            out["featuremaps"] = x
        if self.mode == "no_features":
            out.pop("features")
        if self.mode == "abet":
            t = torch.sigmoid(f[:, :1]) + 0.5
            out["cosine"] = self.fc(f)
            out["temperature"] = t
            out["logits"] = self.fc(f) / t
        return out
    @torch.jit.export
    def head_weight(self) -> Tensor:
        return self.fc.weight
    @torch.jit.export
    def head_bias(self) -> Tensor:
        if self.mode == "short_bias":
            return self.fc.bias[:1]
        return self.fc.bias

torch.jit.script(NoHeadWeight()).save(os.path.join(out, "no_head_weight.ts"))
torch.jit.script(PlainForward()).save(os.path.join(out, "plain_forward.ts"))
for mode in ["wide_features", "not_head", "unknown_key", "no_features", "short_bias", "abet"]:
    torch.jit.script(Variant(mode).eval()).save(os.path.join(out, mode + ".ts"))
torch.save(Tiny().state_dict(), os.path.join(out, "checkpoint.pt"))
with open(os.path.join(out, "garbage.ts"), "wb") as f:
    f.write(os.urandom(4096))
print("ok")
)PY";

bool runPython(const QStringList &arguments, QByteArray *output, QByteArray *errors)
{
    if (!QFileInfo::exists(OOD_SYSTEM_PYTHON))
        return false;
    QProcess python;
    python.start(OOD_SYSTEM_PYTHON, arguments);
    if (!python.waitForFinished(600000))
        return false;
    *output = python.readAllStandardOutput();
    *errors = python.readAllStandardError();
    return python.exitStatus() == QProcess::NormalExit && python.exitCode() == 0;
}

/// A file written by Python's torch.save({name: tensor}).
std::map<std::string, at::Tensor> readTensors(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = file.readAll();
    std::map<std::string, at::Tensor> tensors;
    for (const auto &entry :
         torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end())).toGenericDict())
        tensors[entry.key().toStringRef()] = entry.value().toTensor();
    return tensors;
}

} // namespace

class TorchScriptBackboneTest : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    bool m_haveModels = false;
    QByteArray m_pythonProblem;

    QString file(const QString &name) const { return m_dir.filePath(name); }

  private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(2);
        QVERIFY(m_dir.isValid());
        // torch.jit.script reads the classes' source, so the script has to be a real file.
        QFile script(file("make_models.py"));
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write(kMakeModels);
        script.close();
        QByteArray output;
        m_haveModels = runPython({script.fileName(), m_dir.path()}, &output, &m_pythonProblem);
        // A missing interpreter or torch is a skip; anything else is a failure of the fixture.
        if (!m_haveModels && QFileInfo::exists(OOD_SYSTEM_PYTHON) &&
            !m_pythonProblem.contains("No module named"))
            QFAIL(m_pythonProblem.constData());
    }

    void matchesPython()
    {
        if (!m_haveModels)
            OOD_SKIP_WITHOUT_REFERENCE("no system Python with torch");
        TorchScriptBackbone backbone(file("tiny.ts").toStdString());
        QCOMPARE(QString::fromStdString(backbone.architecture()), QString("tinynet"));
        QCOMPARE(backbone.numClasses(), 5);
        QCOMPARE(backbone.featureDim(), 16);
        QCOMPARE(backbone.inputSpec().height, 40);
        QCOMPARE(backbone.inputSpec().width, 48);
        QCOMPARE(backbone.inputSpec().mean[1], 0.4f);
        QCOMPARE(backbone.inputSpec().std[2], 0.3f);
        QVERIFY(backbone.hasFeatureMaps());
        QVERIFY(backbone.hasEarly());
        QVERIFY(backbone.canRunFromEarly());

        const auto reference = readTensors(file("tiny_reference.pt"));
        QCOMPARE(int(reference.size()), 6);
        const at::Tensor x = reference.at("x");
        ForwardRequest request;
        request.featureMaps = request.early = true;
        const Activations a = backbone.forward(x, request);
        // Same kernels, same graph: only summation order may differ.
        for (const auto &[key, tensor] : {std::pair{"logits", a.logits},
                                          {"features", a.features},
                                          {"feature_maps", a.featureMaps},
                                          {"early", a.early}})
            QVERIFY2(torch::allclose(tensor, reference.at(key), 1e-5, 1e-5), key);
        QVERIFY(!a.temperature.defined());
        QVERIFY(!backbone.hasLearnedTemperature());

        const Activations plain = backbone.forward(x, {});
        QVERIFY(!plain.featureMaps.defined());
        QVERIFY(!plain.early.defined());

        QVERIFY(torch::allclose(backbone.featuresFromEarly(a.early), reference.at("features"), 1e-5, 1e-5));
        QVERIFY(torch::allclose(a.features.matmul(backbone.headWeight().t()) + backbone.headBias(), a.logits,
                                1e-5, 1e-5));

        // forward() ran on the frozen, optimised copy (checked against Python's numbers above); the
        // archive as it is when not asked to optimise, with the same numbers.
        QVERIFY2(QString::fromStdString(backbone.inferenceDescription()).startsWith("frozen graph"),
                 backbone.inferenceDescription().c_str());
        TorchScriptBackbone asItIs(file("tiny.ts").toStdString(), /*optimise=*/false);
        QVERIFY(QString::fromStdString(asItIs.inferenceDescription()).startsWith("the archive as it is"));
        QVERIFY(torch::allclose(asItIs.forward(x, {}).logits, reference.at("logits"), 1e-5, 1e-5));

        // Autograd through the scripted graph: d(sum of logit 2)/dx as Python computed it.
        const at::Tensor input = x.clone().requires_grad_(true);
        const at::Tensor logits = backbone.logitsWithGradient(input);
        logits.select(1, 2).sum().backward();
        QVERIFY(torch::allclose(input.grad(), reference.at("grad"), 1e-5, 1e-6));
    }

    void temperatureModels()
    {
        if (!m_haveModels)
            OOD_SKIP_WITHOUT_REFERENCE("no system Python with torch");
        TorchScriptBackbone backbone(file("abet.ts").toStdString());
        QVERIFY(backbone.hasLearnedTemperature()); // "temperature" and "cosine" in the probe
        QCOMPARE(QString::fromStdString(backbone.architecture()), QString("torchscript"));
        QCOMPARE(backbone.inputSpec().width, 224); // defaults when the module declares nothing
        QCOMPARE(backbone.inputSpec().mean[0], 0.485f);
        const at::Tensor x = torch::randn({4, 3, 8, 8});
        const Activations a = backbone.forward(x, {});
        QCOMPARE(a.temperature.sizes(), at::IntArrayRef({4}));
        QCOMPARE(a.cosine.sizes(), at::IntArrayRef({4, 2}));
        // The module defines logits = cosine / temperature.
        QVERIFY(torch::allclose(a.logits, a.cosine / a.temperature.unsqueeze(1), 1e-5, 1e-6));
        QVERIFY(!backbone.featuresFromEarly(torch::zeros({1, 3})).defined());
        QVERIFY(!backbone.canRunFromEarly());
    }

    void contractViolations_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("no head_weight") << "no_head_weight.ts"
                                        << "the module has no method head_weight()";
        QTest::newRow("plain forward")
            << "plain_forward.ts"
            << "has no method forward_ood, and forward returns Tensor instead of Dict[str, Tensor]";
        QTest::newRow("features wider than head")
            << "wide_features.ts"
            << "\"features\" has shape [2,6] for a batch of 2, expected [2,3]";
        QTest::newRow("logits not from head") << "not_head.ts"
                                              << "\"features\" must be the input of the final linear";
        QTest::newRow("unknown key") << "unknown_key.ts"
                                     << "unknown entry \"featuremaps\"";
        QTest::newRow("no features") << "no_features.ts"
                                     << "forward_ood returned no \"features\"";
        QTest::newRow("short bias") << "short_bias.ts"
                                    << "head_bias() has shape [1], expected [2]";
        QTest::newRow("random bytes") << "garbage.ts"
                                      << "is not a TorchScript archive";
        QTest::newRow("torch.save checkpoint") << "checkpoint.pt"
                                               << "is not a TorchScript archive";
        QTest::newRow("missing file") << "nowhere.ts"
                                      << "does not exist";
    }

    void contractViolations()
    {
        QFETCH(QString, name);
        QFETCH(QString, fragment);
        if (!m_haveModels)
            OOD_SKIP_WITHOUT_REFERENCE("no system Python with torch");
        try {
            TorchScriptBackbone backbone(file(name).toStdString());
            QFAIL("no error");
        } catch (const Error &e) {
            const QString message = e.what();
            QVERIFY2(message.contains(fragment), e.what());
            QVERIFY2(message.contains(name), e.what());
            if (name != "nowhere.ts")
                QVERIFY2(message.contains("docs/model-contract.md"), e.what());
        }
    }

    void exportHelperMatchesNativeResNet()
    {
        // The export helper wraps torchvision's resnet18 loaded from a state_dict our C++ wrote;
        // the TorchScript file must then agree with our native ResNet on the same weights.
        if (!m_haveModels)
            OOD_SKIP_WITHOUT_REFERENCE("no system Python with torch");
        torch::manual_seed(21);
        ResNet model = createResNet("resnet18", 3);
        {
            torch::NoGradGuard noGrad;
            for (const auto &item : model->named_buffers())
                if (item.key().find("running_var") != std::string::npos)
                    item.value().uniform_(0.5, 1.5);
        }
        const NamedTensors state = resnetStateDict(*model);
        saveStateDict(file("native.pt").toStdString(), state);
        const QString script = QString(OOD_SOURCE_DIR) + "/app/python/export_for_ood_inspector.py";
        QByteArray output, errors;
        if (!runPython({script, "torchscript", "--model", "torchvision:resnet18", "--num-classes", "3",
                        "--weights", file("native.pt"), "--input-size", "64", "56", "--output",
                        file("exported.ts")},
                       &output, &errors)) {
            if (errors.contains("No module named 'torchvision'"))
                OOD_SKIP_WITHOUT_REFERENCE("system Python has no torchvision");
            QFAIL(errors.constData());
        }
        TorchScriptBackbone exported(file("exported.ts").toStdString());
        QCOMPARE(QString::fromStdString(exported.architecture()), QString("resnet18"));
        QCOMPARE(exported.inputSpec().height, 64);
        QCOMPARE(exported.inputSpec().width, 56);
        QVERIFY(exported.hasFeatureMaps() && exported.hasEarly());
        ResNetBackbone native("resnet18", state, "native.pt");
        const at::Tensor x = torch::randn({2, 3, 64, 56});
        ForwardRequest request;
        request.featureMaps = request.early = true;
        const Activations a = exported.forward(x, request);
        const Activations b = native.forward(x, request);
        QVERIFY(torch::allclose(a.logits, b.logits, 1e-4, 1e-4));
        QVERIFY(torch::allclose(a.features, b.features, 1e-4, 1e-4));
        QVERIFY(torch::allclose(a.featureMaps, b.featureMaps, 1e-4, 1e-4));
        QVERIFY(torch::allclose(a.early, b.early, 1e-4, 1e-4));
        QVERIFY(torch::allclose(exported.featuresFromEarly(b.early), b.features, 1e-4, 1e-4));
        QVERIFY(torch::equal(exported.headWeight(), native.headWeight()));
    }
};

QTEST_GUILESS_MAIN(TorchScriptBackboneTest)
#include "torchscriptbackbonetest.moc"
