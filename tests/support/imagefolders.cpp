#include "support/imagefolders.h"

#include <QDir>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <random>
#include <stdexcept>

namespace ood::test {

void writeColourFolder(const QString &root, int perClass, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> noise(0, 60);
    for (int c = 0; c < 2; ++c) {
        const QString folder = root + (c == 0 ? "/red" : "/blue");
        QDir().mkpath(folder);
        for (int i = 0; i < perClass; ++i) {
            const cv::Scalar colour = c == 0 ? cv::Scalar(noise(rng), noise(rng), 190 + noise(rng))
                                             : cv::Scalar(190 + noise(rng), noise(rng), noise(rng));
            const cv::Mat image(32, 32, CV_8UC3, colour);
            const QString path = QString("%1/%2.png").arg(folder).arg(i);
            if (!cv::imwrite(path.toStdString(), image))
                throw std::runtime_error("cannot write " + path.toStdString());
        }
    }
}

} // namespace ood::test
