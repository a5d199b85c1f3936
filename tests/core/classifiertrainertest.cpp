// Training a native ResNet on an ImageFolder: the loss goes down, a slim model with AbeT heads
// learns both heads (CE on the fc logits plus CE on f/T), and a fixed seed gives bit-identical
// weights.

#include "base/error.h"
#include "fit/classifiertrainer.h"
#include "model/resnet.h"

#include <QtTest>

#include <opencv2/imgcodecs.hpp>

#include <torch/torch.h>

#include <random>

using namespace ood;

class ClassifierTrainerTest : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir m_dir;
    SampleList m_train;
    InputSpec m_input;

    TrainReport train(ResNetImpl &model, uint64_t seed = 3)
    {
        TrainOptions options;
        options.epochs = 4;
        options.batchSize = 8;
        options.learningRate = 0.05;
        options.seed = seed;
        options.decodeWorkers = 1;
        return trainClassifier(model, m_train, m_input, options);
    }

  private Q_SLOTS:
    void initTestCase()
    {
        // Two classes told apart by a bright bar, horizontal or vertical, at a random place.
        std::mt19937 rng(7);
        std::uniform_int_distribution<int> offset(4, 24), grey(0, 40);
        for (int c = 0; c < 2; ++c) {
            const QString folder = m_dir.filePath(c == 0 ? "train/horizontal" : "train/vertical");
            QDir().mkpath(folder);
            for (int i = 0; i < 16; ++i) {
                cv::Mat image(32, 32, CV_8UC3, cv::Scalar(grey(rng), grey(rng), grey(rng)));
                const int at = offset(rng);
                if (c == 0)
                    image.rowRange(at, at + 4).setTo(cv::Scalar(250, 250, 250));
                else
                    image.colRange(at, at + 4).setTo(cv::Scalar(250, 250, 250));
                QVERIFY(cv::imwrite(QString("%1/%2.png").arg(folder).arg(i).toStdString(), image));
            }
        }
        m_train = scanImageFolder(m_dir.filePath("train"));
        m_input.width = m_input.height = 32;
    }

    void jointTrainingLowersBothLosses()
    {
        torch::manual_seed(5);
        ResNet model = createResNet("resnet18", 2, 4, true);
        const TrainReport report = train(*model);
        QCOMPARE(report.epochLoss.size(), size_t(4));
        QCOMPARE(report.epochAbetLoss.size(), size_t(4));
        QCOMPARE(report.epochAbetAccuracy.size(), size_t(4));
        QVERIFY2(report.epochLoss.back() < report.epochLoss.front(),
                 qPrintable(
                     QString("fc loss %1 -> %2").arg(report.epochLoss.front()).arg(report.epochLoss.back())));
        QVERIFY2(report.epochAbetLoss.back() < report.epochAbetLoss.front(),
                 qPrintable(QString("AbeT loss %1 -> %2")
                                .arg(report.epochAbetLoss.front())
                                .arg(report.epochAbetLoss.back())));
        QVERIFY(!model->is_training());
        // The temperature head trained too: its BN ran on every batch (4 per epoch).
        for (const auto &item : model->named_buffers())
            if (item.key() == "abet.temperature.bn.num_batches_tracked")
                QCOMPARE(item.value().item<int64_t>(), int64_t(16));
    }

    void plainModelHasNoAbetReport()
    {
        torch::manual_seed(5);
        ResNet model = createResNet("resnet18", 2, 4);
        const TrainReport report = train(*model);
        QCOMPARE(report.epochLoss.size(), size_t(4));
        QVERIFY(report.epochAbetLoss.empty());
        QVERIFY(report.epochLoss.back() < report.epochLoss.front());
    }

    void deterministic()
    {
        NamedTensors states[2];
        for (auto &state : states) {
            torch::manual_seed(5);
            ResNet model = createResNet("resnet18", 2, 4, true);
            train(*model, 11);
            state = resnetStateDict(*model);
        }
        QCOMPARE(states[0].size(), states[1].size());
        for (size_t i = 0; i < states[0].size(); ++i)
            QVERIFY2(torch::equal(states[0][i].second, states[1][i].second), states[0][i].first.c_str());
    }

    void refusesMismatchedClasses()
    {
        ResNet model = createResNet("resnet18", 3, 4, true);
        QVERIFY_THROWS_EXCEPTION(Error, train(*model));
    }
};

QTEST_GUILESS_MAIN(ClassifierTrainerTest)
#include "classifiertrainertest.moc"
