#include "videoclips.h"

#include <QFileInfo>

#include <opencv2/videoio.hpp>

namespace ood::test {

bool writeMjpegVideo(const QString &path, const std::vector<cv::Mat> &frames, double fps)
{
    if (frames.empty())
        return false;
    cv::VideoWriter writer(path.toStdString(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'),
                           fps, frames.front().size());
    if (!writer.isOpened())
        return false;
    for (const cv::Mat &frame : frames)
        writer.write(frame);
    writer.release();
    return QFileInfo(path).size() > 0;
}

} // namespace ood::test
