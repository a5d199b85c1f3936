// The restricted checkpoint reader against files written by Python's torch.save (state_dicts as
// OrderedDict, wrapped, DataParallel-prefixed, and a whole pickled torchvision model), with
// LibTorch's own reader of a plain-dict copy as the independent reference; plus hostile files.

#include "base/error.h"
#include "model/checkpointreader.h"

#include "support/systempython.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;

namespace {

void expectError(const QString &path, const QString &fragment)
{
    try {
        readCheckpointTensors(path.toStdString());
        QFAIL(qPrintable("no error for " + path));
    } catch (const Error &e) {
        QVERIFY2(QString(e.what()).contains(fragment), e.what());
    }
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}

void writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(bytes);
}

} // namespace

class CheckpointReaderTest : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir m_dir;
    bool m_python = false;

  private Q_SLOTS:
    void initTestCase()
    {
        m_python = test::systemPythonHas("torchvision");
        if (!m_python)
            return;
        QProcess python;
        python.setWorkingDirectory(m_dir.path());
        python.start(
            OOD_SYSTEM_PYTHON,
            {"-c",
             "import torch, torchvision, collections\n"
             "torch.manual_seed(0)\n"
             "m = torchvision.models.resnet18(num_classes=3)\n"
             "for mod in m.modules():\n"
             "    if isinstance(mod, torch.nn.BatchNorm2d):\n"
             "        mod.running_mean.uniform_(-1, 1); mod.running_var.uniform_(0.5, 2)\n"
             "sd = m.state_dict()\n"
             "torch.save(sd, 'ordered.pt')\n"
             "torch.save({'state_dict': sd, 'epoch': 3, 'note': 'x'}, 'wrapped.pt')\n"
             "torch.save(collections.OrderedDict(('module.' + k, v) for k, v in sd.items()), 'prefixed.pt')\n"
             "torch.save(m, 'whole.pt')\n"
             "torch.save(dict(sd), 'plain.pt')\n"
             "open('keys.txt', 'w').write('\\n'.join(sd.keys()))\n"
             "base = torch.arange(24, dtype=torch.float64).reshape(4, 6)\n"
             "odd = {'t': base.t(), 'row': base[1], 'slice': base[:, 2:5], 'long': torch.arange(5) * -3,\n"
             "       'half': torch.linspace(-2, 2, 7).half(), 'flag': torch.tensor([True, False])}\n"
             "torch.save(collections.OrderedDict(odd), 'views.pt')\n"
             "torch.save({k: v.contiguous() for k, v in odd.items()}, 'views_plain.pt')\n"});
        QVERIFY(python.waitForFinished(300000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
    }

    void matchesLibTorchReader_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reference");
        QTest::newRow("OrderedDict state_dict") << "ordered.pt"
                                                << "plain.pt";
        QTest::newRow("wrapped under state_dict") << "wrapped.pt"
                                                  << "plain.pt";
        QTest::newRow("module. prefix") << "prefixed.pt"
                                        << "plain.pt";
        QTest::newRow("whole pickled model") << "whole.pt"
                                             << "plain.pt";
        QTest::newRow("views, dtypes, shared storage") << "views.pt"
                                                       << "views_plain.pt";
    }

    void matchesLibTorchReader()
    {
        QFETCH(QString, file);
        QFETCH(QString, reference);
        if (!m_python)
            OOD_SKIP_WITHOUT_REFERENCE("system Python with torchvision not available");
        const NamedTensors ours = readCheckpointTensors(m_dir.filePath(file).toStdString());
        const QByteArray bytes = readAll(m_dir.filePath(reference));
        const c10::IValue plain = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
        const auto dict = plain.toGenericDict();
        QCOMPARE(ours.size(), dict.size());
        for (const auto &[name, tensor] : ours) {
            const auto it = dict.find(name);
            QVERIFY2(it != dict.end(), name.c_str());
            const at::Tensor expected = it->value().toTensor();
            QCOMPARE(tensor.scalar_type(), expected.scalar_type());
            QCOMPARE(tensor.sizes(), expected.sizes());
            QVERIFY2(torch::equal(tensor, expected), name.c_str());
        }
        if (reference == "plain.pt") {
            const QStringList keys = QString(readAll(m_dir.filePath("keys.txt"))).split('\n');
            QCOMPARE(static_cast<int>(ours.size()), keys.size());
            for (size_t i = 0; i < ours.size(); ++i)
                QCOMPARE(QString::fromStdString(ours[i].first), keys[static_cast<int>(i)]);
        }
    }

    void hostileFiles()
    {
        QTemporaryDir dir;
        expectError(dir.filePath("missing.pt"), "does not exist");
        writeAll(dir.filePath("empty.pt"), QByteArray());
        expectError(dir.filePath("empty.pt"), "empty");
        writeAll(dir.filePath("text.pt"), "hello world, not a checkpoint");
        expectError(dir.filePath("text.pt"), "not a PyTorch checkpoint");
        writeAll(dir.filePath("legacy.pt"), QByteArray("\x80\x02\x8a\x0a", 4) + QByteArray(40, 'x'));
        expectError(dir.filePath("legacy.pt"), "legacy");

        // A real checkpoint written by LibTorch, truncated at several points.
        c10::impl::GenericDict d(c10::StringType::get(), c10::AnyType::get());
        d.insert("weight", torch::randn({16, 16}));
        const std::vector<char> good = torch::pickle_save(c10::IValue(d));
        const QByteArray whole(good.data(), static_cast<int>(good.size()));
        writeAll(dir.filePath("good.pt"), whole);
        QCOMPARE(readCheckpointTensors(dir.filePath("good.pt").toStdString()).size(), size_t(1));
        for (double fraction : {0.1, 0.5, 0.9}) {
            const QString name = dir.filePath(QString("cut%1.pt").arg(fraction));
            writeAll(name, whole.left(static_cast<int>(whole.size() * fraction)));
            try {
                readCheckpointTensors(name.toStdString());
                QFAIL("a truncated checkpoint was accepted");
            } catch (const Error &) {
            }
        }
    }

    void neverExecutesCode()
    {
        if (!m_python)
            OOD_SKIP_WITHOUT_REFERENCE("system Python not available");
        // A checkpoint whose pickle calls os.system: the reader must refuse it without running it.
        QTemporaryDir dir;
        const QString marker = dir.filePath("executed");
        QProcess python;
        python.setWorkingDirectory(dir.path());
        python.start(OOD_SYSTEM_PYTHON, {"-c",
                                         "import torch, os, sys\n"
                                         "class Evil:\n"
                                         "    def __reduce__(self):\n"
                                         "        return (os.system, ('touch ' + sys.argv[1],))\n"
                                         "torch.save({'w': torch.ones(2), 'x': Evil()}, 'evil.pt')\n",
                                         marker});
        QVERIFY(python.waitForFinished(120000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        QVERIFY(!QFileInfo::exists(marker)); // saving did not run it either
        const NamedTensors tensors = readCheckpointTensors(dir.filePath("evil.pt").toStdString());
        QVERIFY(!QFileInfo::exists(marker));
        QCOMPARE(tensors.size(), size_t(1)); // the call was recorded as an inert object, not run
        QCOMPARE(tensors[0].first, std::string("w"));
    }
};

QTEST_GUILESS_MAIN(CheckpointReaderTest)
#include "checkpointreadertest.moc"
