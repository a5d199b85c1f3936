// The batch loader: order, per-file errors inside a batch, and destruction half-way.

#include "data/batchloader.h"

#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

using namespace ood;

class BatchLoaderTest : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir m_dir;
    std::vector<Sample> m_samples;

  private Q_SLOTS:
    void initTestCase()
    {
        // Image i is uniformly grey with value 10*i; every fourth "image" is broken text.
        for (int i = 0; i < 23; ++i) {
            const QString path = m_dir.filePath(QString("%1.png").arg(i, 2, 10, QChar('0')));
            if (i % 4 == 3) {
                QFile f(path);
                QVERIFY(f.open(QIODevice::WriteOnly));
                f.write("broken");
            } else {
                QVERIFY(cv::imwrite(path.toStdString(), cv::Mat(8, 8, CV_8UC1, cv::Scalar(10 * i))));
            }
            m_samples.push_back({path, i});
        }
    }

    void orderAndErrors()
    {
        InputSpec spec;
        spec.width = spec.height = 8;
        spec.mean = {0, 0, 0};
        spec.std = {1, 1, 1};
        BatchLoader loader(m_samples, spec, 5, 3);
        QCOMPARE(loader.sampleCount(), m_samples.size());
        Batch batch;
        std::vector<size_t> seen, failed;
        int batches = 0;
        while (loader.next(batch)) {
            ++batches;
            for (size_t row = 0; row < batch.sampleIndices.size(); ++row) {
                const size_t index = batch.sampleIndices[row];
                seen.push_back(index);
                // With mean 0 and std 1 the input is the pixel value / 255.
                QCOMPARE(batch.input[static_cast<long>(row)][1][4][4].item<float>(),
                         float(10 * index) / 255.0f);
            }
            for (const SampleError &e : batch.errors) {
                failed.push_back(e.index);
                QVERIFY(e.message.contains(QFileInfo(m_samples[e.index].path).fileName()));
            }
        }
        QCOMPARE(batches, 5); // ceil(23 / 5)
        QCOMPARE(failed, (std::vector<size_t>{3, 7, 11, 15, 19}));
        std::vector<size_t> expected;
        for (size_t i = 0; i < m_samples.size(); ++i)
            if (i % 4 != 3)
                expected.push_back(i);
        QCOMPARE(seen, expected);
    }

    void destroyedHalfway()
    {
        for (int round = 0; round < 20; ++round) {
            BatchLoader loader(m_samples, InputSpec{}, 2, 2);
            Batch batch;
            QVERIFY(loader.next(batch)); // then drop the loader with decodes in flight
        }
    }
};

QTEST_GUILESS_MAIN(BatchLoaderTest)
#include "batchloadertest.moc"
