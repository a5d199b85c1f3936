// Opening models: torchvision checkpoints in every common layout give torchvision's own outputs,
// the model card is filled in, the file hash is Python's hashlib's, and bad files are refused
// with a message that says what is wrong.

#include "base/error.h"
#include "model/modelloader.h"
#include "model/resnet.h"

#include "support/errors.h"
#include "support/systempython.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;
using ood::test::errorOf;

namespace {

// torchvision writes the checkpoints and computes the reference outputs in eval mode, with
// BatchNorm running statistics and affine parameters randomised so that ignoring or mixing
// them up changes the outputs.
const char *const kMakeCheckpoints = R"PY(
import hashlib, os, sys, torch, torchvision
from torch import nn, Tensor
from typing import Dict
out = sys.argv[1]

def randomised(arch, classes, seed):
    torch.manual_seed(seed)
    m = getattr(torchvision.models, arch)(num_classes=classes)
    with torch.no_grad():
        last_bn = "bn3" if arch == "resnet50" else "bn2"
        for name, mod in m.named_modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.running_mean.uniform_(-0.3, 0.3)
                mod.running_var.uniform_(0.5, 2.0)
                # A small scale on each residual branch's last BN keeps the activations O(1-10)
                # through all blocks, as in trained networks, so 1e-4 absolute is meaningful.
                mod.weight.uniform_(0.1, 0.3) if name.endswith(last_bn) else mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.2, 0.2)
                mod.num_batches_tracked.fill_(1000)
        m.fc.weight.uniform_(-0.3, 0.3)  # logits of order 1 rather than torchvision's ~0.05
    return m.eval()

def reference(m, x, name):
    feats = {}
    hook = m.avgpool.register_forward_hook(lambda mod, i, o: feats.update(f=torch.flatten(o, 1)))
    with torch.no_grad():
        logits = m(x)
    hook.remove()
    torch.save({"x": x, "logits": logits, "features": feats["f"]}, os.path.join(out, name))

r18 = randomised("resnet18", 3, 0)
torch.manual_seed(100)
reference(r18, torch.randn(2, 3, 224, 224), "resnet18_reference.pt")
torch.save(r18.state_dict(), os.path.join(out, "resnet18_state.pt"))
torch.save({"epoch": 7, "state_dict": {"module." + k: v for k, v in r18.state_dict().items()}},
           os.path.join(out, "resnet18_wrapped.pt"))
torch.save(r18, os.path.join(out, "resnet18_whole.pt"))

r34 = randomised("resnet34", 2, 1)
reference(r34, torch.randn(2, 3, 64, 80), "resnet34_reference.pt")
torch.save(r34.state_dict(), os.path.join(out, "resnet34_state.pt"))

r50 = randomised("resnet50", 4, 2)
reference(r50, torch.randn(2, 3, 96, 96), "resnet50_reference.pt")
torch.save(r50.state_dict(), os.path.join(out, "resnet50_state.pt"))

class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)
        self.input_size = [100, 120]
        self.input_mean = [0.1, 0.2, 0.3]
        self.input_std = [0.4, 0.5, 0.6]
        self.architecture = "tiny_vit"
    @torch.jit.export
    def forward_ood(self, x: Tensor) -> Dict[str, Tensor]:
        f = x.mean(dim=[2, 3])
        return {"logits": self.fc(f), "features": f}
    @torch.jit.export
    def head_weight(self) -> Tensor:
        return self.fc.weight
    @torch.jit.export
    def head_bias(self) -> Tensor:
        return self.fc.bias
torch.jit.script(Tiny()).save(os.path.join(out, "tiny.ts"))

with open(os.path.join(out, "big.bin"), "wb") as f:
    f.write(bytes(range(256)) * 12289)  # 3 MB and a bit: several hashing blocks
with open(os.path.join(out, "hashes.txt"), "w") as f:
    for name in sorted(os.listdir(out)):
        if name.endswith((".pt", ".ts", ".bin")):
            f.write("%s %s\n" % (name, hashlib.sha256(open(os.path.join(out, name), "rb").read()).hexdigest()))
)PY";

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

QString write(const QString &path, const QByteArray &content)
{
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(content);
    return path;
}

} // namespace

class ModelLoaderTest : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    bool m_haveCheckpoints = false;
    QMap<QString, QString> m_hashes; ///< file name -> hashlib.sha256 hex digest

    QString file(const QString &name) const { return m_dir.filePath(name); }

  private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(2);
        QVERIFY(m_dir.isValid());
        if (!QFileInfo::exists(OOD_SYSTEM_PYTHON))
            return;
        // torch.jit.script reads the classes' source, so the script has to be a real file.
        write(file("make_checkpoints.py"), kMakeCheckpoints);
        QProcess python;
        python.start(OOD_SYSTEM_PYTHON, {file("make_checkpoints.py"), m_dir.path()});
        QVERIFY(python.waitForFinished(600000));
        const QByteArray errors = python.readAllStandardError();
        if (python.exitCode() != 0) {
            if (errors.contains("No module named"))
                return; // no torch or torchvision: the tests that need them skip
            QFAIL(errors.constData());
        }
        QFile hashes(file("hashes.txt"));
        QVERIFY(hashes.open(QIODevice::ReadOnly | QIODevice::Text));
        for (const QByteArray &line : hashes.readAll().split('\n')) {
            const QList<QByteArray> parts = line.split(' ');
            if (parts.size() == 2)
                m_hashes[QString(parts[0])] = QString(parts[1]);
        }
        m_haveCheckpoints = true;
    }

    void torchvisionCheckpoints_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<QString>("reference");
        QTest::addColumn<int>("classes");
        QTest::addColumn<int>("dim");
        QTest::newRow("resnet18 state_dict") << "resnet18_state.pt"
                                             << "resnet18"
                                             << "resnet18_reference.pt" << 3 << 512;
        QTest::newRow("resnet18 wrapped, module.") << "resnet18_wrapped.pt"
                                                   << "resnet18"
                                                   << "resnet18_reference.pt" << 3 << 512;
        QTest::newRow("resnet18 whole model") << "resnet18_whole.pt"
                                              << "resnet18"
                                              << "resnet18_reference.pt" << 3 << 512;
        QTest::newRow("resnet34 state_dict") << "resnet34_state.pt"
                                             << "resnet34"
                                             << "resnet34_reference.pt" << 2 << 512;
        QTest::newRow("resnet50 state_dict") << "resnet50_state.pt"
                                             << "ResNet50"
                                             << "resnet50_reference.pt" << 4 << 2048;
    }

    void torchvisionCheckpoints()
    {
        QFETCH(QString, name);
        QFETCH(QString, architecture);
        QFETCH(QString, reference);
        QFETCH(int, classes);
        QFETCH(int, dim);
        if (!m_haveCheckpoints)
            OOD_SKIP_WITHOUT_REFERENCE("no system Python with torch and torchvision");
        const LoadedModel model = loadModel(file(name).toStdString(), architecture.toStdString());
        QCOMPARE(QString::fromStdString(model.card.architecture), architecture.toLower());
        QCOMPARE(QString::fromStdString(model.card.modelPath), file(name));
        QCOMPARE(QString::fromStdString(model.card.sha256), m_hashes.value(name));
        QCOMPARE(model.card.numClasses, classes);
        QCOMPARE(model.card.featureDim, dim);
        QCOMPARE(model.card.input.width, 224);
        QCOMPARE(model.card.input.height, 224);
        QCOMPARE(model.card.input.mean[0], 0.485f);
        QCOMPARE(model.card.input.std[2], 0.225f);
        QCOMPARE(QString::fromStdString(model.backbone->architecture()), architecture.toLower());

        // Tolerance 1e-4 absolute, for logits and features of magnitude ~1-5 (see the Python
        // fixture). Both sides run the same float32 kernels of LibTorch 1.13, so only summation
        // order may differ: observed 0 for resnet18/34 and ~3e-6 for resnet50.
        const auto ref = readTensors(file(reference));
        const Activations a = model.backbone->forward(ref.at("x"), {});
        const double logitError = (a.logits - ref.at("logits")).abs().max().item<double>();
        const double featureError = (a.features - ref.at("features")).abs().max().item<double>();
        QVERIFY2(logitError < 1e-4, qPrintable(QString("logits differ by %1").arg(logitError)));
        QVERIFY2(featureError < 1e-4, qPrintable(QString("features differ by %1").arg(featureError)));
        // The outputs are not trivially small, so the comparison means something.
        QVERIFY(ref.at("logits").abs().max().item<double>() > 0.1);
    }

    void exportHelperStateDict_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("whole model") << "resnet18_whole.pt";
        QTest::newRow("wrapped, module.") << "resnet18_wrapped.pt";
    }

    void exportHelperStateDict()
    {
        // app/python/export_for_ood_inspector.py state-dict turns any layout into a plain
        // state_dict that opens natively with torchvision's outputs.
        QFETCH(QString, name);
        if (!m_haveCheckpoints)
            OOD_SKIP_WITHOUT_REFERENCE("no system Python with torch and torchvision");
        const QString output = file("plain_" + name);
        QProcess python;
        python.start(OOD_SYSTEM_PYTHON, {QString(OOD_SOURCE_DIR) + "/app/python/export_for_ood_inspector.py",
                                         "state-dict", file(name), "--arch", "resnet18", "--output", output});
        QVERIFY(python.waitForFinished(300000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        QVERIFY2(python.readAllStandardOutput().contains("122 tensors, 3 classes"), "unexpected summary");
        const LoadedModel model = loadModel(output.toStdString(), "resnet18");
        const auto ref = readTensors(file("resnet18_reference.pt"));
        QVERIFY(
            (model.backbone->forward(ref.at("x"), {}).logits - ref.at("logits")).abs().max().item<double>() <
            1e-4);
    }

    void writtenByOurselves()
    {
        // saveStateDict's files (torch::pickle_save) open like any torchvision checkpoint.
        torch::manual_seed(5);
        ResNet trained = createResNet("resnet18", 6);
        const NamedTensors state = resnetStateDict(*trained);
        saveStateDict(file("ours.pt").toStdString(), state);
        const LoadedModel model = loadModel(file("ours.pt").toStdString(), "resnet18");
        QCOMPARE(model.card.numClasses, 6);
        ResNetBackbone direct(trained);
        const at::Tensor x = torch::randn({2, 3, 48, 48});
        QVERIFY(torch::equal(model.backbone->forward(x, {}).logits, direct.forward(x, {}).logits));
        QVERIFY(torch::equal(model.backbone->headWeight(), direct.headWeight()));
    }

    void torchscriptCard()
    {
        if (!m_haveCheckpoints)
            OOD_SKIP_WITHOUT_REFERENCE("no system Python with torch and torchvision");
        const LoadedModel model = loadModel(file("tiny.ts").toStdString(), "torchscript");
        // The card keeps "torchscript" (how to open the file again); the backbone reports what the
        // module declares (what detector presets look at).
        QCOMPARE(QString::fromStdString(model.card.architecture), QString("torchscript"));
        QCOMPARE(QString::fromStdString(model.backbone->architecture()), QString("tiny_vit"));
        QCOMPARE(model.card.input.height, 100);
        QCOMPARE(model.card.input.width, 120);
        QCOMPARE(model.card.input.mean[2], 0.3f);
        QCOMPARE(model.card.input.std[0], 0.4f);
        QCOMPARE(model.card.numClasses, 2);
        QCOMPARE(model.card.featureDim, 3);
        QCOMPARE(QString::fromStdString(model.card.sha256), m_hashes.value("tiny.ts"));
    }

    void sha256()
    {
        // FIPS 180-2 test vectors (appendix B.1) and the digest of the empty message.
        QCOMPARE(QString::fromStdString(sha256OfFile(write(file("abc.txt"), "abc").toStdString())),
                 QString("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(QString::fromStdString(sha256OfFile(write(file("empty.txt"), "").toStdString())),
                 QString("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        if (m_haveCheckpoints) {
            QCOMPARE(QString::fromStdString(sha256OfFile(file("big.bin").toStdString())),
                     m_hashes.value("big.bin"));
            QCOMPARE(QString::fromStdString(sha256OfFile(file("resnet50_state.pt").toStdString())),
                     m_hashes.value("resnet50_state.pt"));
        }
        QVERIFY(errorOf([&] { sha256OfFile(file("none").toStdString()); }).contains("none"));
        QVERIFY(errorOf([&] { sha256OfFile(m_dir.path().toStdString()); }).contains("directory"));
    }

    void badFiles_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<QString>("fragment");
        QTest::addColumn<bool>("needsPython");
        QTest::newRow("missing") << "nowhere.pt"
                                 << "resnet18"
                                 << "does not exist" << false;
        QTest::newRow("directory") << "folder"
                                   << "resnet18"
                                   << "is a directory" << false;
        QTest::newRow("empty") << "empty.pt"
                               << "resnet18"
                               << "is empty" << false;
        QTest::newRow("unknown architecture") << "resnet18_state.pt"
                                              << "vgg16"
                                              << "Unknown architecture \"vgg16\"" << false;
        QTest::newRow("torchscript as resnet") << "tiny.ts"
                                               << "resnet18"
                                               << "is a TorchScript archive" << true;
        QTest::newRow("checkpoint as torchscript") << "resnet18_state.pt"
                                                   << "torchscript"
                                                   << "is a torch.save checkpoint" << true;
        QTest::newRow("wrong depth") << "resnet18_state.pt"
                                     << "resnet34"
                                     << "choose resnet18" << true;
        QTest::newRow("wrong family")
            << "resnet50_state.pt"
            << "resnet18"
            << "layer1.0.conv1.weight: checkpoint has [64,64,1,1], resnet18 expects [64,64,3,3]" << true;
        QTest::newRow("garbage as torchscript") << "garbage.pt"
                                                << "torchscript"
                                                << "is not a TorchScript archive" << false;
    }

    void badFiles()
    {
        QFETCH(QString, name);
        QFETCH(QString, architecture);
        QFETCH(QString, fragment);
        QFETCH(bool, needsPython);
        if (needsPython && !m_haveCheckpoints)
            OOD_SKIP_WITHOUT_REFERENCE("no system Python with torch and torchvision");
        QDir(m_dir.path()).mkpath("folder");
        write(file("empty.pt"), "");
        write(file("garbage.pt"), QByteArray(5000, 'x'));
        const QString message =
            errorOf([&] { loadModel(file(name).toStdString(), architecture.toStdString()); });
        QVERIFY2(message.contains(fragment), qPrintable(message));
        if (name != "folder" && architecture != "vgg16")
            QVERIFY2(message.contains(name), qPrintable(message));
    }

    void notACheckpoint()
    {
        // Whatever the checkpoint reader says about a non-checkpoint, it is an ood::Error naming
        // the file.
        const QString path = write(file("notes.pt"), "these are notes, not weights\n");
        const QString message = errorOf([&] { loadModel(path.toStdString(), "resnet18"); });
        QVERIFY2(!message.isEmpty(), "no error");
        QVERIFY2(message.contains("notes.pt"), qPrintable(message));
    }

    void unreadable()
    {
        const QString path = write(file("locked.pt"), "x");
        QFile::setPermissions(path, QFileDevice::Permissions());
        QFile probe(path);
        if (probe.open(QIODevice::ReadOnly))
            QSKIP("running with rights that read any file (root)");
        const QString message = errorOf([&] { loadModel(path.toStdString(), "resnet18"); });
        QVERIFY2(message.contains("Cannot read model file") && message.contains("locked.pt"),
                 qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(ModelLoaderTest)
#include "modelloadertest.moc"
